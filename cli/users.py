"""`pressroom users`: people who write and approve."""

from __future__ import annotations

import click

from cli.output import json_option, print_json, print_table
from cli.relay import relay_now
from core.db import session_scope
from core.settings import get_settings
from workflow import accounts
from workflow import users as users_domain
from workflow.models import Role


@click.group()
def users() -> None:
    """Manage spokespeople, approvers and admins."""


@users.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Full name, as shown in the audit log.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--language", default=None, help="Interface and notification language.")
@json_option
def add(email: str, name: str, role: str, language: str | None, as_json: bool) -> None:
    """Create a user and print their API token (shown only this once)."""
    with session_scope() as session:
        user = accounts.create(session, email, name, role, language)
        token = users_domain.issue_token(session, user, label="created with the user")
    if as_json:
        print_json({"id": user.id, "email": user.email, "role": user.role, "token": token})
        return
    click.echo(f"user {user.id} {user.email} ({user.role}) created")
    click.echo(f"API token (store it now, it is not shown again): {token}")


@users.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List users."""
    with session_scope() as session:
        rows = [{key: row[key] for key in ("id", "email", "name", "role", "language", "active", "status")}
                for row in accounts.staff_view(session)]
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "email", "name", "role", "language", "active", "status"])


@users.command("token")
@click.argument("email")
def token(email: str) -> None:
    """Issue another API token for a user."""
    with session_scope() as session:
        user = users_domain.get_user(session, email)
        value = users_domain.issue_token(session, user, label="issued from the CLI")
    click.echo(value)


@users.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
def password(email: str, password_stdin: bool) -> None:
    """Set the password EMAIL signs in to the press office with (scrypt-hashed)."""
    import sys

    from core.errors import InvalidInput
    from web.passwords import check_strength, hash_password

    if password_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        check_strength(value)
    except ValueError as exc:
        raise InvalidInput("password", str(exc)) from None
    with session_scope() as session:
        user = accounts.set_password(session, users_domain.get_user(session, email), hash_password(value))
    click.echo(f"password set for {user.email}; sign in at /press/sign-in")


@users.command("reset-2fa")
@click.argument("email")
@click.option("--as", "actor_email", required=True, metavar="EMAIL", help="The admin who resets it.")
def reset_2fa(email: str, actor_email: str) -> None:
    """Remove EMAIL's authenticator and recovery codes (a lost phone) and end their sessions;
    they sign in with their password and set it up again. Logged in the account log."""
    from workflow.errors import RoleRequired
    from workflow.second_factor import reset

    with session_scope() as session:
        actor = users_domain.get_user(session, actor_email)
        if actor.role is not Role.ADMIN or not actor.active:
            raise RoleRequired(actor.email, "reset a second factor", [Role.ADMIN.value])
        user = users_domain.get_user(session, email)
        had_factor = reset(session, user, actor)
    if had_factor:
        click.echo(f"two-step sign-in reset for {user.email}; their sessions are ended")
    else:
        click.echo(f"{user.email} had no two-step sign-in; their sessions are ended")


@users.command("log")
@click.argument("email")
@json_option
def log(email: str, as_json: bool) -> None:
    """Show EMAIL's account log: sign-ins, failed attempts, sign-outs, ended sessions, second
    factors, invitations, roles, (de)activation and passwords set through links, with the
    fields a change changed (before → after)."""
    from workflow.account_log import differences, events

    with session_scope() as session:
        user = users_domain.get_user(session, email)
        logged = events(session, user.id or 0)
        rows = [{"at": e.at.isoformat(), "action": e.action, "actor": e.actor_label, "detail": e.detail, "ip": e.ip,
                 "before": e.before, "after": e.after} for e in logged]
        changes = ["; ".join(f"{field}: {old} → {new}" if old is not None else f"{field}: {new}"
                             for field, old, new in differences(e.before, e.after)) for e in logged]
    if as_json:
        print_json(rows)
    else:
        print_table([{**row, "change": change} for row, change in zip(rows, changes)],
                    ["at", "action", "actor", "change", "detail", "ip"])


@users.command("invite")
@click.argument("email")
@click.option("--name", required=True, help="Full name, as shown in the audit log.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--language", default=None, help="Interface and mail language (default: the default language).")
def invite(email: str, name: str, role: str, language: str | None) -> None:
    """Create a user without a password and mail them a one-time link to choose one."""
    with session_scope() as session:
        user = accounts.invite(session, None, email, name, role, language)
        address, days = user.email, max(1, get_settings().invitation_max_age // 86400)
    relay_now()
    click.echo(f"invitation for {address} queued; its link works once, for {days} days")


@users.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def role(email: str, role: str) -> None:
    """Give EMAIL another role (the last active admin keeps theirs)."""
    with session_scope() as session:
        user = accounts.change_role(session, None, users_domain.get_user(session, email), role)
        address, new = user.email, user.role.value
    click.echo(f"{address} is now {new}")


@users.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop EMAIL from signing in: sessions, API tokens and password links stop working."""
    with session_scope() as session:
        address = accounts.set_active(session, None, users_domain.get_user(session, email), False).email
    click.echo(f"{address} is deactivated")


@users.command("reactivate")
@click.argument("email")
def reactivate(email: str) -> None:
    """Let EMAIL sign in again with their password and API tokens."""
    with session_scope() as session:
        address = accounts.set_active(session, None, users_domain.get_user(session, email), True).email
    click.echo(f"{address} is active again")
