"""Tracked links and their counts on both databases: the engine sends a release with the in-memory
transport, its links are read from the copies, and clicks are recorded as the redirect records
them (`reports.clicks.follow`); the served redirect itself is tested in tests/web/test_link_clicks.py."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.catalogue import WEB, lookup
from core.db import session_scope, utcnow
from core.outbox import OutboxEvent, handle_event
from core.settings import override_settings
from delivery.handlers import erase_deliveries
from delivery.models import Delivery, Distribution
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox
from reports.clicks import (
    BURST_SECONDS,
    Click,
    UnknownLink,
    agent_verdict,
    clicks_for_distribution,
    fold_clicks,
    follow,
    network_key,
    opens_for_distribution,
)
from reports.link_tables import ClickCount, ClickEvent, Link, LinkKind, RecipientClick, Verdict
from subscribers import forget
from subscribers.privacy_notice import privacy_notice, set_privacy_notice
from subscribers.tokens import link_token
from tests import factories
from tests.delivery.distribution_helpers import add_people, make_lists, prepare, publish_release
from tests.reports.tracked import TRACKED, destination
from workflow import service

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
AMPERSANDS = "https://example.org/zoek?q=a&b=c&lang=nl#r%C3%A9sultaten"
WITH_DOT = "https://example.org/verslag"


@pytest.fixture(autouse=True)
def _forget_recent_clicks() -> None:
    from core.broker import redis_client

    client = redis_client()
    keys = list(client.scan_iter("pressroom:clicks:burst:*"))
    if keys:
        client.delete(*keys)


def _send(french: int = 0, **content: object) -> tuple[int, int, list[EmailMessage]]:
    make_lists()
    add_people(2, ("journalists",), prefix="press")
    add_people(french, ("journalists",), prefix="fr", language="fr")
    release_id = publish_release(lists=["journalists"], **content)
    distribution_id = prepare(release_id)
    outbox = Outbox()
    while send_batch(distribution_id, MemoryTransport(outbox)).claimed:
        pass
    mails = [message_from_bytes(m.message, policy=policy.default) for m in outbox.messages]
    return release_id, distribution_id, mails  # type: ignore[return-value]


def _bodies(mail: EmailMessage) -> tuple[str, str]:
    return (mail.get_body(("html",)).get_content(),  # type: ignore[union-attr]
            mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def _click(token: str, ip: str = "198.51.100.7", agent: str = BROWSER, method: str = "GET",
           query: str = "", at: datetime | None = None) -> str:
    with session_scope() as s:
        return follow(s, token, LinkKind.CLICK, Click(method, agent, ip, query=query), at)


def _token(url: str) -> str:
    match = TRACKED.fullmatch(url)
    assert match is not None, url
    return match.group(1)


def test_links_are_rewritten_once_per_language_with_their_urls_kept_exactly(db: str) -> None:
    body = (f"Zie [de zoekresultaten]({AMPERSANDS}), of {WITH_DOT}. "
            "Bel [ons](tel:+3225018111) of [mail](mailto:pers@example.be).")
    translations = {"nl": {"title": "Titel", "lead": "Lead.", "body": body,
                           "links": [{"label": "Het <volledige> verslag", "url": WITH_DOT}]}}
    release_id, distribution_id, mails = _send(translations=translations)
    assert len(mails) == 2
    html_part, text_part = _bodies(mails[0])
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', html_part)]
    assert "mailto:pers@example.be" in hrefs and not any("tel:" in h for h in hrefs)  # tel: is never a link
    tracked = [h for h in hrefs if "/r/" in h]
    assert {destination(h) for h in tracked} >= {AMPERSANDS, WITH_DOT}
    assert AMPERSANDS not in hrefs and WITH_DOT not in hrefs
    # The text part's links are the same links (the sentence's full stop stays outside the URL).
    assert {destination(m.group(0)) for m in TRACKED.finditer(text_part)} == {destination(h) for h in tracked}
    assert re.search(r"/r/[A-Za-z0-9._-]+\. Bel", text_part), "the full stop after a URL is kept"
    # A mail program that takes the full stop (or a bracket) into the link still gets there.
    dotted = re.search(r"/r/([A-Za-z0-9._-]+\.) Bel", text_part)
    assert dotted is not None and _click(dotted.group(1)) == WITH_DOT
    assert _click(dotted.group(1)[:-1] + ").") == WITH_DOT
    with session_scope() as s:
        links = s.execute(select(Link).where(Link.distribution_id == distribution_id)).scalars().all()
    # Each URL once per language, numbered in the order the mail shows them, with its words.
    assert len({link.url for link in links}) == len(links)
    by_url = {link.url: link for link in links}
    assert by_url[WITH_DOT].label == "Het <volledige> verslag"
    assert by_url[AMPERSANDS].label == "de zoekresultaten"
    assert sorted(link.position for link in links) == list(range(1, len(links) + 1))
    assert all(link.kind == LinkKind.CLICK and link.language == "nl" for link in links)
    # Both copies carry the same tokens.
    assert sorted(tracked) == sorted(h for h in (html.unescape(x) for x in re.findall(
        r'href="([^"]*)"', _bodies(mails[1])[0])) if "/r/" in h)
    # A click leads to the stored URL, byte for byte.
    assert _click(_token(next(h for h in tracked if destination(h) == AMPERSANDS))) == AMPERSANDS
    assert release_id


def test_under_embargo_the_recipients_access_query_is_handed_on(db: str) -> None:
    lift = utcnow() + timedelta(hours=1)
    release_id, distribution_id, mails = _send(embargo_until=lift)
    assert len(mails) == 2
    _, text_part = _bodies(mails[0])
    other = next(m for m in TRACKED.finditer(text_part) if m.group(2) and destination(m.group(0)).endswith("/fr?" + m.group(2)))
    assert other.group(2).startswith("access=")
    where = _click(other.group(1), query=other.group(2))
    assert where.endswith(f"/releases/{release_id}/fr?{other.group(2)}")
    # Only to a link the mail itself followed with the access query, and only an access query.
    assert _click(other.group(1), query="next=https://evil.example") == where.split("?")[0]
    assert _click(other.group(1), query="access=a/b") == where.split("?")[0]
    assert distribution_id


def test_counts_per_link_and_language_people_and_machines_apart(db: str) -> None:
    translations = {
        "nl": {"title": "Titel", "body": f"[Verslag]({WITH_DOT})"},
        "fr": {"title": "Titre", "body": f"[Rapport]({WITH_DOT})"},
    }
    _, distribution_id, _ = _send(french=1, translations=translations)
    with session_scope() as s:
        links = {(link.language, link.url): link.id or 0
                 for link in s.execute(select(Link).where(Link.url == WITH_DOT)).scalars()}
    nl, fr = link_token(links[("nl", WITH_DOT)]), link_token(links[("fr", WITH_DOT)])
    _click(nl, "198.51.100.1")
    _click(nl, "203.0.113.1")
    _click(fr, "2001:db8:1::1")
    _click(nl, "192.0.2.1", method="HEAD")
    _click(fr, "192.0.3.1", agent="")
    _click(fr, "192.0.4.1", agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    with session_scope() as s:
        counts = {(row.language, row.url): (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}
        kinds = sorted(s.execute(select(ClickEvent.kind)).scalars())
    assert counts[("nl", WITH_DOT)] == (2, 1) and counts[("fr", WITH_DOT)] == (1, 2)
    assert kinds == sorted([Verdict.HUMAN] * 3 + [Verdict.HEAD, Verdict.AGENT, Verdict.AGENT])


def test_a_burst_from_one_network_is_a_scanner_and_the_key_expires(db: str) -> None:
    _, distribution_id, _ = _send(translations={"nl": {"title": "T", "body": f"[a]({WITH_DOT}) [b]({AMPERSANDS})"}})
    with session_scope() as s:
        ids = {link.url: link.id or 0 for link in s.execute(select(Link)).scalars()}
    first, second = link_token(ids[WITH_DOT]), link_token(ids[AMPERSANDS])
    _click(first, "192.0.2.10")
    _click(first, "192.0.2.11")  # the same link twice: a person may click twice
    with session_scope() as s:
        assert {row.url: (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}[WITH_DOT] == (2, 0)
    _click(second, "192.0.2.12")  # a second link of the mailing from the same /24: a scan, all three
    with session_scope() as s:
        counts = {row.url: (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}
    assert counts[WITH_DOT] == (0, 2) and counts[AMPERSANDS] == (0, 1)
    # The key holds only a keyed hash of the network, and only for BURST_SECONDS.
    from core.broker import redis_client

    key = network_key(distribution_id, "192.0.2.200")
    assert key and "192.0.2" not in key and network_key(distribution_id, "192.0.2.1") == key
    assert network_key(distribution_id, "192.0.3.1") != key
    assert network_key(distribution_id, "2001:db8:5:1::1") == network_key(distribution_id, "2001:db8:5:ffff::2")
    assert network_key(distribution_id, "::ffff:192.0.2.9") == key  # IPv4 as IPv6 is the same network
    ttl = redis_client().ttl(key)
    assert 0 < ttl <= BURST_SECONDS


def test_forged_tokens_and_wrong_kinds_are_unknown(db: str) -> None:
    override_settings(track_opens=True)
    _, distribution_id, mails = _send()
    html_part, _ = _bodies(mails[0])
    pixel = re.search(r'<img src="[^"]*/o/([^"]+)" width="1" height="1" alt=""', html_part)
    assert pixel is not None
    token = pixel.group(1)
    with session_scope() as s:
        with pytest.raises(UnknownLink):  # an open pixel is no link to follow
            follow(s, token, LinkKind.CLICK, Click("GET", BROWSER, "198.51.100.7"))
        follow(s, token, LinkKind.OPEN, Click("GET", BROWSER, "198.51.100.7"))
        follow(s, token, LinkKind.OPEN, Click("GET", "", "203.0.113.7"))
    for forged in (token[:-2], token + "x", "1.AAAAAAAAAAAAAAAAAAAAAA", link_token(99999), "", "💥"):
        with session_scope() as s, pytest.raises(UnknownLink):
            follow(s, forged, LinkKind.OPEN, Click("GET", BROWSER, "198.51.100.8"))
    with session_scope() as s:
        assert [(o.language, o.human, o.bot) for o in opens_for_distribution(s, distribution_id)] == [("nl", 1, 1)]
        assert s.execute(select(func.count()).select_from(ClickEvent)).scalar() == 2


def test_fold_clicks_moves_old_events_into_daily_counts_and_deletes_them(db: str) -> None:
    _, distribution_id, _ = _send(translations={"nl": {"title": "T", "body": f"[a]({WITH_DOT})"}})
    with session_scope() as s:
        link_id = s.execute(select(Link.id).where(Link.url == WITH_DOT)).scalar_one()
    token = link_token(link_id)
    day1 = datetime(2026, 9, 1, 23, 59, 59, tzinfo=UTC)
    day2 = datetime(2026, 9, 2, 0, 0, 1, tzinfo=UTC)
    for moment, ip, agent in ((day1, "10.0.1.1", BROWSER), (day1, "10.0.2.1", BROWSER), (day1, "10.0.3.1", ""),
                              (day2, "10.0.4.1", BROWSER)):
        _click(token, ip, agent, at=moment)
    time.sleep(0.01)
    _click(token, "10.0.5.1")  # today's: stays raw
    with session_scope() as s:
        before = {row.url: (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}
        assert fold_clicks(s, datetime(2026, 10, 1, tzinfo=UTC)) == 4
    with session_scope() as s:
        assert fold_clicks(s, datetime(2026, 10, 1, tzinfo=UTC)) == 0  # twice folds nothing twice
        days = sorted((c.day.isoformat(), c.bot, c.count) for c in s.execute(select(ClickCount)).scalars())
        raw = s.execute(select(func.count()).select_from(ClickEvent)).scalar()
        after = {row.url: (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}
    assert days == [("2026-09-01", False, 2), ("2026-09-01", True, 1), ("2026-09-02", False, 1)]
    assert raw == 1
    assert after == before and after[WITH_DOT] == (4, 1)
    # Folding again later adds to the day's count.
    _click(token, "10.0.6.1", at=datetime(2026, 9, 2, 12, tzinfo=UTC))
    with session_scope() as s:
        assert fold_clicks(s, datetime(2026, 10, 1, tzinfo=UTC)) == 1
        assert s.get(ClickCount, (link_id, datetime(2026, 9, 2).date(), False)).count == 2  # type: ignore[union-attr]


def test_per_recipient_clicks_are_folded_away_and_erased_with_the_person(db: str) -> None:
    override_settings(tracking="per_recipient")
    _, distribution_id, mails = _send(translations={"nl": {"title": "T", "body": f"[a]({WITH_DOT})"}})
    html_part, _ = _bodies(mails[0])
    url = next(html.unescape(h) for h in re.findall(r'href="([^"]*/r/[^"]*)"', html_part)
               if destination(html.unescape(h)) == WITH_DOT)
    token, recipient = url.split("/r/", 1)[1].split("/")
    with session_scope() as s:
        follow(s, token, LinkKind.CLICK, Click("GET", BROWSER, "10.1.0.1", recipient=recipient),
               utcnow() + timedelta(seconds=BURST_SECONDS + 1))
        follow(s, token, LinkKind.CLICK, Click("GET", BROWSER, "10.2.0.1", recipient=recipient),
               datetime(2026, 9, 1, tzinfo=UTC))
    with session_scope() as s:
        rows = s.execute(select(RecipientClick)).scalars().all()
        assert len(rows) == 2 and not any(row.bot for row in rows)
        fold_clicks(s, datetime(2026, 10, 1, tzinfo=UTC))
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(RecipientClick)).scalar() == 1
        email = s.execute(select(Delivery.email).where(Delivery.id == rows[0].delivery_id)).scalar_one()
        forget(s, email)
        event_id = s.execute(select(OutboxEvent.id).where(OutboxEvent.name == "subscriber.erased")).scalar_one()
    handle_event(event_id, {"subscriber.erased": [erase_deliveries]})
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(RecipientClick)).scalar() == 0
        # The aggregate counts stay (one folded, one raw): they name nobody.
        assert {row.url: row.human for row in clicks_for_distribution(s, distribution_id)}[WITH_DOT] == 2


def test_pictures_load_directly_and_their_links_and_documents_are_tracked(sqlite_db: str) -> None:
    """A release with a lead image, a gallery and two documents, compiled as its mailing compiles
    it and tracked: every picture still loads from the newsroom (its src is no link), while the
    gallery's links, the documents and the text part's picture URLs go through the redirect and
    lead, with the recipient's access query, exactly where they led before."""
    from delivery.compose import organisation_sender, release_input, release_url
    from media.urls import ORIGINAL, media_url
    from reports.links import track
    from templates import Personalisation, Renderer, release_template
    from tests.delivery.media_mail import NOW, media_release
    from tests.templates.htmlcheck import read_html
    from workflow import service

    release_id = media_release()
    with session_scope() as s:
        data = release_input(s, service.get_release(s, release_id), now=NOW)
        sender = organisation_sender(s, "nl")
        distribution = Distribution(key=f"release:{release_id}", kind="release", release_id=release_id)
        s.add(distribution)
        s.flush()
        compiled = Renderer().compile(release_template(data.kind), "nl", data, sender, now=NOW)
        tracked = track(s, compiled, distribution.id or 0, release_url(release_id, "nl"))
    access = "?access=" + "a1.b2.c3"
    before = compiled.personalise(Personalisation("jan@example.org", access_query=access))
    after = tracked.compiled.personalise(Personalisation("jan@example.org", access_query=access,
                                                         view_online_url=tracked.view_online + access))
    old, new = read_html(before.html), read_html(after.html)
    assert [image["src"] for image in new.images] == [image["src"] for image in old.images]
    assert all("/r/" not in str(image["src"]) for image in new.images)
    pdf = media_url(release_id, _sha_of(release_id, "verslag-commissie.pdf"), ORIGINAL) + access
    assert pdf in old.hrefs and pdf not in new.hrefs
    followed_hrefs = [destination(h) if "/r/" in h else h for h in new.hrefs]
    # Link for link, in the same order, the same destinations (the first is "view online").
    assert followed_hrefs[1:] == old.hrefs[1:]
    assert destination(new.hrefs[0]) == release_url(release_id, "nl") + access
    assert pdf in followed_hrefs
    text_urls = [destination(m.group(0)) for m in TRACKED.finditer(after.text)]
    assert pdf in text_urls and any(url.endswith("/mail-1200.jpg" + access) for url in text_urls)


