#!/usr/bin/env python3
"""Benchmark of `pressroom subscribers import`: 100,000 rows onto a fresh SQLite database.

    python3 dev.py shell python bench/import_subscribers.py [--rows N] [--database-url URL] [--pending]

Prints rows/s for the import and compares it with two baselines measured in the same run on
the same file, so the figures mean something on any machine:

- parse + validate: reading the CSV and checking every row, with no database at all (the
  floor: an import can never be faster than this);
- plain executemany: the parsed rows inserted into an empty subscriber table with a plain
  `executemany`, no conflict handling, no subscriptions or consent records.

The target (from the issue) is 100,000 rows in under 20 s on SQLite; the exit status is 1 if
the import misses it, so CI can run this.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_SECONDS = 20.0
FIRST = ["Jan", "Marie", "Pieter", "Sophie", "Lucas", "Emma", "Noah", "Louise", "Arthur", "Elise"]
LAST = ["Peeters", "Janssens", "Maes", "Dubois", "Lambert", "Dupont", "Claes", "Wouters", "Mertens"]
MEDIA = ["De Standaard", "Le Soir", "VRT NWS", "RTBF", "Belga", "De Tijd", "L'Echo", ""]
TOPICS = ["africa", "trade", "climate", "consular", "eu", "development", "human-rights"]


def make_csv(path: Path, rows: int, seed: int = 8058) -> None:
    """A file as Belgian spreadsheets export it: BOM, semicolons, mixed case, some bad rows."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write("Email;Name;Language;Organisation;Topics\r\n")
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{first}.{last}.{i}@{rng.choice(['example.be', 'Example.org', 'pers.example.com'])}"
            if i % 1000 == 999:
                email = email.replace("@", " at ")  # one bad row in a thousand
            topics = ",".join(rng.sample(TOPICS, rng.randint(0, 2)))
            language = rng.choice(["nl", "fr", "NL", "en", "de", ""])
            out.write(f"{email};{first} {last};{language};{rng.choice(MEDIA)};{topics}\r\n")


def parse_only(path: Path) -> tuple[float, list[object]]:
    from subscribers.importing import SubscriberCsv, SubscriberRow

    start = time.perf_counter()
    with path.open("rb") as stream:
        rows = [r for r in SubscriberCsv(stream, default_language="nl") if isinstance(r, SubscriberRow)]
    return time.perf_counter() - start, rows  # type: ignore[return-value]


def plain_executemany(url: str, rows: list[object]) -> float:
    """The same rows into a scratch copy of the subscriber table, with nothing else."""
    from sqlalchemy import Column, MetaData, Table, create_engine, insert

    from core.db import utcnow
    from subscribers.models import Subscriber

    engine = create_engine(url)
    # Same columns, key and unique addresses as the real table; nothing else.
    columns = Subscriber.__table__.columns  # type: ignore[attr-defined]
    scratch = Table(
        "bench_subscriber",
        MetaData(),
        *(Column(c.name, c.type, primary_key=c.primary_key, unique=bool(c.unique)) for c in columns),
    )
    scratch.drop(engine, checkfirst=True)
    scratch.create(engine)
    now = utcnow()
    values = [
        {
            "email": r.email, "email_hash": r.email_hash, "name": r.name,  # type: ignore[attr-defined]
            "language": r.language, "organisation": r.organisation,  # type: ignore[attr-defined]
            "frequency": "immediate", "status": "active", "created_at": now, "updated_at": now,
        }
        for r in rows
    ]
    start = time.perf_counter()
    with engine.begin() as connection:
        for i in range(0, len(values), 2000):
            connection.execute(insert(scratch), values[i : i + 2000])
    elapsed = time.perf_counter() - start
    scratch.drop(engine)
    engine.dispose()
    return elapsed


def run_import(path: Path, confirmed: bool) -> tuple[float, object]:
    from core.db import session_scope
    from subscribers import import_csv

    start = time.perf_counter()
    with path.open("rb") as stream:
        report = import_csv(session_scope, stream, "journalists", confirmed=confirmed, source_name=path.name)
    return time.perf_counter() - start, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--pending", action="store_true", help="double opt-in: also queue an event per row")
    args = parser.parse_args()

    from core import migrate
    from core.db import dispose_engines, session_scope
    from core.settings import override_settings

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        override_settings(database_url=url, data_dir=str(work / "data"))
        migrate.upgrade(url)
        from subscribers import create_list

        with session_scope() as session:
            create_list(session, "journalists", "Journalists", default_language="nl")

        csv_path = work / "subscribers.csv"
        make_csv(csv_path, args.rows)
        size = csv_path.stat().st_size

        parse_seconds, parsed = parse_only(csv_path)
        plain_seconds = plain_executemany(url, parsed)
        import_seconds, report = run_import(csv_path, confirmed=not args.pending)
        again_seconds, again = run_import(csv_path, confirmed=not args.pending)
        dispose_engines()

    rows = args.rows
    rate = rows / import_seconds
    print(f"file: {rows:,} rows, {size / 1e6:.1f} MB ({'pending + events' if args.pending else 'confirmed'})")
    print(f"database: {url.split(':', 1)[0]}")
    print(f"parse + validate only      {parse_seconds:7.2f} s  {rows / parse_seconds:>10,.0f} rows/s")
    print(f"plain executemany          {plain_seconds:7.2f} s  {len(parsed) / plain_seconds:>10,.0f} rows/s")
    print(f"import (first run)         {import_seconds:7.2f} s  {rate:>10,.0f} rows/s")
    print(f"import (again, no changes) {again_seconds:7.2f} s  {rows / again_seconds:>10,.0f} rows/s")
    print(
        f"ratio import / parse+validate: {import_seconds / parse_seconds:.2f}x; "
        f"import / (parse+validate + plain executemany): "
        f"{import_seconds / (parse_seconds + plain_seconds):.2f}x"
    )
    print(
        f"imported {report.subscriptions_created:,} subscriptions, rejected {len(report.rejected):,} rows; "  # type: ignore[attr-defined]
        f"second run created {again.subscriptions_created:,}"  # type: ignore[attr-defined]
    )
    budget = BUDGET_SECONDS * rows / 100_000
    verdict = "within" if import_seconds <= budget else "OVER"
    print(f"{verdict} budget of {budget:.1f} s for {rows:,} rows")
    return 0 if import_seconds <= budget else 1


if __name__ == "__main__":
    sys.exit(main())
