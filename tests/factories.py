"""Plain factory functions for tests."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from workflow import service
from workflow.content import ReleaseContent, parse_content
from workflow.models import Release, User
from workflow.users import add_user


def user(session: Session, role: str = "spokesperson", email: str | None = None, name: str = "Test User") -> User:
    address = email or f"{role}-{id(session) % 10_000}-{_counter()}@example.be"
    return add_user(session, address, name, role)


_count = 0


def _counter() -> int:
    global _count
    _count += 1
    return _count


def content(**overrides: Any) -> ReleaseContent:
    data: dict[str, Any] = {
        "kind": "press_release",
        "default_language": "nl",
        "translations": {
            "nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.", "body": "De minister reist af."},
            "fr": {"title": "Le ministre visite Kinshasa", "lead": "Une visite.", "body": "Le ministre se rend."},
        },
        # Mailed to nobody unless a test names lists (which must then exist).
        "lists": [],
        "web_only": True,
        "topics": ["africa"],
    }
    if overrides.get("lists"):
        data["web_only"] = False
    data.update(overrides)
    return parse_content(data)


def release(session: Session, author: User, **overrides: Any) -> Release:
    return service.create_release(session, author, content(**overrides))
