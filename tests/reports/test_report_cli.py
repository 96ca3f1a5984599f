"""`pressroom releases report` and `distributions report` on what the suite's web test does not
reach: a release never mailed, an unknown release, and asking for two formats at once."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import cli
from tests.delivery.distribution_helpers import make_lists, publish_release


def test_a_release_never_mailed_says_so_and_unknown_ids_are_refused(db: str) -> None:
    make_lists()
    release_id = publish_release(lists=[], web_only=True)
    runner = CliRunner()
    shown = runner.invoke(cli, ["releases", "report", str(release_id)])
    assert shown.exit_code == 0 and "no mailing: the release was not mailed (yet)" in shown.output
    missing = runner.invoke(cli, ["releases", "report", "999999"])
    assert missing.exit_code == 3 and "release 999999" in missing.stderr
    both = runner.invoke(cli, ["distributions", "report", "1", "--json", "--csv"])
    assert both.exit_code == 2 and "choose one of --json and --csv" in both.output + both.stderr
