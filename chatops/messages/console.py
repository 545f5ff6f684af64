"""The terminal console's own wording (`chatops shell`)."""

from __future__ import annotations

SHELL_GREETING = "Type a request (`help` lists runbooks), `approve ID`, `:as NAME`, `:quit`."
"""Printed once when the console opens on a terminal."""


def thread_text(thread: str) -> str:
    """Printed when the console opens on a terminal: this session's thread."""
    return (f"This session is thread {thread}; to continue it later: "
            f"`chatops shell --thread {thread}`.")


def speaking_as_text(user: str) -> str:
    """The console's answer to `:as NAME`."""
    return f"(now speaking as {user})"


def offered_text(choices: tuple[str, ...]) -> str:
    """The names a question offers as buttons in Slack, listed under it in the console
    (typing one of them, or any other name, answers)."""
    return "  you can answer: " + ", ".join(choices)


MENTION_NOT_FOR_ME = ("(that opens by mentioning someone: it is theirs, as in Slack, so I "
                      "did nothing; here, ask me without a mention)")
