"""The `pressroom` command and the one place where errors become messages and exit codes."""

from __future__ import annotations

import logging
from typing import Any

import click
from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.exc import OperationalError, ProgrammingError

from core.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    PressroomError,
)

# Exit codes, documented in the README: scripts can tell a refusal from a missing thing.
EXIT_CODES: list[tuple[type[PressroomError], int]] = [
    (InvalidInput, 2),
    (NotFound, 3),
    (NotAllowed, 4),
    (Conflict, 5),
    (ConfigurationError, 6),
    (PressroomError, 1),
]


# Long-running commands log what they do (INFO) unless PRESSROOM_LOG_LEVEL says otherwise.
SERVICES = frozenset({"web", "worker", "beat", "serve"})


def exit_code(error: PressroomError) -> int:
    return next(code for kind, code in EXIT_CODES if isinstance(error, kind))


class PressroomGroup(click.Group):
    """A command group that prints domain errors as one line on stderr, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PressroomError as error:
            click.echo(f"error: {error.message}", err=True)
            ctx.exit(exit_code(error))
        except ValidationError as error:  # settings from the environment
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            message = str(first["msg"]).removeprefix("Value error, ")
            click.echo(f"error: invalid setting {where}: {message}".replace("invalid setting : ", "invalid settings: "), err=True)
            ctx.exit(6)
        except SettingsError as error:
            click.echo(f"error: invalid settings: {error}", err=True)
            ctx.exit(6)
        except (OperationalError, ProgrammingError) as error:
            from cli.check import shown_database
            from core.settings import get_settings

            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            click.echo(
                f"error: database problem: {reason} (database {shown_database(get_settings().database_url)}: "
                "is PRESSROOM_DATABASE_URL or PRESSROOM_DATA_DIR right, and has `pressroom db upgrade` run?)",
                err=True,
            )
            ctx.exit(6)


@click.group(cls=PressroomGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens underneath.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Pressroom: write, approve, publish and mail press releases."""
    from core.logging import configure_logging
    from core.settings import Settings

    try:
        settings = Settings()
    except (ValidationError, SettingsError):
        settings = None  # the command reports the bad setting; logging still needs a format
    default = "INFO" if ctx.invoked_subcommand in SERVICES else "WARNING"
    level = logging.getLevelName((settings.log_level if settings else "").upper() or default)
    if verbose:
        level = min(level, logging.INFO)
    configure_logging(level, settings.log_json if settings else None, service=ctx.invoked_subcommand)


def _register() -> None:
    from cli import (
        check,
        comments,  # noqa: F401  (adds its commands to `releases`)
        db,
        demo,
        distributions,
        failures,
        media,
        organisation,
        preview,
        processes,
        releases,
        serve,
        subscribers,
        topics,
        users,
        web,
        webhooks,
        workflows,
    )

    cli.add_command(db.db)
    cli.add_command(users.users)
    cli.add_command(organisation.organisation)
    cli.add_command(topics.topics)
    cli.add_command(workflows.workflows)
    cli.add_command(releases.releases)
    cli.add_command(media.media)
    cli.add_command(subscribers.lists)
    cli.add_command(subscribers.subscribers)
    cli.add_command(processes.worker)
    cli.add_command(processes.beat)
    cli.add_command(demo.demo)
    cli.add_command(preview.preview)
    cli.add_command(distributions.distributions)
    cli.add_command(distributions.bounces)
    cli.add_command(web.web)
    cli.add_command(serve.serve)
    cli.add_command(check.check)
    cli.add_command(webhooks.webhooks)
    cli.add_command(failures.failures)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="pressroom")
