"""The project's small error tree.

Two families matter to callers:

* `Refusal`: the request cannot be done as asked; the message is safe to show a user and
  carries a hint of what to do next. Nothing was changed.
* `ClusterError`: Kubernetes said no or could not be reached; `Retryable` vs `Permanent`
  tells the caller whether trying again may help.

Anything else that escapes is a bug: surfaces log it and show a generic apology, never a
traceback.
"""

from __future__ import annotations


class ChatOpsError(Exception):
    """Base of every error the project raises on purpose."""


class Refusal(ChatOpsError):
    """A user-facing refusal: `message` says what is wrong, `hint` what to do instead."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return with_hint(self.message, self.hint)


def with_hint(message: str, hint: str) -> str:
    """A message and its hint as two sentences: a message without its own full stop gets
    one ("... in namespace staging Autoscaled deployments here" read as one sentence)."""
    message, hint = message.strip(), hint.strip()
    if not hint:
        return message
    if message and message[-1] not in ".!?:":
        message += "."
    return f"{message} {hint}"


class SlotError(Refusal):
    """A slot value failed validation; raised before anything is rendered."""

    def __init__(self, slot: str, message: str, hint: str = "") -> None:
        super().__init__(f"{slot}: {message}", hint)
        self.slot = slot


class UnknownRunbook(Refusal):
    """The named runbook (intent) is not in the catalogue."""


class GrammarError(Refusal):
    """An explicit `run <intent> key=value ...` command could not be parsed."""


class RunbookInvalid(ChatOpsError):
    """A runbook file breaks the schema; `path` and `field` locate the problem."""

    def __init__(self, path: str, field: str, message: str) -> None:
        super().__init__(f"{path}: {field}: {message}")
        self.path = path
        self.field = field
        self.message = message


class ClusterError(ChatOpsError):
    """Kubernetes refused or failed a request. `message` is safe to show a user."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Retryable(ClusterError):
    """A temporary failure (429, 5xx, conflict, timeout): trying again may help."""


class Permanent(ClusterError):
    """A failure that will not go away by retrying (403, 404, invalid request)."""


class Forbidden(Permanent):
    """The cluster's RBAC denied the caller's identity."""


class NotFound(Permanent):
    """The named object does not exist; `suggestions` holds close existing names."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = (), hint: str = "") -> None:
        super().__init__(message, hint)
        self.suggestions = suggestions


class MissingSlots(Refusal):
    """Required slots are not filled yet; `needed` pairs each slot name with its question."""

    def __init__(self, runbook: str, needed: tuple[tuple[str, str], ...]) -> None:
        names = ", ".join(name for name, _ in needed)
        super().__init__(f"{runbook} needs {names}.", needed[0][1] if needed else "")
        self.runbook = runbook
        self.needed = needed
