"""`pressroom organisation`: the identity every mail prints, per language, with its history."""

from __future__ import annotations

import click

from cli.output import json_option, print_json, print_mapping, print_table
from core.db import session_scope
from core.errors import InvalidInput
from workflow.organisation import (
    FIELDS,
    change_organisation,
    identity_view,
    organisation_history,
    organisation_identity,
)
from workflow.users import get_user


@click.group()
def organisation() -> None:
    """Show and change the organisation's name, address, phone, website and logo per language."""


@organisation.command("show")
@click.option("--version", "version", type=int, default=None, help="Show this version (default: the current one).")
@json_option
def show(version: int | None, as_json: bool) -> None:
    """The identity mail prints in each language; "(from nl)" marks a value taken from the
    default language because the language has none of its own."""
    with session_scope() as session:
        view = identity_view(organisation_identity(session, version))
    if as_json:
        print_json(view)
        return
    print_mapping({
        "version": view["version"],
        "made": f"{view['created_at']:%Y-%m-%d %H:%M} UTC by {view['created_by']}",
        "change": view["change"],
        "default language": view["default_language"],
        "e-mail": view["email"] or "(none: PRESSROOM_MAIL_FROM, else noreply@ the website's domain)",
    })
    default = view["default_language"]
    for language, values in view["effective"].items():
        own = view["own"].get(language, {})
        click.echo(f"\n[{language}]")
        print_mapping({
            name.replace("_", " "): value + (f"  (from {default})" if value and not own.get(name) else "")
            for name, value in values.items()
        })


@organisation.command("set")
@click.option("--language", required=True, metavar="LANG", help="The language these values are for.")
@click.option("--name", default=None, help="Name of the organisation in this language.")
@click.option("--address", default=None, help="Postal address, on one line.")
@click.option("--phone", default=None, help="Phone number, e.g. '+32 2 501 81 11'.")
@click.option("--website", default=None, help="http(s) URL of the website in this language.")
@click.option("--logo-url", "logo_url", default=None, help="http(s) URL of the logo in mail.")
@click.option("--email", default=None, help="Sender address, the same for every language.")
@click.option("--as", "actor_email", required=True, metavar="EMAIL", help="Acting user (an admin).")
@click.option("--version", "expected_version", type=int, default=None,
              help="Change only if the identity is still at this version.")
def set_(language: str, name: str | None, address: str | None, phone: str | None, website: str | None,
         logo_url: str | None, email: str | None, actor_email: str, expected_version: int | None) -> None:
    """Change the identity in one language, as a new version; options left out keep their value,
    and an empty value ('') makes the field fall back to the default language. Admins only."""
    given = {"name": name, "address": address, "phone": phone, "website": website, "logo_url": logo_url}
    values = {key: value for key, value in given.items() if value is not None}
    if not values and email is None:
        options = ", ".join(f"--{key.replace('_', '-')}" for key in FIELDS)
        raise InvalidInput("options", f"nothing to change: give at least one of {options}, --email")
    with session_scope() as session:
        actor = get_user(session, actor_email)
        made = change_organisation(session, actor, language, values, email=email,
                                   expected_version=expected_version)
        current = made.number if made else organisation_identity(session).number
    if made is None:
        click.echo(f"no change: version {current} already says so")
        return
    click.echo(f"organisation version {made.number}: {made.change}")


@organisation.command("history")
@json_option
def history(as_json: bool) -> None:
    """Every version, newest first: who made it, when, and what changed."""
    with session_scope() as session:
        rows = [
            {"version": v.number, "created_at": v.created_at, "created_by": v.created_by, "change": v.change}
            for v in organisation_history(session)
        ]
    if as_json:
        print_json(rows)
        return
    print_table([{**row, "created_at": f"{row['created_at']:%Y-%m-%d %H:%M}"} for row in rows],
                ["version", "created_at", "created_by", "change"])
