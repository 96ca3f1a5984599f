"""`pressroom workflows`: the approval chain of each release kind (workflow.chains)."""

from __future__ import annotations

from typing import Any

import click

from cli.output import json_option, print_json
from core.db import session_scope
from core.errors import InvalidInput
from core.settings import get_settings
from workflow import chains
from workflow.models import ReleaseKind
from workflow.users import get_user

KINDS = click.Choice([kind.value for kind in ReleaseKind])


@click.group()
def workflows() -> None:
    """Show and set who signs off each kind of release, in which order."""


def _describe(row: dict[str, Any]) -> list[str]:
    head = f"{row['kind']}: " + ("default (PRESSROOM_REQUIRED_APPROVALS approvers)" if row["default"]
                                 else f"{len(row['steps'])} steps")
    if row["allow_same_approver"]:
        head += ", one person may sign several steps"
    lines = [head]
    for number, step in enumerate(row["steps"], start=1):
        names = " / ".join(f"{code}: {name}" for code, name in step["names"].items()) or "approval"
        who = step["approvers"] if isinstance(step["approvers"], str) else ", ".join(step["approvers"])
        lines.append(f"  {number}. {names} — {step['required']} of {who}")
    return lines


@workflows.command("show")
@click.argument("kind", type=KINDS, required=False)
@json_option
def show(kind: str | None, as_json: bool) -> None:
    """The chain of KIND (every kind when left out): its steps, who signs each, how many must."""
    with session_scope() as session:
        rows = [row for row in chains.chains_view(session) if kind is None or row["kind"] == kind]
    if as_json:
        print_json(rows if kind is None else rows[0])
        return
    for row in rows:
        click.echo("\n".join(_describe(row)))


def parse_step(text: str, number: int) -> dict[str, Any]:
    """One --step value, "nl=Kabinet;fr=Cabinet;approvers=a@x.be,b@x.be;required=1", as
    `chains.set_chain` takes it; raises InvalidInput naming the --step and the part at fault."""
    languages = get_settings().languages
    step: dict[str, Any] = {"names": {}}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep:
            raise InvalidInput(f"--step {number}", f"{part!r} is not KEY=VALUE")
        if key in ("approvers", "required"):
            step[key] = value.strip()
        elif key in languages:
            step["names"][key] = value.strip()
        else:
            raise InvalidInput(f"--step {number}", f"unknown key {key!r}: a language "
                                                   f"({', '.join(languages)}), approvers or required")
    return step


@workflows.command("set")
@click.argument("kind", type=KINDS)
@click.option("--step", "steps", multiple=True, required=True, metavar="SPEC",
              help="One step, in order: 'nl=Kabinet;fr=Cabinet;approvers=a@x.be,b@x.be;required=1'. "
                   "A name per language; approvers is a role (approver: approvers and admins; "
                   "admin) or users' addresses; required (default 1) is how many of them must sign.")
@click.option("--allow-same-approver", is_flag=True,
              help="Let one person sign several steps of the same text (off: each step needs someone else).")
@click.option("--as", "actor_email", default=None, metavar="EMAIL",
              help="Acting user (an admin); left out, the change is the operator's.")
def set_(kind: str, steps: tuple[str, ...], allow_same_approver: bool, actor_email: str | None) -> None:
    """Set the approval chain of KIND. It applies to releases submitted from now on; those in
    review keep the chain they were submitted under."""
    given = [parse_step(text, number) for number, text in enumerate(steps, start=1)]
    with session_scope() as session:
        actor = get_user(session, actor_email) if actor_email else None
        chain = chains.set_chain(session, actor, kind, given, allow_same_approver)
        row = {"kind": kind, "default": False, **chains.chain_view(session, chain)}
    click.echo("\n".join(_describe(row)))


@workflows.command("clear")
@click.argument("kind", type=KINDS)
@click.option("--as", "actor_email", default=None, metavar="EMAIL",
              help="Acting user (an admin); left out, the change is the operator's.")
def clear(kind: str, actor_email: str | None) -> None:
    """Remove the chain of KIND: releases submitted from now on need the default (one step of
    PRESSROOM_REQUIRED_APPROVALS approvers)."""
    with session_scope() as session:
        actor = get_user(session, actor_email) if actor_email else None
        chains.clear_chain(session, actor, kind)
    click.echo(f"{kind}: default (PRESSROOM_REQUIRED_APPROVALS approvers)")
