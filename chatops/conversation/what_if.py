"""A question of what a change would do ("what would happen if I scaled checkout-api to 0
in prod?", "is it safe to drain node-2?", "dry-run a restart of api", a kubectl command
with `--dry-run`): answered with the change's server-side dry-run as the asker, and nothing
is proposed.

A user trial asked "what would happen if I scaled X to 0?" and got "outside what I can
do": the model reads such questions out of scope (no runbook answers a question), and a
question read as the change would be a plan nobody asked for, which any approver could
approve. The preview is the plan's own (its diff, the pods it touches, its warnings), and
the change is offered as a choice: taking it asks for it, with the approvals the policy
requires, like any request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatops.conversation.asking import negated
from chatops.conversation.glued import as_written
from chatops.conversation.guards import guard
from chatops.conversation.kinds import foreign_object, plain_text
from chatops.conversation.partial import WHOLE, spares_part
from chatops.conversation.runbook_words import runbooks_asked_about
from chatops.model import ParsedIntent
from chatops.runbook.schema import Runbook

_WHAT_IF = re.compile(
    # what would happen if I scaled it to 0, what'll break, what happens when we drain it
    r"\bwhat(?:'d|'ll|\s+(?:would|will|could|might))\s+(?:happen|break|change|go\s+wrong|"
    r"be\s+(?:affected|impacted|hit))\b"
    r"|\bwhat\s+(?:happens|breaks|changes|goes\s+wrong)\s+(?:if|when)\b"
    r"|\bwhat\s+if\s+(?:i|we|you|u|someone|somebody)\b"
    # what would a rollback of api do, what would restarting it touch
    r"|\bwhat\s+(?:would|will|might|could)\s+(?:\S+\s+){1,8}?(?:do|change|affect|touch|"
    r"break|look\s+like)\b"
    # what's the impact of draining node-2, what would the blast radius of a restart be
    r"|\bwhat(?:'s|\s+is|\s+would\s+be|\s+will\s+be)\s+the\s+(?:impact|effect|"
    r"blast[\s-]+radius|consequences?|fallout)\s+(?:of|from)\b"
    # would restarting it cause downtime, would a drain take the api down
    r"|\bwould\s+(?:\S+\s+){1,8}?(?:break|affect|hurt|cause|take\s+(?:\S+\s+){0,2}down|"
    r"drop|impact|kill|disrupt)\b"
    r"|\b(?:is|would)\s+it\s+(?:be\s+)?safe\s+to\b"
    r"|\bhow\s+(?:bad|risky|safe|disruptive|dangerous)\s+(?:would|is|will)\b"
    # advice asked on one change: should we restart api, do you think we should roll back,
    # is it a good idea to drain node-1 (session 42's trial: "outside what I can do")
    r"|^\W*(?:(?:hey|hi|ok|okay|so|quick\s+question|qq)\W+)*(?:should|shall)\s+(?:we|i)\b"
    r"|\b(?:do|would)\s+(?:you|u)\s+(?:think|say|recommend|advise)\s+(?:that\s+)?(?:we|i)\s+"
    r"(?:should|could)\b"
    r"|\bis\s+it\s+(?:a\s+)?(?:good|bad|wise|sane)\s+idea\s+to\b"
    r"|\bwould\s+it\s+be\s+(?:wise|ok|okay|better|smart)\s+to\b",
    re.IGNORECASE)
# A preview asked for as the message's order: "dry-run a restart of api", "can you preview
# scaling it to 5". Said after an order ("restart api, preview first") or of one done ("the
# preview looked good, restart api") it is a request's words, not a question.
_PREVIEW_ORDER = re.compile(
    r"^\W*(?:(?:hey|hi|ok|okay|so|please|pls|plz|just|first|quick|can\s+(?:you|u|i|we)|"
    r"could\s+(?:you|u|i|we)|would\s+(?:you|u)|let'?s|lets)\W+)*"
    r"(?:dry[\s-]?run|preview|simulate)\b(?!\s+(?:was|is|looked|looks|showed|shows|came))",
    re.IGNORECASE)
_QUESTION = re.compile(r"\?|^\W*(?:(?:hey|hi|ok|okay|so|quick\s+question|qq)\W+)*(?:what|"
                       r"would|is|how|does|do|will|could|can|suppose|supposing|imagine)\b",
                       re.IGNORECASE)
# A dry run asked for, by kubectl's flag wherever it stands ("kubectl scale deploy api
# --replicas=0 --dry-run=server", "scale api to 0 in prod --dry-run") or in words ("[dry
# run]", "in dry-run mode"), or another tool's preview flag (`--what-if`, `--check`,
# `--noop`). Session 50's reviews: each was planned for approval as the real change,
# including dashes a chat client or an input method turned into "—" or "ー", spellings
# ("--dry run", "dry-run=server", "--server-dry-run"), Slack italics around it, and a later
# `--dry-run=none` (kubectl's last flag wins; here any dry run asked for does).
_DRY_RUN_FLAG = re.compile(
    r"(?<![\w-])(?<!no )(?<!skip )(?<!skip the )(?<!without )(?<!without a )"
    r"(?<!no need for )(?<!no need for a )[\"'(_*\[]?(?:-{1,3} ?)?(?:server-?)?"
    r"dry[-_. ]?run(?:ning|-[a-z]+)?(?:(?:=| +)[\"']?(client|server|true|none|false)\b"
    r"[\"']?)?(?![\w-])[\"')_*\]]?"
    # Not one done already: "the dry run looked fine, restart api" asks for the change.
    r"(?! +(?:was|is|looked|looks|showed|shows|came|passed|went|worked|succeeded)\b)"
    r"|(?<![\w-])-{1,3}(?:what-?if|check|noop)(?![\w-])",
    re.IGNORECASE)
# "what would you do?", "should we restart it or roll back?": advice, not a preview; a
# question of the past ("what happened when we restarted it") is the history's.
_NOT_WHAT_IF = re.compile(r"\bwhat\s+(?:would|should)\s+(?:you|u|we|i)\s+do\b|\bhappened\b",
                          re.IGNORECASE)


def asks_what_if(text: str, *, read_as_change: bool = False) -> bool:
    """Whether `text` asks what a change would do, rather than for it. A message the model
    read as the change itself must be a question or open with the preview it asks for
    ("restart api to reduce the impact of the leak" is an order, and stays one)."""
    if _NOT_WHAT_IF.search(text):
        return False
    if _PREVIEW_ORDER.search(text):
        return True
    if _WHAT_IF.search(text) is None:
        return False
    return not read_as_change or _QUESTION.search(text) is not None


def without_dry_run(text: str) -> str | None:
    """A message that asks for a dry run (`_DRY_RUN_FLAG`), without the words that ask for
    it: the change it asks to preview, as read without them; None for any other message,
    or where every such flag says `none` or `false`."""
    plain = plain_text(text)
    flags = list(_DRY_RUN_FLAG.finditer(plain))
    if all((flag.group(1) or "").lower() in ("none", "false") for flag in flags):
        return None  # none asked for (also no flag at all)
    for flag in reversed(flags):
        rest = plain[flag.end():].lstrip()
        joint = "" if not rest or rest[0] in "`'\")]," else " "
        plain = plain[:flag.start()].rstrip() + joint + rest
    return plain.strip()


def change_asked_about(text: str, parsed: ParsedIntent, changes: Iterable[str],
                       ) -> str | None:
    """The one change (of `changes`, the runbooks that change something) a what-if question
    is about: the model's reading when it read one of them and the words name no other,
    else the one the words name; None when `text` asks no such question, or names none or
    several."""
    known = tuple(changes)
    if not asks_what_if(text, read_as_change=parsed.intent in known):
        return None
    named = runbooks_asked_about(text, known)
    if parsed.intent in known and set(named) <= {parsed.intent}:
        return parsed.intent
    return named[0] if len(named) == 1 else None


def refused_as_an_order(text: str, parsed: ParsedIntent, runbook: Runbook) -> bool:
    """Whether the guards would refuse the change a what-if is about, asked as an order: a
    creation, another kind of object ("the checkout-api database"), several objects, a
    negation ("if we did NOT restart it"), a name with a command glued to it, a drain that
    spares pods. Its preview would show, and offer, a change other than the one asked
    about (an attacker review), so there is none."""
    slots = runbook.slots
    verdict = guard(text, parsed.spans, slots, runbook.name)
    types = {name: spec.type for name, spec in slots.items()}
    # The question has no order for the guards' head: the whole of it is read as one.
    return (verdict.creation or verdict.kind is not None or verdict.many is not None
            or verdict.deletes is not None
            or foreign_object(text, parsed.spans, slots, (0, len(text))) is not None
            or negated(text) or bool(as_written(text, parsed.spans, types))
            or (runbook.name in WHOLE and spares_part(text)))


_OBJECTS = frozenset({"deployment", "cronjob", "node", "pod"})


def names_its_object(parsed: ParsedIntent, runbook: Runbook) -> bool:
    """Whether the model tagged the object the change acts on: "what happens if we pause the
    rollout?" names none, the words of a change nobody means (two out-of-scope messages of
    the blind sets), not a preview to ask values for."""
    return any(parsed.slots.get(name) for name, spec in runbook.slots.items()
               if spec.type in _OBJECTS)
