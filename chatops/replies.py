"""What the conversation service answers: frozen replies that surfaces render.

The console prints `Reply.text`; the Slack surface builds Block Kit from `Reply.run` and
`Reply.records` and uses `text` as the notification fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chatops.model import Risk
from chatops.results import Record

ReplyKind = Literal["answer", "question", "plan", "update", "result", "refusal", "notice"]


@dataclass(frozen=True)
class RunView:
    """Everything a plan or result message shows about a run, already in words."""

    id: str
    state: str
    runbook: str
    risk: Risk
    requester: str
    understood: str
    explanation: str
    steps: tuple[str, ...]
    changes: tuple[str, ...]
    blast_radius: tuple[str, ...]
    approvals: tuple[str, ...]
    needed: int
    approvers: str
    undo: str
    notes: tuple[str, ...] = ()
    outcome: str = ""
    progress: str = ""
    audit_id: int | None = None
    message_ref: str | None = None
    warnings: tuple[str, ...] = ()
    """What the dry-run warns an approver of (from the cluster: escape before markup)."""
    binding: str = ""
    """A short prefix of what approvals are bound to (plan and dry-run); a button shown with
    one binding can't approve another."""

    @property
    def awaiting_approval(self) -> bool:
        """Whether the plan is waiting for approval (show the buttons)."""
        return self.state == "proposed"


@dataclass(frozen=True)
class Reply:
    """One message back to the person: an answer, a question, a plan, an update or result.

    `kind == "update"` means: change the run's existing message in place.
    """

    kind: ReplyKind
    text: str
    run: RunView | None = None
    choices: tuple[str, ...] = ()
    records: tuple[Record, ...] = ()
    ephemeral: bool = False
