"""Running the `pressroom` command in-process and checking how it ended, for the CLI tests."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import CliRunner, Result

from cli.main import cli

Run = Callable[..., Result]


def invoker() -> Run:
    """A function that runs `pressroom ARGS…` and returns click's result (exceptions propagate)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def ok(result: Result) -> Result:
    """The result of a command that must have succeeded."""
    assert result.exit_code == 0, result.output + result.stderr
    return result


def fails(result: Result, code: int, message: str) -> None:
    """A refusal: exit `code`, `message` in one line on stderr, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.stderr)
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
