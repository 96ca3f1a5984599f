#!/usr/bin/env python3
"""Benchmark of the public newsroom page's query as the archive grows.

    python3 dev.py shell python bench/newsroom.py [--sizes 100,2000] [--database-url URL]

For each archive size it publishes that many releases (half in Dutch only, half in Dutch and
French) and times one newsroom page (20 French releases) through `web.queries.newsroom`. In the
same run it times the baseline every archive is compared with: loading every published release
with its current revision, the work a page would cost if the language filter and the paging were
done in Python. It prints milliseconds per page for both and, per size, their ratio, and how
each grew from the smallest archive to the largest. The page itself walks the (state,
published_at) index and stops after 20 rows; only the total count visits every published
release, on a short column. Goal: at the largest size a page costs at most a tenth of the
baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

GOAL_RATIO = 0.1


def _publish(count: int) -> None:
    """`count` published releases through the workflow (submit, approve, publish)."""
    from core.db import session_scope
    from workflow import service
    from workflow.content import parse_content
    from workflow.users import add_user

    with session_scope() as s:
        author = add_user(s, f"author{count}@example.be", "An Peeters", "spokesperson")
        approver = add_user(s, f"approver{count}@example.be", "Marc Dubois", "approver")
    for number in range(count):
        languages = ("nl", "fr") if number % 2 else ("nl",)
        content = parse_content({
            "kind": "press_release", "default_language": "nl", "lists": [], "web_only": True,
            "translations": {
                lang: {"title": f"Bericht {number} ({lang})", "lead": "Lead.", "body": "Tekst. " * 200}
                for lang in languages
            },
        })
        with session_scope() as s:
            release_id = service.create_release(s, author, content).id or 0
            service.submit(s, release_id, author)
            service.approve(s, release_id, approver)
            service.publish(s, release_id, approver)


def _best_ms(run: object, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def _load_everything() -> int:
    """The baseline: every published release and its current revision, parsed."""
    from sqlmodel import col, select

    from core.db import session_scope
    from workflow.content import ReleaseContent
    from workflow.models import Release, Revision
    from workflow.states import State

    with session_scope() as s:
        rows = s.exec(
            select(Release, Revision)
            .join(Revision, col(Revision.id) == col(Release.current_revision_id))
            .where(col(Release.state) == State.PUBLISHED)
            .order_by(col(Release.published_at).desc())
        ).all()
        return sum(1 for _, revision in rows if "fr" in ReleaseContent.model_validate(revision.content).translations)


def _page() -> int:
    from core.db import session_scope
    from web.queries import newsroom

    with session_scope() as s:
        return len(newsroom(s, "fr", page=1, per_page=20).items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,2000")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    from core import migrate
    from core.settings import override_settings

    results = []
    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as tmp:
        override_settings(data_dir=tmp, database_url=args.database_url or f"sqlite:///{tmp}/newsroom.db",
                          required_approvals=1)
        migrate.upgrade()
        published = 0
        for size in sizes:
            started = time.perf_counter()
            _publish(size - published)
            published = size
            print(f"\n== {size:,} published releases (set-up {time.perf_counter() - started:.1f} s) ==")
            assert _page() == 20
            page_ms = _best_ms(_page)
            base_ms = _best_ms(_load_everything, repeat=3)
            results.append((size, page_ms, base_ms))
            print(f"newsroom page: {page_ms:8.1f} ms   baseline (load every release): {base_ms:8.1f} ms   "
                  f"ratio {page_ms / base_ms:.2f}")
    growth = results[-1][1] / results[0][1]
    base_growth = results[-1][2] / results[0][2]
    ratio = results[-1][1] / results[-1][2]
    print(f"\npage cost from {sizes[0]:,} to {sizes[-1]:,} releases: ×{growth:.1f} (baseline ×{base_growth:.1f})")
    print(f"median page: {statistics.median(r[1] for r in results):.1f} ms")
    print(f"ratio at {sizes[-1]:,} releases: {ratio:.2f} (goal ≤ {GOAL_RATIO})")
    ok = ratio <= GOAL_RATIO
    print("result: " + ("within goals" if ok else "OUTSIDE GOALS"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
