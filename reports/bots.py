"""Which requests are bots: counted apart from people in every report (page views, and the link
clicks of mail, where scanners fetch every link before anyone reads the message).

A request is a bot's when it is a HEAD (a link checker asks whether the page exists, nobody reads
it), carries no user agent, or its user agent holds one of `BOT_MARKERS`: the words crawlers,
link-preview fetchers, mail scanners and command-line clients name themselves with. A list can
never be complete; what it misses counts as a person, so the people's numbers are an upper bound.
"""

from __future__ import annotations

BOT_MARKERS = (
    "bot", "crawl", "spider", "slurp", "scan", "preview", "fetch", "monitor", "check", "validator",
    "headless", "phantomjs", "lighthouse", "facebookexternalhit", "embedly", "whatsapp", "skypeuripreview",
    "curl/", "wget/", "python-", "go-http-client", "java/", "okhttp", "libwww", "httpclient", "axios/",
    "node-fetch", "postman", "proofpoint", "mimecast", "barracuda", "safelinks",
    # mail security gateways that open every link of a message before its reader does
    "microsoft defender", "symantec", "messagelabs", "trend micro", "forcepoint", "cisco secure email",
)


def is_bot(method: str, user_agent: str | None) -> bool:
    """Whether a request with this method and User-Agent header is a bot's (see the module)."""
    return method.upper() == "HEAD" or is_machine_agent(user_agent)


def is_machine_agent(user_agent: str | None) -> bool:
    """Whether a User-Agent header is missing or names a machine (one of `BOT_MARKERS`)."""
    agent = (user_agent or "").strip().lower()
    return not agent or any(marker in agent for marker in BOT_MARKERS)
