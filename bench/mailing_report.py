#!/usr/bin/env python3
"""Benchmark of the mailing report over a large mailing.

    python3 dev.py shell python bench/mailing_report.py [--deliveries 100000] [--database-url URL] [--quick]

It stores one mailing of N deliveries (default 100,000) on three lists in four languages, with
what a real one has: most accepted over a few minutes, some failed for each reason class, some
bounced hard or soft after acceptance, deferred and skipped ones, and unsubscribe and complaint
counts. It then times `reports.mailing.mailing_report` (the whole report: counts per list and
language with the failure classes, the tallies, and the delay percentiles) against the plainest
query that reads the same rows, in the same run: `SELECT status, count(*) … GROUP BY status` for
the mailing. Best of 5 each; it prints milliseconds, their ratio, and checks every figure of the
report against what was stored (the percentiles against a nearest-rank computed here).

The report stays set-based — the database groups and counts, picks the messages at the
percentiles' ranks by walking an index, and Python only folds a few dozen group rows — so its
cost follows the rows the database reads, like the baseline's. The baseline is answered from the
(distribution, status) index alone, while the report must read every row's list, language and
bounce kind: goal at most thirty times the baseline. `--quick` (2,000 deliveries, once) only
checks the figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

GOAL_RATIO = 30.0
LANGUAGES = ("nl", "fr", "en", "de")
FAILURES = {  # (code, text) → its class, as relays answer
    (550, "5.1.1 No such user"): "recipient_refused",
    (554, "5.7.1 Message rejected as spam"): "policy",
    (552, "5.2.2 Mailbox full"): "mailbox_full",
    (None, "mail server relay:25: cannot connect: timed out"): "connection",
    (554, "Transaction failed"): "other",
}


def _store(count: int, seed: int = 17) -> dict[str, Any]:
    """One mailing of `count` deliveries, inserted in bulk; returns what the report must say."""
    from sqlalchemy import insert

    from core.db import session_scope
    from delivery.models import Delivery, Distribution, DistributionStatus
    from reports import tallies
    from subscribers.models import MailingList, Subscriber

    rng = random.Random(seed)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    expected: dict[str, Any] = {"by_status": Counter(), "reasons": Counter(), "hard": 0, "soft": 0, "delays": []}
    with session_scope() as s:
        lists = []
        for slug in ("journalists", "diplomats", "public"):
            mailing_list = MailingList(slug=slug, name=slug.title(), default_language="nl")
            s.add(mailing_list)
            s.flush()
            lists.append(mailing_list.id or 0)
        distribution = Distribution(key="bench:1", kind="release", status=DistributionStatus.SENDING, total=count,
                                    started_at=start, created_at=start)
        s.add(distribution)
        s.flush()
        distribution_id = distribution.id or 0
        for first in range(0, count, 10_000):
            size = min(10_000, count - first)
            s.execute(insert(Subscriber), [
                {"email": f"p{n}@example.org", "email_hash": f"{n:064d}", "name": "", "language": LANGUAGES[n % 4],
                 "created_at": start, "updated_at": start} for n in range(first, first + size)])
        ids = s.execute(Subscriber.__table__.select().with_only_columns(Subscriber.__table__.c.id)  # type: ignore[attr-defined]
                        .order_by(Subscriber.__table__.c.id)).scalars().all()  # type: ignore[attr-defined]
        rows = []
        for n, subscriber_id in enumerate(ids):
            roll = rng.random()
            row: dict[str, Any] = {
                "distribution_id": distribution_id, "subscriber_id": subscriber_id, "list_id": lists[n % 3],
                "email": f"p{n}@example.org", "name": "", "language": LANGUAGES[n % 4], "status": "sent",
                "attempts": 1, "message_id": "", "smtp_response": "", "last_error": "", "bounce": "",
                "sent_at": None, "smtp_code": None,
            }
            if roll < 0.05:
                (code, text), reason = rng.choice(list(FAILURES.items()))
                row.update(status="failed", smtp_code=code, last_error=text)
                expected["reasons"][reason] += 1
            elif roll < 0.07:
                row.update(status="deferred", smtp_code=451, last_error="4.3.0 Try again later")
            elif roll < 0.09:
                row.update(status="skipped", last_error="not sent: unsubscribed")
            else:
                sent_at = start + timedelta(seconds=rng.uniform(0.5, 600))
                row.update(sent_at=sent_at, smtp_code=250)
                expected["delays"].append((sent_at - start).total_seconds())
                if roll < 0.11:
                    kind = "hard" if roll < 0.10 else "soft"
                    row.update(status="bounced", bounce=kind, last_error=f"{kind} bounce",
                               bounced_at=sent_at + timedelta(minutes=5))
                    expected[kind] += 1
            expected["by_status"][row["status"]] += 1
            rows.append(row)
            if len(rows) == 10_000:
                s.execute(insert(Delivery), rows)
                rows = []
        if rows:
            s.execute(insert(Delivery), rows)
        for n in range(count // 500):  # unsubscribes and complaints, counted per list and language
            tallies.count(s, tallies.UNSUBSCRIBE, distribution_id, lists[n % 3], LANGUAGES[n % 4])
        for n in range(count // 2000):
            tallies.count(s, tallies.COMPLAINT, distribution_id, lists[n % 3], LANGUAGES[n % 4])
    expected.update(distribution_id=distribution_id, unsubscribed=count // 500, complaints=count // 2000)
    return expected


def _baseline(distribution_id: int) -> dict[str, int]:
    from sqlalchemy import func, select
    from sqlmodel import col

    from core.db import session_scope
    from delivery.models import Delivery

    with session_scope() as s:
        return {str(status): int(n) for status, n in s.execute(
            select(col(Delivery.status), func.count()).where(col(Delivery.distribution_id) == distribution_id)
            .group_by(col(Delivery.status))).all()}


def _report(distribution_id: int) -> Any:
    from core.db import session_scope
    from reports.mailing import mailing_report

    with session_scope() as s:
        return mailing_report(s, distribution_id)


def _best_ms(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def _check(report: Any, expected: dict[str, Any], count: int) -> list[str]:
    """Every figure of the report against what was stored."""
    from reports.mailing import PERCENTILES

    totals = report.totals
    by_status = expected["by_status"]
    delays = sorted(expected["delays"])
    problems = []
    figures = {
        "recipients": (totals.recipients, count),
        "accepted": (totals.accepted, len(delays)),
        "failed": (totals.failed, by_status["failed"]),
        "deferred": (totals.deferred, by_status["deferred"]),
        "skipped": (totals.skipped, by_status["skipped"]),
        "bounced_hard": (totals.bounced_hard, expected["hard"]),
        "bounced_soft": (totals.bounced_soft, expected["soft"]),
        "unsubscribed": (totals.unsubscribed, expected["unsubscribed"]),
        "complaints": (totals.complaints, expected["complaints"]),
        "failed_by_reason": (totals.failed_by_reason, {k: expected["reasons"].get(k, 0) for k in totals.failed_by_reason}),
        "recipients per language": (sorted(p.counts.recipients for p in report.by_language),
                                    sorted(Counter(n % 4 for n in range(count)).values())),
        "recipients per list": (sum(p.counts.recipients for p in report.by_list), count),
    }
    [timing] = report.timing
    ranks = {"first": 1, "last": len(delays), **{f"p{p}": (p * len(delays) + 99) // 100 for p in PERCENTILES}}
    for name, rank in ranks.items():
        figures[f"delay {name}"] = (getattr(timing, name), round(delays[rank - 1], 3))
    for name, (found, want) in figures.items():
        close = abs(found - want) < 0.002 if isinstance(found, float) else found == want
        print(f"  {name}: {found} (expected {want})")
        if not close:
            problems.append(name)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--quick", action="store_true", help="2,000 deliveries, once: check the figures only")
    args = parser.parse_args()
    count = 2_000 if args.quick else args.deliveries

    from core import migrate
    from core.settings import override_settings

    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as tmp:
        override_settings(data_dir=tmp, database_url=args.database_url or f"sqlite:///{tmp}/report.db")
        migrate.upgrade()
        started = time.perf_counter()
        expected = _store(count)
        distribution_id = expected["distribution_id"]
        print(f"== one mailing of {count:,} deliveries (set-up {time.perf_counter() - started:.1f} s) ==")
        problems = _check(_report(distribution_id), expected, count)
        assert sum(_baseline(distribution_id).values()) == count
        if args.quick:
            print("result: " + ("correct" if not problems else f"WRONG: {', '.join(problems)}"))
            return 1 if problems else 0
        report_ms = _best_ms(lambda: _report(distribution_id), 5)
        base_ms = _best_ms(lambda: _baseline(distribution_id), 5)
    ratio = report_ms / base_ms
    print(f"mailing report: {report_ms:8.1f} ms   baseline (count per status): {base_ms:8.1f} ms   "
          f"ratio {ratio:.1f} (goal ≤ {GOAL_RATIO:.0f})")
    ok = ratio <= GOAL_RATIO and not problems
    print("result: " + ("within goals" if ok else "OUTSIDE GOALS" + (f"; wrong: {', '.join(problems)}" if problems else "")))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
