"""Logs never contain tokens: in messages, in tracebacks, as text or as JSON lines."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from chatops.cli.main import cli
from chatops.logs import configure_logging

TOKEN = "xoxb-1234567890-abcdefghijklmnop"


@pytest.mark.parametrize("json_lines", [False, True])
def test_a_token_in_a_traceback_is_scrubbed(capsys: pytest.CaptureFixture[str],
                                            json_lines: bool) -> None:
    configure_logging(logging.INFO, json_lines=json_lines)
    try:
        try:
            raise RuntimeError(f"Slack refused the token {TOKEN}")
        except RuntimeError:
            logging.getLogger("chatops.test").exception("posting failed with %s", TOKEN)
    finally:
        logging.getLogger().handlers[:] = []
    err = capsys.readouterr().err
    assert "Slack refused the token" in err and "posting failed" in err
    assert TOKEN not in err
    if json_lines:
        line = json.loads(err.strip().splitlines()[-1])
        assert line["level"] == "ERROR" and "[redacted]" in line["exception"]


def test_log_format_is_a_choice() -> None:
    result = CliRunner().invoke(cli, ["--log-format", "xml", "settings"])
    assert result.exit_code == 2 and "xml" in result.output
