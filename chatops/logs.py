"""Logging setup for the CLI; library modules only ever call `logging.getLogger(__name__)`."""

from __future__ import annotations

import json
import logging
import re
import sys

# Slack tokens, bearer tokens and basic-auth passwords never reach a log line.
_SECRET = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|(?i:bearer)\s+[A-Za-z0-9._~+/=-]+"
    r"|(?<=://)[^/\s:@]+:[^/\s@]+(?=@))"
)


def scrub(text: str) -> str:
    """Replace anything that looks like a token or password with `[redacted]`."""
    return _SECRET.sub("[redacted]", text)


class _ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        return True


class _TextFormatter(logging.Formatter):
    """Plain lines; the whole line is scrubbed, the traceback included (an exception's
    message may quote what a remote service sent back, tokens too)."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(payload)


def configure_logging(level: int = logging.WARNING, *, json_lines: bool = False) -> None:
    """Send logs to stderr as text or JSON lines, with secrets scrubbed."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ScrubFilter())
    handler.setFormatter(
        _JsonFormatter() if json_lines
        else _TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
