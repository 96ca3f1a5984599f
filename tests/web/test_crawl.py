"""Every page a person can reach, in a real Chromium, for every role: nothing answers 5xx,
axe-core finds no WCAG 2.1 AA violation, the HTML as served parses without a single error of the
HTML standard's parsing algorithm and uses no id twice, every response carries the security headers, and the
press office and the public pages work on a 390 px phone.

The database holds releases in every state and mailings in every status (`crawl_seed`). Each
role (a visitor, a spokesperson, an approver, an admin) signs in through the sign-in page and
follows links and GET forms breadth-first from the press dashboard and the public home page
(the visitor also from the links a subscriber's mail carries). Then every POST form found is
submitted once with its defaults, in a throwaway copy of the browser's cookies and against a
fresh copy of the database as it was once every role had signed in (sessions included, since
they are rows of it), so destructive forms (archive, withdraw, sign out, end a session) take
nothing from the others. Pages are found by following links, never from a list, so new pages
are crawled too.
"""

from __future__ import annotations

import fnmatch
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest

from tests.web.conftest import PASSWORD, Web, clear_rate_limits
from tests.web.crawl_seed import seed
from tests.web.crawler import Crawler, FormSeen, Problem, markup_problems, pattern

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Patterns the seeded office must lead every signed-in role to, and POST forms it must have
# submitted: a crawler that silently found nothing (a broken sign-in, a page with no links)
# fails here rather than passing with nothing checked.
MUST_VISIT = {"/press", "/press/releases", "/press/releases/{n}",
              "/press/releases/new", "/press/lists", "/press/lists/journalists", "/press/distributions",
              "/press/distributions/{n}", "/press/distributions/{n}/report", "/newsroom/nl", "/releases/{n}/nl",
              "/feeds/nl.atom", "/subscribe?lang",
              "/press/releases/{n}/preview/nl"}
MUST_VISIT_VISITOR = {"/press/sign-in?next", "/newsroom/nl", "/releases/{n}/nl", "/releases/{n}/nl?access",
                      "/subscriptions/confirm/{token}", "/subscriptions/preferences/{token}",
                      "/subscriptions/unsubscribe/{token}", "/subscribe?lang", "/newsroom/nl/contacts",
                      "/newsroom/fr/topics/africa", "/feeds/fr/topics/africa.atom"}
MUST_SUBMIT = {"/press/releases/{n}/submit", "/press/releases/{n}/approve", "/press/releases/{n}/request-changes",
               "/press/releases/{n}/publish", "/press/releases/{n}/unschedule", "/press/releases/{n}/withdraw",
               "/press/releases/{n}/archive", "/press/releases/new", "/press/releases/{n}/edit", "/press/preview",
               "/press/distributions/{n}/pause", "/press/distributions/{n}/resume",
               "/press/distributions/{n}/cancel", "/press/lists/*/subscribers", "/press/lists/*/subscribers/{n}/remove",
               "/press/lists/*/import", "/press/lists", "/press/organisation/nl", "/press/sign-out",
               "/press/language", "/press/sign-in", "/subscribe", "/subscriptions/confirm/{token}",
               "/subscriptions/preferences/{token}", "/subscriptions/unsubscribe/{token}", "/press/topics"}


def _restorer(url: str) -> Callable[[], None]:
    """A function that puts the database back as seeded (SQLite's online backup, so the
    server's open connections simply see the old content again)."""
    database = url.removeprefix("sqlite:///")
    seeded = sqlite3.connect(":memory:")
    with closing(sqlite3.connect(database)) as live:
        live.backup(seeded)

    def restore() -> None:
        with closing(sqlite3.connect(database, timeout=30)) as live:
            seeded.backup(live)
        clear_rate_limits()

    return restore


def _axe_sees(crawler: Crawler, url: str) -> None:
    """axe-core, injected into a real page under the app's policy, reports a known violation
    (an image without a text alternative): the crawl's silence about the others means something."""
    canary: list[Problem] = []
    probe = Crawler(crawler.context, url, "canary", canary, set())
    probe.page.goto(f"{url}/subscribe")
    probe.page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/none.png\">')")
    probe.axe(probe.page, "(canary)")
    probe.page.close()
    assert [p.kind for p in canary] == ["canary: axe image-alt"], canary


def _report(problems: list[Problem]) -> str:
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        grouped[problem.kind].append(problem)
    lines = [f"{len(problems)} problems:"]
    for kind, found in sorted(grouped.items()):
        lines.append(f"== {kind} ({len(found)})")
        lines.extend(f"   {p.url} (from {p.source}): {p.detail}" for p in found[:30])
    return "\n".join(lines)


