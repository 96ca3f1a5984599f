"""Celery tasks of Pressroom: thin wrappers that load ids and call the domain rooms."""

from tasks.app import app

__all__ = ["app"]