def _sha_of(release_id: int, filename: str) -> str:
    from media.models import MediaFile

    with session_scope() as s:
        return str(s.execute(select(MediaFile.sha256).where(MediaFile.filename == filename)).scalar_one())


@pytest.mark.parametrize("agent", [
    "", "   ", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "SomeCrawler/1.0",
    "Mozilla/5.0 (compatible; spider)", "Mozilla/5.0 (compatible; BingPreview/1.0b)", "LinkScanner 3",
    "Microsoft-SafeLinks", "Microsoft Defender for Office 365", "Barracuda Sentinel", "Proofpoint URL Defense",
    "Mimecast-Protect", "Symantec Email Security", "MessageLabs", "Trend Micro Email Security", "Forcepoint",
    "Cisco Secure Email", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0", "python-requests/2.32",
    "curl/8.5.0", "Wget/1.21", "Go-http-client/1.1", "Java/17.0.2", "okhttp/4.12", "libwww-perl/6.72",
])
def test_scanner_user_agents_are_machines(agent: str) -> None:
    assert agent_verdict("GET", agent) is Verdict.AGENT


@pytest.mark.parametrize("agent", [
    BROWSER, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)",  # a person in Outlook
])
def test_browsers_and_mail_programs_are_people_and_head_is_not(agent: str) -> None:
    assert agent_verdict("GET", agent) is Verdict.HUMAN
    assert agent_verdict("HEAD", agent) is Verdict.HEAD


