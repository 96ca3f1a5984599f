"""A press office with something in every corner, for the crawl: releases in every state (and
published ones whose mailing is sending, paused, done, cancelled or failed; embargoed ones),
lists with subscribers, a press contact, a release with a photo, a gallery and a PDF (the
embargoed one too), and the links a subscriber's mails carry.

Everything goes through the domain functions the app itself calls, so the pages show what they
would show in production; no worker runs, so nothing changes behind the crawl's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import update
from sqlmodel import col, select

from core.db import session_scope, utcnow
from core.settings import get_settings
from delivery import engine
from delivery.models import Delivery, DeliveryStatus, DistributionStatus
from media import library
from media.models import MediaStatus
from media.processing import process
from subscribers import add_subscriber, create_list, tokens
from subscribers.models import MailingList, Subscriber, Subscription
from subscribers.preferences import preferences_link
from tests import factories
from tests.delivery.distribution_helpers import prepare
from tests.media import files
from tests.web.conftest import Web
from workflow import service
from workflow.models import User
from workflow.topics import set_topic
from workflow.users import save_contact


@dataclass
class Seeded:
    """Ids the crawl reports by, and the links a subscriber finds in her mail (a visitor's start
    pages: no page of the site links to them)."""

    releases: dict[str, int] = field(default_factory=dict)
    mail_links: list[str] = field(default_factory=list)


def _lists() -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", "Persberichten voor journalisten", default_language="nl",
                    visibility="private", receives_embargoed=True)
        create_list(s, "diplomats", "Diplomates", "Pour les postes", default_language="fr")
        create_list(s, "public", "Public", "Everyone who asked", default_language="en")
        for i in range(6):
            add_subscriber(s, f"j{i}@krant.example", "journalists", name=f"Journalist {i}", language="nl",
                           confirmed=True)
            add_subscriber(s, f"d{i}@poste.example", "diplomats", name=f"Poste {i}", language="fr",
                           confirmed=i % 2 == 0)
        add_subscriber(s, "citizen@mail.example", "public", name="Citizen", language="en", confirmed=True)


def _user(s: Any, person_id: int) -> User:
    user = s.get(User, person_id)
    assert user is not None
    return user


def _release(web: Web, title: str, steps: list[str], **content: Any) -> int:
    """A release by the spokesperson taken through `steps` (submit, approve, changes, publish,
    schedule, withdraw, archive) by the approver."""
    translations = {
        "nl": {"title": title, "lead": "Een werkbezoek.", "body": f"{title}.\n\nDe minister reist af.",
               "links": [{"label": "Programma", "url": "https://diplomatie.example.be/programma"}]},
        "fr": {"title": f"{title} (fr)", "lead": "Une visite.", "body": "Le ministre se rend."},
    }
    content.setdefault("translations", translations)
    corrected_by = content.pop("corrected_by", None)  # the release a withdrawn one links to
    with session_scope() as s:
        author, approver = _user(s, web.spokesperson.id), _user(s, web.approver.id)
        release_id = factories.release(s, author, **content).id or 0
        for step in steps:
            if step == "submit":
                service.submit(s, release_id, author)
            elif step == "approve":
                service.approve(s, release_id, approver, comment="Akkoord")
            elif step == "changes":
                service.request_changes(s, release_id, approver, "Vermeld de datum van terugkeer.")
            elif step == "publish":
                service.publish(s, release_id, approver)
            elif step == "schedule":
                service.publish(s, release_id, approver, at=utcnow() + timedelta(days=2))
            elif step == "withdraw":
                service.withdraw(s, release_id, approver, "Fout in de datum", notify=False, publish_reason=True,
                                 corrected_by=corrected_by)
            elif step == "archive":
                service.archive(s, release_id, author)
            else:
                raise ValueError(step)
    return release_id


def _media() -> list[dict[str, Any]]:
    """A lead photo, a gallery picture and a PDF, uploaded and processed as the worker would."""
    uploads = [(files.jpeg_with_gps(1600, 1000), "minister.jpg"), (files.png(900, 600), "plein.png"),
               (files.pdf(3), "jaarverslag.pdf")]
    hashes = []
    for data, name in uploads:
        with session_scope() as s:
            media = library.upload(s, data, name, None)
            media_id = media.id or 0
            hashes.append(media.sha256)
        assert process(media_id) is MediaStatus.READY
    lead, square, report = hashes
    return [
        {"sha256": lead, "role": "lead", "filename": "minister.jpg",
         "texts": {"nl": {"alt": "De minister op het bordes", "caption": "Aankomst in Kinshasa.", "credit": "Jan Peeters"},
                   "fr": {"alt": "Le ministre sur le perron"}}},
        {"sha256": square, "role": "gallery", "filename": "plein.png",
         "texts": {"nl": {"alt": "Het plein vol mensen", "credit": "Belga"}, "fr": {"alt": "La place pleine de monde"}}},
        {"sha256": report, "role": "document", "filename": "jaarverslag.pdf",
         "texts": {"nl": {"title": "Jaarverslag 2026"}, "fr": {"title": "Rapport annuel 2026"}}},
    ]


def _distribution(release_id: int) -> int:
    """Prepare the release's mailing as the worker's event handlers would; it is then sending."""
    return prepare(release_id)


def _deliver_some(distribution_id: int, sent: int, failed: int = 0) -> None:
    """Mark deliveries as a worker would have left them: `sent` sent, `failed` failed."""
    with session_scope() as s:
        ids = list(s.exec(select(Delivery.id).where(Delivery.distribution_id == distribution_id)
                          .order_by(col(Delivery.id))).all())
        for status, chosen in ((DeliveryStatus.SENT, ids[:sent]), (DeliveryStatus.FAILED, ids[sent:sent + failed])):
            if chosen:
                s.execute(update(Delivery).where(col(Delivery.id).in_(chosen))
                          .values(status=status, attempts=1, last_error="550 5.1.1 unknown user"
                                  if status == DeliveryStatus.FAILED else ""))


def seed(web: Web) -> Seeded:
    """The whole office; returns the release ids by name and the mail links."""
    seeded = Seeded()
    _lists()
    with session_scope() as s:
        spokesperson = save_contact(s, None, {"email": "woordvoerder@diplomatie.example.be", "name": "Wim Woordvoerder",
                                              "function": {"nl": "Woordvoerder", "fr": "Porte-parole"},
                                              "phone": "+32 2 501 81 11"})
        contact_id = spokesperson.id or 0
        set_topic(s, None, "africa", {"nl": "Afrika", "fr": "Afrique", "en": "Africa", "de": "Afrika"},
                  {"nl": "Betrekkingen met Afrikaanse landen.", "fr": "Relations avec les pays africains."})
    mailed = {"lists": ["journalists", "diplomats"]}
    r = seeded.releases
    r["draft"] = _release(web, "Klad", [])
    r["in_review"] = _release(web, "Ter nazicht", ["submit"], **mailed)
    r["changes_requested"] = _release(web, "Aan te passen", ["submit", "changes"])
    r["approved"] = _release(web, "Goedgekeurd", ["submit", "approve"], **mailed)
    r["scheduled"] = _release(web, "Gepland", ["submit", "approve", "schedule"], **mailed)
    r["archived"] = _release(web, "Gearchiveerd", ["archive"])
    r["embargoed_scheduled"] = _release(web, "Gepland onder embargo", ["submit", "approve", "schedule"],
                                        embargo_until=utcnow() + timedelta(days=3), **mailed)
    r["web_only"] = _release(web, "Enkel op het web", ["submit", "approve", "publish"], contacts=[contact_id])
    for status in ("sending", "paused", "done", "cancelled"):
        r[f"mailing_{status}"] = _release(web, f"Verzending {status}", ["submit", "approve", "publish"], **mailed)
    media = _media()
    r["with_media"] = _release(web, "Met foto's en jaarverslag", ["submit", "approve", "publish"], media=media)
    r["embargoed"] = _release(web, "Onder embargo", ["submit", "approve", "publish"],
                              embargo_until=utcnow() + timedelta(days=1), media=media, **mailed)
    r["withdrawn"] = _release(web, "Ingetrokken", ["submit", "approve", "publish", "withdraw"],
                              corrected_by=r["web_only"])
    r["failed"] = _release(web, "Lijst verdwenen", ["submit", "approve", "publish"], lists=["public"])
    distributions = {name: _distribution(r[name]) for name in
                     ("mailing_sending", "mailing_paused", "mailing_done", "mailing_cancelled", "embargoed")}
    _deliver_some(distributions["mailing_sending"], sent=3, failed=1)
    _deliver_some(distributions["mailing_paused"], sent=2)
    engine.control(distributions["mailing_paused"], "pause")
    _deliver_some(distributions["mailing_done"], sent=9, failed=0)
    engine.finish_if_complete(distributions["mailing_done"])
    _deliver_some(distributions["mailing_cancelled"], sent=1)
    engine.control(distributions["mailing_cancelled"], "cancel")
    with session_scope() as s:  # the list of the last one went before its mailing was prepared
        s.execute(update(MailingList).where(col(MailingList.slug) == "public").values(slug="public-old"))
    _distribution(r["failed"])
    seeded.mail_links = _mail_links(r["embargoed"])
    with session_scope() as s:  # newsroom readers of the web-only release: its readership tables
        from reports.readership import record_view

        for language, bot, host in (("nl", False, "www.standaard.be"), ("fr", False, ""), ("nl", True, "")):
            record_view(s, r["web_only"], language, utcnow().date(), bot=bot, first_visit=True, referrer=host)
    assert engine.distribution_status(distributions["mailing_done"]) == DistributionStatus.DONE
    return seeded


def _mail_links(embargoed_id: int) -> list[str]:
    """What a subscriber's mails link to: a confirmation (of a pending subscription), her
    preferences, an unsubscribe question and an embargoed release she received."""
    with session_scope() as s:
        subscriber = s.exec(select(Subscriber).where(Subscriber.email == "j0@krant.example")).one()
        pending = s.exec(select(Subscription).join(Subscriber, col(Subscriber.id) == col(Subscription.subscriber_id))
                         .where(Subscriber.email == "d1@poste.example")).one()
        if not pending.confirm_nonce:
            pending.confirm_nonce = "crawl-nonce"
            s.add(pending)
        journalists = s.exec(select(MailingList.id).where(MailingList.slug == "journalists")).one() or 0
        token = tokens.access_token(embargoed_id, subscriber.id or 0, subscriber.email_hash)
        base = get_settings().base_url.rstrip("/")
        return [
            tokens.confirm_url(tokens.confirm_token(pending.id or 0, pending.confirm_nonce or "")),
            preferences_link(subscriber),
            tokens.unsubscribe_url(tokens.unsubscribe_token(subscriber.id or 0, journalists, subscriber.email_hash)),
            f"{base}/releases/{embargoed_id}/nl?access={quote(token, safe='')}",
        ]
