"""Benchmark: compile once and personalise per recipient, against rendering per recipient.

    python3 dev.py shell python bench/render.py [--recipients 20000] [--naive 300] [--language nl]

Prints the MJML compile time, the per-recipient personalisation time, the time to personalise and
assemble one complete MIME message, messages per second, and the same loop done naively (a full
Jinja + MJML render per recipient, then the same assembly), measured in the same run, with the
ratio between the two. The goal is one complete message in under 100 µs.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

from delivery.message import MailIdentity, Recipient, prepare
from templates import (
    ContactCard,
    LinkItem,
    ReleaseInput,
    ReleaseText,
    Renderer,
    Sender,
)

GOAL_MICROSECONDS = 100.0
SITE = "https://diplomatie.example.be"
BODY = """Het ministerie publiceert vandaag zijn jaarverslag over 2025. Het verslag beschrijft hoe
het diplomatieke netwerk van 122 posten burgers, bedrijven en partners heeft bijgestaan.

## Kerncijfers

- 41.200 consulaire dossiers, een stijging van 12 procent;
- 3 evacuatieoperaties, waarbij 1.340 landgenoten veilig thuiskwamen;
- 18 economische missies, samen met de gewesten.

"Achter elk cijfer staat een mens die op ons rekende," zegt de secretaris-generaal.
Het volledige verslag staat op [onze website](https://diplomatie.example.be/jaarverslag).

## Crisisbijstand

""" + "\n\n".join(
    f"Paragraaf {n}: het crisiscentrum volgde {n * 7} situaties op en stuurde {n} teams uit, "
    "in nauwe samenwerking met de ambassades en de consulaten ter plaatse." for n in range(1, 9)
)


def release() -> ReleaseInput:
    texts = tuple(
        ReleaseText(
            language=language,
            title=f"Jaarverslag 2025 — diplomatie in een veranderende wereld ({language})",
            lead="Het ministerie legt verantwoording af over een jaar van crisisbijstand en handelsmissies.",
            body=BODY,
            links=(LinkItem("Download het volledige jaarverslag (pdf)", f"{SITE}/jaarverslag-2025.pdf"),),
            url=f"{SITE}/releases/7/{language}",
        )
        for language in ("nl", "fr", "en", "de")
    )
    contacts = (
        ContactCard("Anouk Peeters", "anouk.peeters@diplomatie.example.be",
                    (("fr", "Porte-parole"), ("nl", "Woordvoerder")), "+32 2 501 81 11", "+32 477 12 34 56"),
        ContactCard("Luc Dubois", "luc.dubois@diplomatie.example.be", (("nl", "Persattaché"),), "+32 2 501 81 12"),
    )
    return ReleaseInput(
        key="r7.3", kind="annual_report", default_language="nl", texts=texts,
        dateline=datetime(2026, 4, 20, 9, 5, tzinfo=UTC), contacts=contacts,
    )


SENDER = Sender(
    "FOD Buitenlandse Zaken — SPF Affaires étrangères", "Karmelietenstraat 15, 1000 Brussel", SITE,
    "pers@diplomatie.example.be", f"{SITE}/static/logo.png",
)
IDENTITY = MailIdentity(SENDER.name, SENDER.email, "diplomatie.example.be")
DATE = datetime(2026, 4, 20, 9, 30, tzinfo=UTC)


def recipients(count: int) -> list[Recipient]:
    names = ["Jan Janssens", "Marie Dupont", "Jörg Müller", "Ελένη Παπαδοπούλου", "", "Sophie Martin"]
    return [
        Recipient(
            email=f"subscriber{n}@example.org",
            name=names[n % len(names)],
            unsubscribe_url=f"{SITE}/u/{n:08d}.Zm9vYmFyYmF6cXV4",
            unsubscribe_mailto=f"mailto:unsubscribe@diplomatie.example.be?subject=u%20{n:08d}",
            preferences_url=f"{SITE}/p/{n:08d}.Zm9vYmFyYmF6cXV4",
            list_slug="journalists",
        )
        for n in range(count)
    ]


def consume(items: Iterable[object]) -> None:
    """Run a generator to its end, keeping nothing (as a sender hands each message on)."""
    for _ in items:
        pass


def per_item(run: Callable[[], object], items: int) -> float:
    """Seconds per item of one loop over `items` items, best of three runs."""
    gc.collect()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        run()
        best = min(best, (time.perf_counter() - started) / items)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=20_000, help="recipients of the fast loop")
    parser.add_argument("--naive", type=int, default=300, help="recipients of the naive loop")
    parser.add_argument("--language", default="nl")
    args = parser.parse_args()
    data, template, language = release(), "annual_report", args.language
    renderer = Renderer()
    people = recipients(args.recipients)
    personal = [person.personalisation() for person in people]

    # 1. Compile: Jinja fills the MJML and text templates, MRML compiles the MJML.
    cold = renderer.compile(template, language, data, SENDER, use_cache=False)
    compiles = [renderer.compile(template, language, data, SENDER, use_cache=False) for _ in range(30)]
    compile_times = [c.compile_seconds for c in compiles]
    mjml_times = [c.mjml_seconds for c in compiles]
    compiled = renderer.compile(template, language, data, SENDER)
    hit = per_item(lambda: consume(renderer.compile(template, language, data, SENDER) for _ in range(2000)), 2000)

    # 2. Personalise only: fill name, address and URLs into the compiled HTML and text.
    personalise = per_item(lambda: consume(compiled.personalise(p) for p in personal), len(personal))

    # 3. Personalise and assemble complete MIME messages.
    prepared_at = time.perf_counter()
    prepared = prepare(compiled, IDENTITY, reply_to=("Anouk Peeters", "anouk.peeters@diplomatie.example.be"))
    prepare_seconds = time.perf_counter() - prepared_at
    sizes = [len(prepared.build(person, date=DATE)) for person in people[:50]]
    assemble = per_item(lambda: consume(prepared.build(person, date=DATE) for person in people), len(people))

    # 4. Naive baseline: the same loop, rendering Jinja + MJML for every recipient.
    naive_people = people[: args.naive]

    def naive() -> None:
        for person in naive_people:
            message = renderer.compile(template, language, data, SENDER, use_cache=False)
            prepare(message, IDENTITY, reply_to=("Anouk Peeters", "anouk.peeters@diplomatie.example.be")).build(
                person, date=DATE
            )

    naive_seconds = per_item(naive, len(naive_people))

    micro = 1e6
    print(f"Pressroom rendering benchmark — {template}, {language}, "
          f"{len(compiled.html_parts) // 2} personal fields in HTML, messages of ~{statistics.mean(sizes) / 1024:.1f} KiB")
    print(f"  compile (Jinja + MJML), first        {cold.compile_seconds * 1e3:9.2f} ms")
    print(f"  compile (Jinja + MJML), median       {statistics.median(compile_times) * 1e3:9.2f} ms"
          f"   of which MJML {statistics.median(mjml_times) * 1e3:.2f} ms")
    print(f"  compile cache hit                    {hit * micro:9.2f} µs")
    print(f"  prepare headers + encode parts, once {prepare_seconds * 1e3:9.2f} ms")
    print(f"  personalise HTML + text, per recip.  {personalise * micro:9.2f} µs")
    print(f"  personalise + assemble MIME, per msg {assemble * micro:9.2f} µs"
          f"   = {1 / assemble:,.0f} messages/s   ({len(people):,} recipients)")
    print(f"  naive: render + assemble, per msg    {naive_seconds * micro:9.2f} µs"
          f"   = {1 / naive_seconds:,.0f} messages/s   ({len(naive_people):,} recipients)")
    print(f"  speed-up over the naive baseline     {naive_seconds / assemble:9.1f} ×")
    verdict = "met" if assemble * micro < GOAL_MICROSECONDS else "NOT met"
    print(f"  goal: one complete message < {GOAL_MICROSECONDS:.0f} µs  {verdict}")


if __name__ == "__main__":
    main()