def test_without_redis_the_burst_rule_is_skipped_with_a_warning(db: str, caplog: pytest.LogCaptureFixture) -> None:
    _, distribution_id, _ = _send(translations={"nl": {"title": "T", "body": f"[a]({WITH_DOT}) [b]({AMPERSANDS})"}})
    with session_scope() as s:
        ids = {link.url: link.id or 0 for link in s.execute(select(Link)).scalars()}
    override_settings(broker_url="redis://127.0.0.1:1/0")  # nothing listens there
    with caplog.at_level("WARNING", logger="reports.clicks"):
        assert _click(link_token(ids[WITH_DOT]), "192.0.2.1") == WITH_DOT
        assert _click(link_token(ids[AMPERSANDS]), "192.0.2.2") == AMPERSANDS
    assert "the burst rule of link clicks is skipped" in caplog.text
    with session_scope() as s:
        counts = {row.url: (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}
    assert counts[WITH_DOT] == (1, 0) and counts[AMPERSANDS] == (1, 0)


def test_a_withdrawn_releases_links_still_lead_where_the_approved_revision_pointed(db: str) -> None:
    release_id, distribution_id, _ = _send(translations={"nl": {"title": "T", "body": f"[a]({WITH_DOT})"}})
    with session_scope() as s:
        approver = factories.user(s, "approver")
        service.withdraw(s, release_id, approver, "verkeerde cijfers")
        link_id = s.execute(select(Link.id).where(Link.url == WITH_DOT)).scalar_one()
    assert _click(link_token(link_id)) == WITH_DOT
    with session_scope() as s:
        assert {row.url: row.human for row in clicks_for_distribution(s, distribution_id)}[WITH_DOT] == 1


def test_the_privacy_notice_states_per_recipient_tracking_whatever_the_office_wrote(db: str) -> None:
    override_settings(tracking="per_recipient")
    with session_scope() as s:
        set_privacy_notice(s, "fr", "Nous gardons votre adresse.", "admin@example.be")
    with session_scope() as s:
        written = privacy_notice(s, "fr", "SPF")
        default = privacy_notice(s, "de", "FÖD")
    assert written.paragraphs == ["Nous gardons votre adresse."]
    for notice, language in ((written, "fr"), (default, "de")):
        assert notice.tracking == [lookup(WEB, "privacy_clicks_per_recipient", language)]
    override_settings(tracking="aggregate", track_opens=True)
    with session_scope() as s:
        assert privacy_notice(s, "fr", "SPF").tracking == [lookup(WEB, "privacy_clicks_aggregate", "fr"),
                                                          lookup(WEB, "privacy_opens_counted", "fr")]


def test_previews_and_test_mails_show_the_original_links(db: str) -> None:
    """Only a mailing's copies are tracked: the press UI's preview, `pressroom preview` and the
    test mails (all `delivery.preview`) show where the links really go, and count nothing."""
    from delivery.preview import preview_release

    release_id, _, mails = _send(translations={"nl": {"title": "T", "body": f"[a]({WITH_DOT})"}})
    assert WITH_DOT not in _bodies(mails[0])[0]
    with session_scope() as s:
        copy = preview_release(s, release_id, "nl")
    assert f'href="{WITH_DOT}"' in copy.rendered.html and WITH_DOT in copy.rendered.text
    assert "/r/" not in copy.rendered.html and "/r/" not in copy.rendered.text


def test_a_tracked_copy_still_scores_below_one_with_spamassassin(sqlite_db: str, tmp_path: Path) -> None:
    """The redirect's links (one host, short signed paths) cost no spam score: the copy a
    subscriber gets, pictures, gallery, documents and all, under and after the embargo."""
    from delivery.compose import organisation_sender, release_input, release_url, reply_to_for
    from delivery.message import Recipient, identity_for, prepare
    from reports.links import track
    from subscribers.tokens import access_token
    from templates import Renderer, release_template
    from tests.delivery.media_mail import NOW, SITE, media_release
    from tests.delivery.test_spam_score import LIMIT, spam_report
    from workflow import service

    release_id = media_release()
    with session_scope() as s:
        data = release_input(s, service.get_release(s, release_id), now=NOW)
        sender = organisation_sender(s, "nl")
        distribution = Distribution(key=f"release:{release_id}", kind="release", release_id=release_id)
        s.add(distribution)
        s.flush()
        distribution_id = distribution.id or 0
    for when in (NOW, NOW + timedelta(days=1)):
        compiled = Renderer().compile(release_template(data.kind), "nl", data, sender, now=when)
        with session_scope() as s:
            tracked = track(s, compiled, distribution_id, release_url(release_id, "nl"))
        access = "?access=" + access_token(release_id, 7, "ab" * 32) if when == NOW else ""
        recipient = Recipient(
            email="jan@example.org", name="Jan Janssens", unsubscribe_url=f"{SITE}/subscriptions/unsubscribe/tok",
            unsubscribe_mailto="mailto:u@diplomatie.example.be", preferences_url=f"{SITE}/subscriptions/preferences/tok",
            view_online_url=tracked.view_online + access, access_query=access, list_slug="journalists")
        message = prepare(tracked.compiled, identity_for(sender), reply_to=reply_to_for(data)).build(recipient)
        assert b"/r/" in message
        score, rules = spam_report(message, tmp_path)
        assert score < LIMIT, (when, score, rules)