@pytest.mark.timeout(900)  # four roles' crawls and every form: minutes, more on a shared machine
def test_every_reachable_page_and_form(web: Web, chromium: Any, sqlite_db: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    seeded = seed(web)
    problems: list[Problem] = []
    shapes: set[str] = set()
    crawlers: dict[str, Crawler] = {}
    people = {"visitor": None, "spokesperson": web.spokesperson, "approver": web.approver, "admin": web.admin}
    for role, person in people.items():
        crawlers[role] = Crawler(chromium.new_context(viewport=DESKTOP), web.url, role, problems, shapes)
        if person is not None:
            crawlers[role].sign_in(person.email, PASSWORD)
    # Taken once everyone is signed in: sessions are rows of the database, so each restore
    # brings back the sessions a form before ended (sign out, a role change, a deactivation).
    restore = _restorer(sqlite_db)
    for role, crawler in crawlers.items():
        # Each role meets the seeded state, as each form is sent on it: a page one role's visit
        # changed (an editor's lock taken) would show another role forms it will not find again.
        restore()
        starts = [f"{web.url}/press", f"{web.url}/"]
        if people[role] is None:
            _axe_sees(crawler, web.url)
            starts += seeded.mail_links
        crawler.crawl(starts)

    for role in ("admin", "visitor"):  # the admin meets every press page, the visitor the others
        crawler = crawlers[role]
        phone = chromium.new_context(viewport=PHONE, storage_state=crawler.context.storage_state())
        crawler.narrow(crawler.html_pages, phone)
        phone.close()

    forms: dict[tuple[str, ...], tuple[Crawler, FormSeen]] = {}
    for crawler in crawlers.values():
        for key, form in crawler.forms.items():
            forms.setdefault(key, (crawler, form))
    for crawler, form in forms.values():
        throwaway = chromium.new_context(viewport=DESKTOP, storage_state=crawler.context.storage_state())
        crawler.submit_form(form, throwaway, restore)
        throwaway.close()

    with capsys.disabled():  # the summary shows in every run, not only a failing one
        print()
        for crawler in crawlers.values():
            t = crawler.tally
            capped = ", ".join(f"{k} ×{n}" for k, n in sorted(t.capped.items())) or "none"
            print(f"crawl {crawler.role}: {t.pages} pages, {t.forms} forms, {t.axe_runs} axe runs, "
                  f"{t.markup_checks} pages parsed strictly, "
                  f"{t.seconds:.1f} s; left out by the cap: {capped}")
            crawler.context.close()

    # What the crawl must have reached, reported with the rest (a 5xx often explains a gap).
    musts = {"visitor": MUST_VISIT_VISITOR, "spokesperson": MUST_VISIT | {"/press/releases/{n}/edit"},
             "approver": MUST_VISIT | {"/press/releases/{n}/review"}, "admin": MUST_VISIT | {"/press/organisation", "/press/topics"}}
    for crawler in crawlers.values():
        visited = {pattern(url) for url in crawler.visited}
        problems.extend(Problem(f"{crawler.role}: not reached", wanted, "(coverage)", "no page of this pattern")
                        for wanted in sorted(musts[crawler.role] - visited))
    if "/press/organisation" in {pattern(url) for url in crawlers["spokesperson"].visited}:
        problems.append(Problem("spokesperson: reached", "/press/organisation", "(coverage)", "admins only"))
    submitted = {pattern(form.action) for _, form in forms.values()}
    problems.extend(Problem("form not submitted", wanted, "(coverage)", "no form with this action")
                    for wanted in sorted(MUST_SUBMIT) if not fnmatch.filter(submitted, wanted))
    assert not problems, _report(problems)


def test_the_strict_parse_flags_what_a_browser_would_silently_repair() -> None:
    """The markup check is not a formality: misnesting, a stray end tag, a duplicate attribute, a
    missing doctype and a repeated id are each reported; a clean page reports nothing."""
    clean = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p id="a">x</p></body></html>'
    assert markup_problems(clean) == []
    broken = ('<html><head><title>t</title></head><body><p id="a" id="b"><b>x</p></b></div>'
              '<span id="c"></span><span id="c"></span></body></html>')
    found = "\n".join(markup_problems(broken))
    for expected in ("expected-doctype-but-got-start-tag", "duplicate-attribute", "unexpected-end-tag",
                     "id 'c' is used 2 times"):
        assert expected in found, found
