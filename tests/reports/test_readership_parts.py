"""The two decisions made on each read before anything is stored: is it a bot's, and which host
(only the host) referred it."""

from __future__ import annotations

import pytest

from reports.bots import is_bot
from reports.readership import referrer_host

OWN = {"newsroom.example.be"}


@pytest.mark.parametrize(("referer", "host"), [
    ("https://www.standaard.be/cnt/dmf2026?utm_source=x#top", "www.standaard.be"),
    ("http://anna:secret@News.Example.ORG:8443/a?q=els@example.org", "news.example.org"),
    ("https://newsroom.example.be/newsroom/nl", ""),  # our own pages
    ("android-app://com.slack/", ""), ("javascript:alert(1)", ""), ("ftp://example.org/x", ""),
    ("https://[2001:db8::1]/x", ""), ("https://192.0.2.7/x", ""), ("", ""), (None, ""),
    ("https://exa mple.org/", ""), ("https://xn--exmple-cua.be/", "xn--exmple-cua.be"),
    ("https://" + "a" * 300 + ".be/", ""),
])
def test_only_the_host_of_an_external_referrer_is_kept(referer: str | None, host: str) -> None:
    assert referrer_host(referer, OWN) == host


@pytest.mark.parametrize(("method", "agent", "bot"), [
    ("GET", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", False),
    ("GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", False),
    ("HEAD", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", True),
    ("GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
    ("GET", "facebookexternalhit/1.1", True), ("GET", "curl/8.5.0", True), ("GET", "python-httpx/0.28", True),
    ("GET", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0 Safari/537.36", True),
    ("GET", "", True), ("GET", None, True),
])
def test_bots_are_heads_agents_that_say_so_and_requests_without_an_agent(method: str, agent: str | None, bot: bool) -> None:
    assert is_bot(method, agent) is bot
