"""Block Kit templates: replies and runs as Slack messages, and the Edit modal.

Everything a Slack user reads is built here from `RunView` fields and the texts of
`chatops.messages` (the Slack surface's own labels in `chatops.messages.slack`), so wording
stays in reviewed places. Text that came from the domain
(which may echo what a user typed) is escaped, so nobody can make the bot say
`<!channel>` or a fake link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chatops.messages import (
    CHOOSE_PLACEHOLDER,
    CONFIRM_APPROVE,
    CONFIRM_CANCEL,
    RISK_WORDS,
    confirm_approve_text,
    confirm_approve_title,
    numbered_choices,
)
from chatops.messages.slack import (
    APPROVE_LABEL,
    CHANGES_HEADING,
    DENY_LABEL,
    EDIT_CLOSE,
    EDIT_LABEL,
    EDIT_SUBMIT,
    EDIT_TITLE,
    STATE_WORDS,
    approved_by_text,
    asked_text,
    edit_intro_text,
    more_lines_text,
    note_text,
    pending_status_text,
    pods_affected_text,
    run_context_text,
    undo_line_text,
    warning_text,
)
from chatops.model import Risk
from chatops.replies import Reply, RunView

Block = dict[str, Any]

APPROVE = "chatops_approve"
DENY = "chatops_deny"
EDIT = "chatops_edit"
EDIT_VIEW = "chatops_edit_view"
"""Action and callback ids; the run id follows a colon (`chatops_approve:r-1a2b3c4d`)."""
CHOOSE = "chatops_choose"
"""The action id of a choice: the button's index follows a colon (`chatops_choose:0`), or
`chatops_choose:menu` for the menu of a longer list; the value is the choice itself."""
CHOICES_BLOCK = "choices"
"""The block id of the controls under a question with choices."""
MAX_BUTTONS = 5
"""Up to this many choices are buttons; more are a menu (`static_select`)."""
MENU_LIMIT = 100
"""Slack's limit on a menu's options (and 150 characters for a value)."""

SECTION_LIMIT = 2900
"""Slack rejects section text over 3000 characters; leave room for the code fences."""
MAX_SECTIONS = 12
"""A message may hold 50 blocks; long outputs are cut well before that."""
WARNING_LIMIT = 600
"""Characters of one dry-run warning shown (the step's own text keeps it whole)."""
CONFIRM_PODS = 3
"""Approving a plan that affects more pods than this asks for confirmation first."""
CONFIRM_TEXT_LIMIT = 300
"""Slack's limit on a confirmation dialog's text."""
FALLBACK_LIMIT = 3000
"""Notification text (shown where blocks are not) is cut to this many characters."""

_STATE_ICONS = {
    "proposed": ":hourglass_flowing_sand:", "approved": ":white_check_mark:",
    "running": ":gear:", "succeeded": ":white_check_mark:", "failed": ":x:",
    "denied": ":no_entry_sign:", "expired": ":clock3:", "cancelled": ":heavy_minus_sign:",
    "interrupted": ":warning:", "scheduled": ":calendar:",
}
_KIND_ICONS = {"refusal": ":no_entry_sign: ", "question": ":grey_question: ",
               "notice": ":information_source: "}


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fallback_text(text: str) -> str:
    """The `text` sent next to blocks (notifications, screen readers): escaped like the
    blocks, so it cannot ping `<!channel>` or show a fake link, and cut to FALLBACK_LIMIT."""
    escaped = escape(text)
    if len(escaped) <= FALLBACK_LIMIT:
        return escaped
    # Don't leave half an entity ("&l") at the cut.
    return re.sub(r"&[a-z]{0,3}$", "", escaped[: FALLBACK_LIMIT - 1]) + "…"


# A zero-width space between backticks: a run of them can no longer close the ``` fence
# (nor lengthen it at the edges), and the text still looks the same, where replacing ```
# with look-alike characters would change what people read and copy from a log.
_ZWSP = "\u200b"


def _break_backtick_runs(text: str) -> str:
    return re.sub(r"`(?=`)", "`" + _ZWSP, text)


def _fence(text: str) -> str:
    """`text` (escaped, backtick runs broken) as a code block nothing inside can end."""
    if text.startswith("`"):
        text = _ZWSP + text
    if text.endswith("`"):
        text += _ZWSP
    return f"```{text}```"


def capped(text: str, limit: int = WARNING_LIMIT) -> str:
    """`text` cut to `limit` characters (a warning built from the cluster may list many)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split on line boundaries into pieces under `limit`; cut very long outputs."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    lines = text.splitlines() or [""]
    for index, raw in enumerate(lines):
        line = capped(raw, limit)
        if size + len(line) + 1 > limit and current:
            pieces.append("\n".join(current))
            current, size = [], 0
            if len(pieces) == MAX_SECTIONS:
                pieces[-1] += "\n" + more_lines_text(len(lines) - index)
                return pieces
        current.append(line)
        size += len(line) + 1
    pieces.append("\n".join(current))
    return pieces


def code_blocks(text: str) -> list[Block]:
    """Preformatted text (tables, logs, diffs) as one or more code sections."""
    # Escaped before it is split, so the pieces' sizes are what Slack counts.
    return [_section(_fence(piece)) for piece in _chunks(_break_backtick_runs(escape(text)))]


def text_blocks(text: str, prefix: str = "") -> list[Block]:
    """Prose as one or more mrkdwn sections."""
    pieces = _chunks(escape(text))
    pieces[0] = prefix + pieces[0]
    return [_section(piece) for piece in pieces]


def _button(text: str, action: str, run_id: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": {"type": "plain_text", "text": text},
                     "action_id": f"{action}:{run_id}", "value": run_id}
    if style:
        button["style"] = style
    return button


def _status_line(view: RunView) -> str:
    """Where the run is: approvals x of y, who approved, progress or the outcome."""
    word = f"{_STATE_ICONS.get(view.state, '')} *{STATE_WORDS.get(view.state, view.state)}*"
    got = ", ".join(view.approvals)
    if view.state == "proposed":
        return pending_status_text(word, len(view.approvals), view.needed, escape(got),
                                   escape(view.approvers))
    parts = [word]
    if got:
        parts.append(approved_by_text(escape(got)))
    if view.progress:
        parts.append(escape(view.progress))
    return " · ".join(parts)


def run_blocks(view: RunView) -> list[Block]:
    """A run's message: understood, diff, blast radius, approvals, buttons or outcome."""
    risk = RISK_WORDS.get(view.risk, str(view.risk))
    blocks: list[Block] = [
        _section(f"*{escape(view.understood)}*\n{escape(view.explanation)}"),
        _context(run_context_text(view.id, escape(view.runbook), risk,
                                  escape(view.requester))),
    ]
    if view.notes:
        blocks.append(_context("\n".join(note_text(escape(n)) for n in view.notes)))
    if view.changes:
        blocks.append(_section(CHANGES_HEADING))
        blocks += code_blocks("\n".join(view.changes))
    if view.blast_radius:
        pods = ", ".join(view.blast_radius[:8])
        blocks.append(_section(pods_affected_text(len(view.blast_radius), escape(pods),
                                                  len(view.blast_radius) - 8)))
    if view.warnings:
        lines = "\n".join(warning_text(escape(capped(w))) for w in view.warnings)
        blocks += [_section(piece) for piece in _chunks(lines)]
    blocks.append(_section(_status_line(view)))
    if view.outcome:
        blocks += text_blocks(view.outcome)
    if view.undo:
        blocks.append(_context(undo_line_text(escape(view.undo))))
    if view.awaiting_approval:
        block_id = f"run:{view.id}:{view.binding}" if view.binding else f"run:{view.id}"
        approve = _button(APPROVE_LABEL, APPROVE, view.id, "primary")
        if needs_confirmation(view):
            approve["confirm"] = approve_confirmation(view)
        blocks.append({"type": "actions", "block_id": block_id, "elements": [
            approve,
            _button(DENY_LABEL, DENY, view.id, "danger"),
            _button(EDIT_LABEL, EDIT, view.id),
        ]})
    return blocks


def pod_namespaces(pods: Sequence[str]) -> list[str]:
    """The namespaces of the affected pods (`namespace/name`), each once, in order."""
    found: list[str] = []
    for pod in pods:
        namespace, slash, _ = pod.partition("/")
        if slash and namespace not in found:
            found.append(namespace)
    return found


def needs_confirmation(view: RunView) -> bool:
    """Whether approving asks "are you sure?" first: a critical runbook, or a blast radius
    over CONFIRM_PODS pods or across more than one namespace."""
    return (view.risk is Risk.CRITICAL or len(view.blast_radius) > CONFIRM_PODS
            or len(pod_namespaces(view.blast_radius)) > 1)


def approve_confirmation(view: RunView) -> Block:
    """Slack's confirmation dialog on Approve, naming what will happen."""
    text = confirm_approve_text(view.steps, len(view.blast_radius),
                                pod_namespaces(view.blast_radius))
    if len(text) > CONFIRM_TEXT_LIMIT:
        text = text[: CONFIRM_TEXT_LIMIT - 1] + "…"
    return {"title": _plain(confirm_approve_title(view.risk is Risk.CRITICAL)),
            "text": _plain(text), "confirm": _plain(CONFIRM_APPROVE),
            "deny": _plain(CONFIRM_CANCEL), "style": "danger"}


def result_blocks(view: RunView) -> list[Block]:
    """The short result posted in the thread when a run ends."""
    head = f"{_STATE_ICONS.get(view.state, '')} `{view.id}` {escape(view.understood)}"
    blocks = [_section(head)]
    if view.outcome:
        blocks += text_blocks(view.outcome)
    if view.undo and view.state == "succeeded":
        blocks.append(_context(undo_line_text(escape(view.undo))))
    return blocks


def status_blocks(view: RunView) -> list[Block]:
    """One line in the thread saying where a run now is (its message may be far above)."""
    return [_section(f"`{view.id}` {escape(view.understood)}\n{_status_line(view)}")]


def reply_blocks(reply: Reply) -> list[Block]:
    """Any reply that is not a run message: answers (tables as code), questions, refusals;
    a question's choices are controls under it (the text then doesn't number them)."""
    if reply.records:
        return code_blocks(reply.text)
    if not reply.choices:
        return text_blocks(reply.text, _KIND_ICONS.get(reply.kind, ""))
    text = reply.text.removesuffix(" " + numbered_choices(reply.choices))
    return [*text_blocks(text, _KIND_ICONS.get(reply.kind, "")), choice_block(reply.choices)]


def choice_block(choices: Sequence[str]) -> Block:
    """The controls of a question's choices: buttons, or a menu for more than a few."""
    elements: list[Block]
    if len(choices) <= MAX_BUTTONS:
        elements = [{"type": "button", "text": _plain(choice[:75]),
                     "action_id": f"{CHOOSE}:{index}", "value": choice}
                    for index, choice in enumerate(choices)]
    else:
        options: list[Block] = [{"text": _plain(choice[:75]), "value": choice}
                   for choice in choices if len(choice) <= 150][:MENU_LIMIT]
        elements = [{"type": "static_select", "action_id": f"{CHOOSE}:menu",
                     "placeholder": _plain(CHOOSE_PLACEHOLDER), "options": options}]
    return {"type": "actions", "block_id": CHOICES_BLOCK, "elements": elements}


def offered_choices(blocks: Any, block_id: str, action_id: str) -> tuple[str, ...]:
    """The values a message's control `action_id` (in block `block_id`) offered: a button's
    one value, a menu's options; none when the message has no such control."""
    if block_id != CHOICES_BLOCK or not isinstance(blocks, list):
        return ()
    for block in blocks:
        if not isinstance(block, dict) or block.get("block_id") != block_id:
            continue
        for element in block.get("elements") or ():
            if not isinstance(element, dict) or element.get("action_id") != action_id:
                continue
            if element.get("type") == "button":
                return (str(element.get("value")),)
            return tuple(str(o.get("value")) for o in element.get("options") or ()
                         if isinstance(o, dict))
    return ()


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text}


