#!/usr/bin/env python3
"""Benchmark of the public search over a large archive, against a plain `LIKE` scan.

    python3 dev.py shell python bench/search.py [--releases 10000] [--database-url URL] [--quick]

It stores `--releases` published releases (in Dutch, every other one in French too; Dutch bodies of
about 300 words drawn from a vocabulary, a few rare words in a few releases), indexes them with
`workflow.search.reindex_all` (the backfill of migration 0011) and times, in the same run, each
query two ways:

  search      `workflow.search.search`: the stemmed full-text match (PostgreSQL tsvector under
              GIN, or FTS5 over Snowball stems on SQLite), the newsroom's rule, the count and the
              first page of 10, ranked and highlighted
  baseline    what a search without an index costs: `LIKE '%word%'` over the same rows' title,
              lead and body, with the same rule, count and first page (newest first)

It prints the best of `--repeat` runs of each, their ratio per query, and the median ratio. Goal:
the median search costs at most half the scan (a word in nearly every release, like "minister",
is ranked over every release: no index makes that cheaper than a scan). `--quick` (run by the
test suite) stores a few hundred releases and checks correctness instead of speed: for each query, the search finds
exactly the releases whose words have the query's stem, and every release the scan finds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

GOAL_RATIO = 0.5
COMMON = ["minister", "regering", "begroting", "federale", "dienst", "burgers", "overleg", "beleid", "nieuwe", "maatregelen", "gemeenten", "steun", "onderzoek", "plan", "jaar", "werk", "mensen", "land", "sector", "samenwerking"]
FILLER = ["de", "het", "een", "en", "van", "in", "op", "met", "voor", "naar", "over", "door", "bij", "tot", "als", "dat", "die", "deze", "ook", "nog"]
# (word written in the texts, query typed, share of releases holding it)
RARE = [("jaarverslagen", "jaarverslag", 0.01), ("douane", "douane", 0.002), ("verkiezingen", "verkiezing", 0.05)]
FRENCH = ["le", "ministre", "du", "gouvernement", "présente", "les", "mesures", "pour", "les", "citoyens", "et", "les", "communes", "rapport", "annuel", "budget", "fédéral"]


def _text(rng: random.Random, length: int, extra: list[str]) -> str:
    words = [rng.choice(FILLER) if rng.random() < 0.4 else rng.choice(COMMON) for _ in range(length)]
    for word in extra:
        words.insert(rng.randrange(len(words) + 1), word)
    return " ".join(words).capitalize() + "."


def store(count: int, seed: int = 7) -> dict[str, set[int]]:
    """`count` published releases written straight into the tables (the workflow's rules are not
    what is measured); returns which release ids hold each rare word."""
    from sqlalchemy import insert, update
    from sqlmodel import col

    from core.db import session_scope, utcnow
    from workflow.models import Release, Revision
    from workflow.states import State
    from workflow.users import add_user

    rng = random.Random(seed)
    holders: dict[str, set[int]] = {word: set() for word, _, _ in RARE}
    now = utcnow()
    with session_scope() as s:
        author = add_user(s, "bench@example.be", "Bench", "spokesperson").id
    for start in range(0, count, 1000):
        with session_scope() as s:
            releases, revisions = [], []
            for number in range(start, min(count, start + 1000)):
                release_id = number + 1
                extra = [word for word, _, share in RARE if rng.random() < share]
                for word in extra:
                    holders[word].add(release_id)
                translations = {"nl": {"title": f"Bericht {number}: " + _text(rng, 6, []),
                                       "lead": _text(rng, 20, []), "body": _text(rng, 300, extra), "links": []}}
                if number % 2:
                    translations["fr"] = {"title": f"Communiqué {number}", "lead": " ".join(rng.sample(FRENCH, 8)),
                                          "body": " ".join(rng.choices(FRENCH, k=120)), "links": []}
                public_at = now.replace(microsecond=0) - timedelta(minutes=count - number)
                releases.append({"id": release_id, "kind": "press_release", "state": State.PUBLISHED,
                                 "author_id": author, "default_language": "nl",
                                 "languages": "," + ",".join(sorted(translations)) + ",",
                                 "published_at": public_at, "public_at": public_at, "version": 1,
                                 "created_at": public_at, "updated_at": public_at})
                revisions.append({"id": release_id, "release_id": release_id, "number": 1, "author_id": author,
                                  "content": {"kind": "press_release", "default_language": "nl", "topics": ["bench"],
                                              "translations": translations},
                                  "content_hash": f"{release_id:064x}", "created_at": public_at})
            s.execute(insert(Release), releases)
            s.execute(insert(Revision), revisions)
            s.execute(update(Release).where(col(Release.id) >= start + 1).values(current_revision_id=col(Release.id)))
    return holders


def like_scan(word: str, language: str = "nl") -> tuple[int, list[int]]:
    """The baseline: count and first page of public releases whose text contains `word`."""
    from sqlalchemy import func, or_, select
    from sqlmodel import col

    from core.db import session_scope, utcnow
    from web.queries import public_now
    from workflow.models import Release
    from workflow.search import search_entry

    pattern = f"%{word}%"
    found = (select(search_entry.c.release_id)
             .join(Release, col(Release.id) == search_entry.c.release_id)
             .where(public_now(utcnow()), search_entry.c.language == language,
                    or_(search_entry.c.title.ilike(pattern), search_entry.c.lead.ilike(pattern),
                        search_entry.c.body.ilike(pattern))))
    with session_scope() as s:
        total = int(s.execute(select(func.count()).select_from(found.subquery())).scalar_one())
        page = list(s.execute(found.order_by(col(Release.public_at).desc()).limit(10)).scalars())
    return total, page


def full_text(query: str, language: str = "nl") -> tuple[int, list[int]]:
    from core.db import session_scope, utcnow
    from web.queries import public_now
    from workflow.search import search

    with session_scope() as s:
        found = search(s, query, language, public_now(utcnow()), per_page=10)
    return found.total, [hit.id for hit in found.items]


def _best_ms(run: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def _all_ids(query: str) -> set[int]:
    from core.db import session_scope, utcnow
    from web.queries import public_now
    from workflow.search import search

    with session_scope() as s:
        return {hit.id for hit in search(s, query, "nl", public_now(utcnow()), per_page=100_000).items}


def check(holders: dict[str, set[int]]) -> bool:
    """The search finds exactly the releases holding each rare word (and the scan's too)."""
    ok = True
    for word, query, _ in RARE:
        found = _all_ids(query)
        total, _page = like_scan(query)
        print(f"  {query!r}: search {len(found)} (expected {len(holders[word])}), LIKE {total}")
        ok &= found == holders[word] and total == len(holders[word])
    common = _all_ids("ministers")
    print(f"  'ministers' (stem of 'minister'): search {len(common)}, LIKE 'minister' {like_scan('minister')[0]}")
    ok &= len(common) == like_scan("minister")[0]
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--releases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--quick", action="store_true", help="a few hundred releases; check correctness")
    args = parser.parse_args()
    count = 600 if args.quick else args.releases

    from core import migrate
    from core.db import session_scope
    from core.settings import override_settings
    from workflow.search import reindex_all

    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as tmp:
        override_settings(data_dir=tmp, database_url=args.database_url or f"sqlite:///{tmp}/search.db",
                          required_approvals=1)
        migrate.upgrade()
        started = time.perf_counter()
        holders = store(count)
        stored = time.perf_counter() - started
        started = time.perf_counter()
        with session_scope() as s:
            indexed = reindex_all(s)
        print(f"{count:,} releases stored in {stored:.1f} s; {indexed:,} indexed in "
              f"{time.perf_counter() - started:.1f} s")
        if args.quick:
            ok = check(holders)
            print("baseline (LIKE scan): compared in the same run; ratio not judged in --quick")
            print("result: " + ("correct" if ok else "WRONG"))
            return 0 if ok else 1
        ratios = []
        for word, query, _ in [*RARE, ("minister", "minister", 1.0)]:
            search_total = full_text(query)[0]
            like_total = like_scan(word)[0]
            search_ms = _best_ms(lambda q=query: full_text(q), args.repeat)  # type: ignore[misc]
            like_ms = _best_ms(lambda w=word: like_scan(w), args.repeat)  # type: ignore[misc]
            ratios.append(search_ms / like_ms)
            print(f"{query!r:14} search {search_ms:8.1f} ms ({search_total:5} found)   "
                  f"baseline LIKE {like_ms:8.1f} ms ({like_total:5} found)   ratio {search_ms / like_ms:.3f}")
        median = statistics.median(ratios)
        print(f"median ratio over {len(ratios)} queries at {count:,} releases: {median:.3f} (goal ≤ {GOAL_RATIO})")
        ok = median <= GOAL_RATIO
        print("result: " + ("within goals" if ok else "OUTSIDE GOALS"))
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
