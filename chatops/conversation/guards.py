"""Guards: the second line behind the model, in one verdict.

The dialogue and the incident benchmarks judge a message the same way, through `guard`:
a creation request (`scope.py`), a target named as a kind no runbook changes (`kinds.py`)
or as a stateful system's member or an operator's resource (`stateful.py`), talk that does
not ask for the change (`asking.py`, `talk.py`), or asks someone else, or asks for one the
runbook does not make (`asking.py`, and `other_verbs.py` for a verb no runbook does), or
many objects at once where the runbook changes one (`asking.py`), or a deletion of
anything but a pod (`deletions.py`), or only reports trouble (`trouble_words.py`). Any of
them turns a mutating answer down.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from chatops.conversation.asking import (
    addressed_elsewhere,
    bulk_request,
    general_question,
    not_a_request,
    order_head,
    other_change,
    request_text,
    run_without_its_change,
    wrong_rotation,
)
from chatops.conversation.deletions import deleted_kind
from chatops.conversation.kinds import foreign_object, other_kind, target_of
from chatops.conversation.other_verbs import foreign_verb
from chatops.conversation.pasted import kind_in_manifest
from chatops.conversation.scope import asks_to_create
from chatops.conversation.stateful import stateful_target
from chatops.conversation.talk import just_talk
from chatops.conversation.trouble_words import reported_only
from chatops.model import SlotSpan


@dataclass(frozen=True)
class Verdict:
    """What the guards found in one message read as a runbook with some slots."""

    creation: bool
    """It asks to create something."""
    kind: str | None
    """The kind no runbook changes that its target is named as ("statefulset")."""
    not_asked: bool
    """It does not ask for that change: a general question, talk about a change, or a
    change the runbook does not make."""
    many: str | None = None
    """The kind it asks to change many of at once ("all deployments"), when the runbook
    changes one."""
    deletes: str | None = None
    """The kind it asks to delete, when no runbook deletes it (anything but a pod)."""
    reported: bool = False
    """It only reports trouble, and the change read into it has no value to set: a read
    answers it, never a change (a read runbook's answer stays)."""

    @property
    def only_reported(self) -> bool:
        """Whether only the report guard turns it down: the read for the trouble answers
        it, where any other guard's answer says more ("I can't create ...")."""
        return (self.reported and not self.creation and self.kind is None
                and not self.not_asked and self.many is None)

    @property
    def turned_down(self) -> bool:
        """Whether a mutating answer to it is turned down."""
        return (self.creation or self.kind is not None or self.not_asked
                or self.many is not None or self.deletes is not None or self.reported)


def guard(text: str, spans: Iterable[SlotSpan], slots: Collection[str],
          intent: str = "", whole: str = "") -> Verdict:
    """The guards' verdict on `text`, read as the runbook `intent` declaring `slots`, with
    `spans`. `whole`: the message as sent, when `text` is only the person's own words of
    it (`pasted.py`); talk found in the whole of it holds the change too, since a line
    taken for pasted may be the person's own ("restart api in prod\n> don't": an
    attacker review), and so does another kind it names the target as."""
    spans = tuple(spans)
    verdict = _verdict(text, spans, slots, intent)
    if not whole or whole == text or (verdict.not_asked and verdict.kind):
        return verdict
    # The target's name where the whole message has it: a paste may say what kind it is
    # ("restart kafka" above `statefulset.apps/kafka`: an attacker set got it past). Only
    # the object's: read at a namespace, the kind checks took "CrashLoopBackOff" in a
    # pasted table for a custom resource.
    lowered = whole.lower()
    where = tuple(SlotSpan(span.slot, found.start(), found.end(), whole[found.start():found.end()])
                  for span in spans if span.slot in _OBJECTS and span.text.strip()
                  for found in re.finditer(rf"(?<![\w.-]){re.escape(span.text.lower())}(?![\w-])",
                                           lowered))
    told = _verdict(whole, where, slots, intent)
    manifest = next((kind for span in spans if span.slot in _OBJECTS
                     and (kind := kind_in_manifest(whole, span.text)) not in (None, span.slot)),
                    None)
    # Another kind only as the whole message names the target: with no target named, its
    # check reads any word anywhere ("KubePodNotReady" in an alert's title).
    return replace(verdict, not_asked=verdict.not_asked or told.not_asked,
                   kind=verdict.kind or (told.kind if where else None) or manifest)


_OBJECTS = frozenset(("deployment", "pod", "cronjob", "node"))
"""The slots of an object a pasted manifest may say is of another kind."""


def _verdict(text: str, spans: Iterable[SlotSpan], slots: Collection[str],
             intent: str) -> Verdict:
    # A name's possessive stays with it here ("cache-warmer's job pods"): the words after
    # it are about the name, as the guards read them (the decoding ends the value before it).
    spans = tuple(_with_possessive(text, span) for span in spans)
    return Verdict(
        # Creation words in the context after the order ("roll back checkout, v2 was deployed
        # for the first time yesterday") are not what is asked.
        creation=asks_to_create(request_text(text), autoscaler=intent != "scale_deployment"),
        kind=other_kind(text, spans, target_of(slots)) or (
            foreign_object(text, spans, slots, head) if (head := order_head(text)) else None)
        or stateful_target(text, spans, slots),
        not_asked=(general_question(text, spans) or not_a_request(text)
                   or other_change(slots, text) or addressed_elsewhere(text, spans)
                   or run_without_its_change(intent, text) or wrong_rotation(intent, text)
                   or foreign_verb(text) is not None or just_talk(text, spans)),
        many=bulk_request(text, spans, slots),
        deletes=deleted_kind(text, spans),
        reported=reported_only(text, (span.slot for span in spans)),
    )


_POSSESSIVE = re.compile(r"['\u2019]s?(?![\w])")


def _with_possessive(text: str, span: SlotSpan) -> SlotSpan:
    found = _POSSESSIVE.match(text, span.end)
    if found is None:
        return span
    return SlotSpan(span.slot, span.start, found.end(), text[span.start:found.end()])
