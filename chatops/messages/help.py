"""What the bot can do, and what it says when it did not understand."""

from __future__ import annotations

from collections.abc import Sequence


def help_text(runbooks: list[tuple[str, str, str]]) -> str:
    """What the bot can do: each runbook with its risk and description, and the meta words."""
    lines = ["I can run these runbooks (ask in plain words, or `run NAME key=value ...`):"]
    lines += [f"  {name} [{risk}]: {description}" for name, risk, description in runbooks]
    lines.append("In a thread: `cancel` drops the pending request, `undo` reverses the last "
                 "change, `and in staging?` repeats the last request elsewhere.")
    return "\n".join(lines)


def unsure_text(close: Sequence[str]) -> str:
    """The model's best guesses were too weak to act on; the closest runbooks instead."""
    options = ", ".join(f"`{name}`" for name in close)
    return ("I'm not sure what you want me to do, so I won't guess. "
            f"Closest runbooks: {options}. Say it differently, or use `run NAME key=value ...`.")