def asked_context(user: str, command: str, text: str) -> Block:
    """Who asked what, shown above the bot's first message in the channel."""
    return _context(asked_text(user, escape(command), escape(text)))


@dataclass(frozen=True)
class SlotField:
    """One editable slot in the Edit modal."""

    name: str
    value: str
    required: bool
    hint: str = ""


def edit_modal(run_id: str, runbook: str, fields: Sequence[SlotField],
               metadata: dict[str, str]) -> dict[str, Any]:
    """The Edit modal: one text input per slot, prefilled; submitting re-plans the run."""
    blocks: list[Block] = [_context(edit_intro_text(run_id, escape(runbook)))]
    for spec in fields:
        element: Block = {"type": "plain_text_input", "action_id": "value"}
        if spec.value:
            element["initial_value"] = spec.value
        block: Block = {"type": "input", "block_id": f"slot:{spec.name}",
                        "optional": not spec.required, "element": element,
                        "label": {"type": "plain_text", "text": spec.name[:2000]}}
        if spec.hint:
            block["hint"] = {"type": "plain_text", "text": spec.hint[:2000]}
        blocks.append(block)
    return {
        "type": "modal",
        "callback_id": EDIT_VIEW,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": EDIT_TITLE},
        "submit": {"type": "plain_text", "text": EDIT_SUBMIT},
        "close": {"type": "plain_text", "text": EDIT_CLOSE},
        "blocks": blocks,
    }
