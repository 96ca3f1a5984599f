"""The unique-reader estimate in Redis: one reader is new once per page and day, and new again the
next day, whose salt is another."""

from __future__ import annotations

from datetime import date

from core.broker import redis_client
from reports.visitors import PREFIX, day_salt, first_visit, forget_salts

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_a_reader_is_new_once_per_page_and_day(broker: str) -> None:
    client = redis_client(broker)
    monday, tuesday = date(2030, 1, 7), date(2030, 1, 8)  # days to come: their keys live until they end
    try:
        assert first_visit(client, monday, 1, "nl", "192.0.2.7", FIREFOX)
        assert not first_visit(client, monday, 1, "nl", "192.0.2.7", FIREFOX)
        assert first_visit(client, monday, 1, "fr", "192.0.2.7", FIREFOX)  # another page
        assert first_visit(client, monday, 1, "nl", "192.0.2.8", FIREFOX)  # another address
        assert first_visit(client, tuesday, 1, "nl", "192.0.2.7", FIREFOX)  # the next day: counted again
        forget_salts()
        assert day_salt(client, monday) != day_salt(client, tuesday)
        assert client.smembers(f"{PREFIX}:{monday.isoformat()}:seen").isdisjoint(
            client.smembers(f"{PREFIX}:{tuesday.isoformat()}:seen"))
    finally:
        for day in (monday, tuesday):
            client.delete(f"{PREFIX}:{day.isoformat()}:seen", f"{PREFIX}:{day.isoformat()}:salt")
        forget_salts()
