"""`pressroom topics`: the names and descriptions topics go by on the public pages, per language."""

from __future__ import annotations

import click

from cli.output import json_option, print_json, print_table
from core.db import session_scope
from core.errors import InvalidInput
from core.settings import get_settings
from workflow.topics import all_topics, readable_slug, set_topic
from workflow.users import get_user


@click.group()
def topics() -> None:
    """Show and name the topics releases carry (their slugs), per language."""


@topics.command("list")
@json_option
def list_(as_json: bool) -> None:
    """Every named topic with its name in each language ("-" where the default language's shows)."""
    with session_scope() as session:
        rows = [{"slug": t.slug, "names": dict(t.names), "descriptions": dict(t.descriptions),
                 "updated_by": t.updated_by} for t in all_topics(session)]
    if as_json:
        print_json(rows)
        return
    languages = get_settings().languages
    print_table([{"slug": r["slug"], **{code: r["names"].get(code, "-") for code in languages}}  # type: ignore[attr-defined]
                 for r in rows], ["slug", *languages])


def _language_options(function: click.decorators.FC) -> click.decorators.FC:
    """--name-xx and --description-xx for every language Pressroom knows (nl, fr, en, de)."""
    for code in reversed(("nl", "fr", "en", "de")):
        function = click.option(f"--description-{code}", f"description_{code}", default=None,
                                help=f"Description in {code}.")(function)
        function = click.option(f"--name-{code}", f"name_{code}", default=None,
                                help=f"Display name in {code} ('' removes it).")(function)
    return function


@topics.command("set")
@click.argument("slug")
@_language_options
@click.option("--as", "actor_email", default=None, metavar="EMAIL",
              help="Acting user (an admin); left out, the change is the operator's.")
def set_(slug: str, actor_email: str | None, **texts: str | None) -> None:
    """Name topic SLUG per language; options left out keep their value. Unnamed topics show as a
    readable form of the slug ("annual-report" as "Annual report")."""
    names = {key.removeprefix("name_"): value for key, value in texts.items()
             if key.startswith("name_") and value is not None}
    descriptions = {key.removeprefix("description_"): value for key, value in texts.items()
                    if key.startswith("description_") and value is not None}
    if not names and not descriptions:
        raise InvalidInput("options", "nothing to change: give at least one --name-LANG or --description-LANG")
    with session_scope() as session:
        actor = get_user(session, actor_email) if actor_email else None
        topic = set_topic(session, actor, slug, names, descriptions)
        shown = ", ".join(f"{code}: {name}" for code, name in topic.names.items()) or readable_slug(topic.slug)
    click.echo(f"topic {topic.slug}: {shown}")
