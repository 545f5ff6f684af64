"""Dialogue: what a message in a thread means. In order: `approve r-…` by id, an answer to
the question this person was asked, a follow-up (`and in staging?`), a meta word (`help`,
`cancel`, `undo`, `approve`), then the explicit grammar or the model."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal, cast

from chatops.audit.records import Cancelled, OutOfScope, Parsed, Reread
from chatops.conversation.approvals import Approvals
from chatops.conversation.asking import (
    CHANGE_VERBS,
    CHANGE_WORDS,
    RUNBOOK_CHANGES,
    negated,
    not_a_request,
    ordered_changes,
    ruled_out_changes,
    said_to_someone_else,
    taken_back,
)
from chatops.conversation.autoscaled_question import RIGHTSIZE, asks_if_autoscaled
from chatops.conversation.base import Collaborators, Turn, Updates, asked_by
from chatops.conversation.glued import as_written
from chatops.conversation.guards import Verdict, guard
from chatops.conversation.history_question import HISTORY, asks_what_changed, history_values
from chatops.conversation.hygiene_question import HYGIENE, check_as_named, hygiene_asked
from chatops.conversation.image_target import image_after_to
from chatops.conversation.image_words import image_as_named
from chatops.conversation.kinds import other_sense, target_of
from chatops.conversation.meta_words import YES_OR_NO, asks_back, says
from chatops.conversation.other_objects import others_named
from chatops.conversation.partial import (
    COUNTED,
    WHOLE,
    count_and_back,
    on_a_condition,
    opening_orders,
    ordered_instead,
    orders_by_item,
    other_orders,
    part_of_a_count,
    put_off,
    ruled_out,
    spares_part,
    takes_back,
    tells_what_happened,
    waits_for_event,
)
from chatops.conversation.pasted import asks_about_it, pasted_names
from chatops.conversation.placed import namespaces_holding, placed_where_it_is
from chatops.conversation.planning import Planner
from chatops.conversation.policy_question import rights_answer
from chatops.conversation.presenting import Presenter
from chatops.conversation.replica_words import only_a_count_order, replicas_in_words
from chatops.conversation.resolve import (
    MAX_OFFERED,
    NOT_A_NAME_PART,
    Question,
    every_namespace,
    namespace_beside,
    only_namespace_with,
)
from chatops.conversation.resource_field import bare_value
from chatops.conversation.restarts_question import asks_about_restarts, most_restarted
from chatops.conversation.running import Runner, UndoRequest
from chatops.conversation.said import decides_by_command
from chatops.conversation.small_talk import small_talk
from chatops.conversation.state_question import (
    UNSURE_FLOOR,
    asks_about_state,
    asks_cronjob_runs,
    question_of_state,
)
from chatops.conversation.symptoms import (
    DIAGNOSIS,
    EVENTS,
    cronjob_trouble,
    fix_asked,
    trouble_not_events,
    trouble_to_diagnose,
)
from chatops.conversation.talk import just_talk
from chatops.conversation.thread import (
    OFFER,
    OFFER_ASKING,
    LastRequest,
    PendingQuestion,
    ThreadContext,
    load_context,
    save_context,
)
from chatops.conversation.what_if import (
    asks_what_if,
    change_asked_about,
    names_its_object,
    refused_as_an_order,
    without_dry_run,
)
from chatops.errors import ClusterError, Refusal, SlotError
from chatops.messages import (
    AUTOSCALED_NOTE,
    CANCELLED_QUESTION,
    CHECK_FIRST_NOTE,
    CRONJOB_RUNS_NOTE,
    CRONJOB_TROUBLE_NOTE,
    DECIDE_IN_OWN_THREAD_HINT,
    DRY_RUN_NOT_PLANNED,
    EDIT_NOT_DECISION,
    EMPTY_MESSAGE,
    EMPTY_MESSAGE_HINT,
    HISTORY_NOTE,
    HYGIENE_NOTE,
    NAMESPACE_CHANGES_NOTE,
    NODE_QUESTION_NOTE,
    NOT_OWN_YES,
    NOT_THIS_CHANNEL,
    NOT_THIS_CHANNEL_HINT,
    NOT_UNDERSTOOD,
    NOTHING_TO_CANCEL,
    NOTHING_TO_UNDO,
    NOTHING_WAITING,
    ON_NODE_NOTE,
    OUTSIDE_SCOPE,
    QUESTION_NOT_DECISION,
    QUESTION_STILL_WAITS,
    RESTARTS_NOTE,
    THEIR_DECISION,
    TROUBLE_NOTE,
    WHICH_FIX,
    also_ordered_note,
    answer_first_text,
    answer_to_them_text,
    bare_decision_held_text,
    cancelled_text,
    cannot_change_kind_text,
    cannot_create_text,
    cannot_delete_text,
    carried_note,
    changes_in_channel_text,
    changes_in_namespace_text,
    changes_made_here_text,
    choice_question_text,
    count_and_back_text,
    edit_which_field_text,
    follow_up_elsewhere_text,
    help_text,
    image_after_to_note,
    most_restarts_text,
    no_namespace_follow_up_text,
    not_in_this_thread_text,
    noun_read_note,
    offer_with_values_note,
    one_at_a_time_text,
    one_change_at_a_time_text,
    one_namespace_at_a_time_text,
    one_workload_note,
    own_question_waits_text,
    part_of_a_count_text,
    pasted_note,
    piped_change_text,
    piped_note,
    preview_taken_how_text,
    put_off_text,
    question_someone_else_asked,
    ruled_out_note,
    ruled_out_text,
    several_changes_text,
    spares_nothing_text,
    state_read_note,
    taken_back_text,
    takes_back_text,
    undo_asked_text,
    undo_of_text,
    undoing_text,
    unsure_text,
    waiting_here_text,
    waits_for_event_text,
    which_named_text,
    which_request_text,
)
from chatops.messages.cronjobs import cronjob_state_text
from chatops.metrics import METRICS, confidence_bucket
from chatops.model import (
    META_INTENTS,
    OUT_OF_SCOPE,
    Identity,
    Message,
    ParsedIntent,
    Plan,
    Risk,
    SlotSpan,
    Step,
)
from chatops.ports import ResourceKind
from chatops.replies import Reply
from chatops.results import DeploymentInfo, HealthSummary, PodInfo
from chatops.runbook.grammar import starts_with_run
from chatops.runbook.schema import Runbook
from chatops.runbook.slots import parse_slot
from chatops.runs import ApprovalDecision, Asked, Run, RunState
from chatops.schedules.context import ACTS
from intents.kubectl import without_filter

_META_WORDS = {
    "help": "help", "?": "help", "cancel": "cancel", "stop": "cancel", "nevermind": "cancel",
    "never mind": "cancel", "nvm": "cancel", "forget it": "cancel", "never mind that": "cancel",
    "undo": "undo", "revert that": "undo", "approve": "confirm",
    # "roll back" alone is read as the undo (0.98); "rollback" alone was "not sure".
    "rollback": "undo", "roll back": "undo", "revert": "undo",
    "confirm": "confirm", "yes": "confirm", "deny": "deny", "reject": "deny", "no": "deny",
}
_FOLLOW_UP = re.compile(
    r"^(?:and|what about|how about|same)\s+(?:(for|in)\s+)?(?:the\s+)?(namespace\s+)?"
    r"`?([a-z0-9][a-z0-9.-]{0,252})`?(\s+namespace)?"
    r"(?:\s+(?:in|on)\s+(?:the\s+)?(?:namespace\s+)?`?([a-z0-9][a-z0-9-]{0,62})`?"
    r"(?:\s+namespace)?)?\s*\??$",
    re.IGNORECASE,
)
"""`and in staging?`, `what about search-indexer`, `same for node-2`: the last request again,
with one value changed (groups: the preposition, "namespace" before, the word, after); or
two, the object and its namespace, `same for web-frontend in prod` (group 5)."""
_CORRECTION = re.compile(
    r"^\W*(?:(?:no|nope|oops|sorry)\W+)*(?:wait|actually|i\s+meant|i\s+mean|scratch\s+that|"
    r"correction)\W+(?:(?:make|do)\s+(?:that|it)\s+|i\s+meant\s+)?()(?:the\s+)?(namespace\s+)?"
    r"`?([a-z0-9][a-z0-9.-]{0,252})`?(\s+namespace)?()(?:\s+instead)?(?:\s+(?:please|pls))?"
    r"\s*[.!]*$",
    re.IGNORECASE,
)
"""A correction naming one value ("actually make that web-frontend", "no wait, staging
instead"): the last request again with it, as a follow-up (`_FOLLOW_UP`'s five groups). A
value of the change that is no name ("actually make it 3") is an edit's."""
_NOT_AN_OBJECT = NOT_A_NAME_PART | {"thing", "but", "one", "again", "request", "here"}
"""Words a follow-up may have where its object would stand ("same thing in staging")."""
_OBJECT_TYPES = ("deployment", "cronjob", "node", "pod")
_ASKS = re.compile(r"\W*(?:\w+\W+){0,3}?(?:what|which|how|where|why|who|when|show|list|"
                   r"tail|give me|can i see)\b(?!\s+about\b)", re.IGNORECASE)
"""A question or a read at the start of a message, after a word or three ("sorry, what
are the last 20 log lines?")."""
_DECISION_WORDS = frozenset({"approve", "approved", "confirm", "deny", "denied", "reject"})
_EDIT_CUE = re.compile(
    r"\b(?:instead|actually|make (?:it|that|them|both)|change (?:it|that)|rather|i meant|i mean|"
    r"correction|typo|no wait|wait no|sorry|scratch that|same(?: thing| again)?,? but)\b",
    re.IGNORECASE)
"""Words that say a message corrects the speaker's last plan ("make it 4 instead")."""
_NO_THEN_COUNT = re.compile(
    r"^\W{0,3}(?:no|nope|nah)[\s,.;:!]{1,4}\d{1,6}\s{0,3}(?:replicas?|pods?|instances?|copies)?"
    r"(?:\s{1,3}(?:pls|please|instead))?[\s.!]{0,3}$", re.IGNORECASE)
"""A no and at once a count, and nothing else ("no, 3 replicas"): the requester's correction
of their waiting plan (a user trial: it denied it). Anything more ("no 10 is too much",
an approver's "no, 2 approvals needed") stays a no."""
_FOLLOW_UP_WORDS = 5
_ORDERS_A_VALUE = re.compile(
    r"\b(?:use|set|put|deploy|switch|change|update|bump|pin|try|go with|do it|do that|apply|"
    r"fix it|make it|roll (?:out|it)|give it|scale it|raise|lower)\b", re.IGNORECASE)
"""Words that order a value for a fix offered ("ok do it, use nginx:1.25")."""
_NODE_QUESTION = re.compile(
    r"^\W*(?:(?:hey|so|ok|qq|quick question)\W+)*(?:which|what)\s+nodes?\b|^\W*where\b[^?]{0,40}"
    r"\b(?:running|scheduled|placed|living|landed|sitting)\b", re.IGNORECASE)
"""A question of which nodes a workload's pods are on."""
_ON_NODE_QUESTION = re.compile(
    r"^\W*(?:(?:hey|so|ok|qq|quick question)\W+)*(?:what(?:'?s|\s+is|\s+are)?|which\s+pods?"
    r"(?:\s+are)?|who(?:'?s|\s+is)?|anything)\s+(?:\w+\s+){0,2}?(?:runs?|running|on|"
    r"scheduled|living|sitting)\s+(?:on\s+)?(?:node\s+)?[\w.-]+\s*\??\s*$", re.IGNORECASE)
"""A question of what runs on a node ("what runs on node-2", "which pods are on node-1?")."""
_WAITING_QUESTION = re.compile(
    r"^\W*(?:(?:wait|hey|so|ok|okay|qq|quick question)\W+)*(?:what(?:'?s|\s+is|\s+are)?|which|"
    r"anything|any|is\s+(?:there\s+)?anything|are\s+there\s+any)\b[^?.!]{0,30}?"
    r"\b(?:waiting|pending|awaiting)\b", re.IGNORECASE)
"""A question of what waits for a decision ("what's waiting for approval?")."""
_THEIR_DECISION = re.compile(
    r"^\W*(?:<@[^>\s]+>|@[\w.-]+|(?!(?:i|we|yes|yeah|yep|ya|ok|okay|sure|lgtm|fine|ship|go|"
    r"approve|approved|deny|denied|no|nope|please|pls|then|so|and|all|looks)\b)[a-z][\w.-]*)"
    r"\s+(?:has\s+|have\s+|just\s+|already\s+|also\s+)*(?:approved|approves|okayed|ok'?d|"
    r"agreed|agrees|says|said|signed\s+off|denied|rejected|declined|is\s+(?:ok|fine|good)\s+"
    r"with)\b", re.IGNORECASE)
"""A decision told of someone else ("<@U0CAROL> approved", "carol says yes"): theirs to
make with their own click or words, never the writer's."""
_OWN_CHANGES_QUESTION = re.compile(
    r"^\W*(?:(?:hey|so|ok|okay|qq|quick question|bot)\W+)*(?:what|which\s+changes?)\s+"
    r"(?:did|have|has)\s+(?:you|u|the\s+bot|chatops)\s+(?:just\s+|last\s+|already\s+)?"
    r"(?:change|changed|do|done|run|ran|execute|executed|make|made|touch|touched)\b"
    r"|\b(?:your|the\s+bot'?s)\s+(?:last|latest|recent)\s+(?:changes?|actions?|runs?)\b"
    r"|^\W*what\s+was\s+the\s+last\s+(?:thing|change)\s+(?:you|u|the\s+bot)\s+"
    r"(?:did|changed|ran|made)\b", re.IGNORECASE)
"""A question of the changes the bot made ("what did you change last?")."""
_WORKLOAD_WORDS = re.compile(r"\b(?:pods?|jobs?|cronjobs?|nodes?|deployments?|containers?|"
                             r"rollouts?|replicas?|images?)\b", re.IGNORECASE)
PODS = "show_pods"
"""The read whose pods' list says each pod's node."""
_RECENT_RUNS = 200
"""How many of a channel's latest changes (done, or waiting) a question looks through."""
_CHANGES_LISTED = 5
"""How many of them a question of what changed lists, newest first."""
_SHORT_EDIT_WORDS = 8
"""At most this many words for an edit of a plan of another runbook than the model read."""
_COMPARED = re.compile(r"\b(?:same as|like|as on|as in|as for|as|matching|similar to)"
                       r"(?:\s+(?:the|our|in|on))?\s*$")
"""Words before a name that compare with it ("1.25, same as checkout"): no target."""
_UNDO_OF = re.compile(r"\b(?:undo|revert|reverse|roll\s*back)\s+(?:the\s+|that\s+|my\s+|"
                      r"this\s+|our\s+|last\s+)?(drain|cordon|scale|scaling|restart|"
                      r"suspend|suspension|pause)\b", re.IGNORECASE)
"""Words that ask to undo a change of a kind, not to make one ("undo the drain")."""
_UNDONE = {"drain": "drain_node", "cordon": "cordon_node", "scale": "scale_deployment",
           "scaling": "scale_deployment", "restart": "restart_deployment",
           "suspend": "suspend_cronjob", "suspension": "suspend_cronjob",
           "pause": "suspend_cronjob"}
_UNSURE_EDIT_FLOOR = 0.5
"""The least the model must give a runbook for a message under its bar to be read as an
edit of a plan of it that waits (the edit still waits for its approvals)."""
_UNSURE_SAME_EDIT_FLOOR = 0.3
NODE_STATUS = "node_status"
"""The read that answers trouble reported with a node."""
"""The same where the speaker's own plan of that runbook waits in the thread ("actually
make it 3" after a scale: the scale at 0.37 in session 42's trial)."""
_COURTESY = re.compile(r"^\W*(?:(?:ok(?:ay)?|cool|great|nice|perfect|thanks?|thank you|thx|ty|"
                       r"cheers)(?:\s+(?P<name>@?[a-z][\w.-]*))?\s*[.!,]+\s*)+",
                       re.IGNORECASE)
"""Thanks or an acknowledgement before a follow-up ("thanks carol. and in staging?")."""
_READ_NOUNS = {"logs": "pod_logs", "log": "pod_logs", "events": "recent_events",
               "event": "recent_events", "pods": "show_pods", "images": "list_images",
               "history": "rollout_history", "status": "deployment_status"}
"""A follow-up that names another read of the same object ("what about the logs?")."""
_NOUN_READ = re.compile(
    r"^\W*(?:(?:and|also|now|ok|okay|so|pls|please)\W+)?(?:the\s+)?(logs?|events?|pods|images|"
    r"history|status)\s+(?:of|for|from|in|on)\b", re.IGNORECASE)
"""A read asked as its noun ("pods of deployment search-indexer in prod": session 42's trial
got "not sure", the model giving a restart 0.74)."""
_WORDS = re.compile(r"[a-z0-9][a-z0-9-]*")
_DOTTED = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
"""Words as names with dots (a node's `ip-10-0-3-17.ec2.internal`)."""
_EVERYTHING = re.compile(r"\b(?:all|every|whole|entire|everything|everywhere|cluster|"
                         r"cluster-wide|nodes)\b", re.IGNORECASE)
"""A read of everything: it takes no object from the thread ("show all pods")."""
_CARRIED_WORDS = 6
"""Words up to which a read naming no namespace and no object is about the thread's last
request's ("and the logs?", "any events?")."""
_FOLLOW_UP_FILLER = frozenset({
    "and", "in", "on", "for", "the", "same", "how", "what", "about", "please", "pls", "plz",
    "there", "too", "also", "namespace", "ns", "then", "with", "again", "now", "ok", "so",
    "one", "over", "do", "it", "that", "this",
})
"""Words a follow-up ("same for staging please", "how about staging?") may have besides
its namespace."""
_ASKS_BACK_WORDS = 4
"""Words (not counting filler) from which a message ending in "?" is a question of its
own, not an unsure answer: as a reply of four words or more decides nothing (meta_words)."""
_FILLER = {"in", "the", "namespace", "ns", "please", "pls", "it's", "its", "it", "is", "use",
           "deployment", "pod", "node", "cronjob", "to", "on"}
_DECIDE_ID = re.compile(
    r"^(?:(?:lgtm|ok(?:ay)?|sure|yes|yep|yeah|looks good(?: to me)?|ship it|reviewed|"
    r"checked|cool|great|fine|thanks|thx)[\s,.!:;-]+){0,2}"
    r"(approve|confirm|yes|deny|reject)\s+"
    r"`?(r-[0-9a-f]{8})`?(?:[\s,.!-]+(?:please|pls|thanks|thx|ty|from me))?[.!]*$",
    re.IGNORECASE)
"""A decision on a run by its id, with a word of assent or thanks around it ("lgtm,
approve r-1a2b3c4d", "approve r-1a2b3c4d please": a user trial read these as a pod's
name). A closed set of words only: nothing that negates ("don't approve r-..."), and the
verb in the imperative: "cool, approved r-..." reports a decision, it makes none (an
attacker review)."""


_DECISION_OF = {"approve": "approve", "confirm": "approve", "yes": "approve",
                "deny": "deny", "reject": "deny"}


_FIX_IT = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|yes|yeah|yep|sure|then|so|please|pls|just|alright|go ahead and|"
    r"can you|could you|would you|let'?s)[\s,]+)*(?:fix|repair|remediate|apply)\s+"
    r"(?:it|that|this|them|the fix|the suggested fix)(?:[\s,]+(?:then|now|please|pls|for me))*"
    r"\s*[.!?]*\s*$", re.IGNORECASE)
"""Asking for the fix a diagnosis just suggested, in words ("ok just fix it then")."""
_FIXES = (Asked.FIX, None)
"""Offers of a diagnosis's fix (None: saved by an older bot): "fix it" and a value for it
("ok do it, use nginx:1.25") take them."""
_TAKES_ORDERS = (*_FIXES, Asked.PREVIEW)
"""Offers that an order of their own change takes ("ok restart it"): a fix, or a change
previewed (nothing else takes a preview: it asked no question)."""
_OTHERS_ANSWER_WORDS = 2
"""At most this many words (filler aside) in someone else's reply make it an answer to a
question asked of another person ("prod", "staging please", "the 2nd one")."""


def _answer_words(text: str) -> list[str]:
    """The words of a reply that could carry an answer: filler ("in", "please", "it's")
    left out."""
    return [w for w in re.split(r"\s+", text.strip().strip("`?.!").lower())
            if w and w not in _FILLER]


Request = tuple[str, dict[str, str]]
"""A runbook name and its slot values."""


class Dialogue:
    """Routes each message of a thread to the stage that answers it."""

    def __init__(self, parts: Collaborators, planner: Planner, approvals: Approvals,
                 runner: Runner, presenter: Presenter) -> None:
        self.parts = parts
        self.planner = planner
        self.approvals = approvals
        self.runner = runner
        self.presenter = presenter

    def handle(self, message: Message, thread: str, on_update: Updates | None) -> list[Reply]:
        """Answer one message of `thread`."""
        if not self.parts.policy.channel_allowed(message.channel):
            raise Refusal(NOT_THIS_CHANNEL, NOT_THIS_CHANNEL_HINT)
        turn = Turn(message, self.parts.policy.requester(message), thread, on_update)
        text = message.text.strip()
        if not text:
            raise Refusal(EMPTY_MESSAGE, EMPTY_MESSAGE_HINT)
        context = load_context(self.parts.threads, thread)
        by_id = _DECIDE_ID.match(text)
        if by_id is not None:
            return self._decide_in_thread(by_id.group(2), _DECISION_OF[by_id.group(1).lower()],
                                          turn)
        meta = _META_WORDS.get(text.lower().rstrip(".!"))
        if context.pending and meta is None and not starts_with_run(text):
            answered = self._answer(turn, text, context)
            if answered is not None:
                return answered
        follow = self._follow_up(text, None, context.last, turn.requester.identity)
        if follow is not None:
            # Another read than the last request's ("what about the logs?") is about its
            # object, and says so.
            about = (carried_note(follow[1]) if context.last is not None
                     and follow[0] != context.last.intent and follow[1] else None)
            return self.planner.request(turn, *follow, 1.0, asked=Asked.FOLLOW_UP,
                                        notes=(about,) if about else (),
                                        version=_version_of(context.last, follow[0]))
        if meta is not None:
            parsed = ParsedIntent(meta, {}, 1.0, source="grammar")
        else:
            parsed = self.parts.parse(text, turn.requester.identity)
        self.parts.audit.record(Parsed.of(parsed, text), actor=message.user, thread=thread)
        METRICS.parses.labels(parsed.intent, confidence_bucket(parsed.confidence)).inc()
        if (parsed.source == "model" and parsed.intent == "help" and message.pasted
                and (about_paste := self._pasted_diagnosis(turn)) is not None):
            # "can someone look at this" under a pasted alert, read as `help`.
            return about_paste
        if parsed.intent in META_INTENTS:
            rights = (rights_answer(self.parts, turn, text, replace(parsed, slots={}))
                      if parsed.source == "model" else None)
            if rights is not None:
                # "can I approve my own request?" read as `confirm`, "what am I allowed to
                # do?" as `help` (a user trial: "I did not understand that", the runbooks).
                return rights
            if (parsed.source == "model" and parsed.intent in ("confirm", "deny")
                    and _THEIR_DECISION.match(text) is not None):
                # "<@U0CAROL> approved", "carol says yes": someone else's decision, told
                # (an attacker review: counted as the writer's own approval).
                return [Reply("answer", THEIR_DECISION)]
            rollback = (self._rollback_instead(turn, context, parsed.confidence)
                        if parsed.intent == "undo" and parsed.source == "model" else None)
            if rollback is not None:
                return rollback
            thanked = self._waiting_requesters(turn)
            if (parsed.source == "model" and parsed.intent == "deny"
                    and not says("deny", text, thanked=thanked)
                    and says("confirm", text, thanked=thanked)):
                # "no objections, approve" was read as a deny, and denied the plan: its
                # "no" is no answer to the plan (`meta_words._IDIOMS`), its "approve" is.
                parsed = replace(parsed, intent="confirm")
            ordered = (self._order_under_a_decision(turn, text, parsed)
                       if parsed.source == "model"
                       and not says(parsed.intent, text, thanked=thanked) else None)
            if ordered is not None:
                return self._request(turn, text, ordered, context.last)
            others = (parsed.source == "model" and parsed.intent == "confirm"
                      and self._names_another_person(text, turn, thanked))
            if parsed.source == "model" and (
                    others or not says(parsed.intent, text, thanked=thanked)):
                # Junk read as a decision ("hmm" as `confirm`): a clear answer, no change;
                # a yes among other words ("yes if the canary is fine", "erin, approve")
                # is said to be one.
                METRICS.out_of_scope.inc()
                self.parts.audit.record(OutOfScope(), actor=message.user, thread=thread)
                plain = parsed.intent == "confirm" and says("confirm", text, plain=False)
                return [Reply("answer", NOT_OWN_YES if plain else NOT_UNDERSTOOD)]
            return self._meta(parsed, turn, context)
        return self._request(turn, text, parsed, context.last)

    def _waiting_requesters(self, turn: Turn) -> frozenset[str]:
        """The names (lower case) of the people whose requests wait in this thread."""
        message = turn.message
        return frozenset(run.requester_name.lower()
                         for run in self.parts.store.runs_in_thread(message.channel,
                                                                    message.thread)
                         if not run.state.terminal)

    def _names_another_person(self, text: str, turn: Turn, waiting: frozenset[str]) -> bool:
        """Whether `text` names someone the policy knows (by name or chat id, accents
        aside) other than its writer and the people whose requests wait in this thread
        ("erin, approve", "yes please erin", "ty erin approve": session 50's reviews, each
        approved the plan as the writer's own yes; "approved, thanks bob" to the requester
        still does); `waiting`: those people's names (`_waiting_requesters`)."""
        if not waiting:
            return False  # nothing to approve: the answer says so
        names = self.parts.policy.names() - {turn.requester.name.lower(),
                                             turn.message.user.lower(), *waiting}
        plain = unicodedata.normalize("NFKD", text.lower())
        words = re.findall(r"[a-z0-9][\w.-]*", "".join(c for c in plain
                                                      if not unicodedata.combining(c)))
        return not names.isdisjoint(words)

    def _namespace_path(self, turn: Turn, parsed: ParsedIntent) -> ParsedIntent:
        """`parsed` with a namespace tagged as `namespace/name` ("restart prod/checkout-api":
        a user trial, refused as many deployments) read as the namespace and the object of
        the runbook's kind: when the first part is a namespace the cluster shows this person
        and the second an object of that kind there, and the runbook's slot for it is empty;
        else unchanged (and refused as no valid namespace, as before)."""
        path = parsed.slots.get("namespace", "")
        runbook = self.parts.catalogue.runbooks.get(parsed.intent)
        namespace, slash, name = path.partition("/")
        if not slash or runbook is None or "/" in name:
            return parsed
        target = next((spec for spec in runbook.slots.values()
                       if spec.type in ("deployment", "cronjob", "pod")
                       and not parsed.slots.get(spec.name)), None)
        identity = turn.requester.identity
        if (target is None or not self._named(namespace, "namespace", None, identity)
                or name not in self._named(name, cast(ResourceKind, target.type),
                                           namespace.lower(), identity)):
            return parsed
        spans = []
        for span in parsed.spans:
            if span.slot == "namespace" and span.text == path:
                cut = span.start + len(namespace)
                spans += [SlotSpan("namespace", span.start, cut, namespace),
                          SlotSpan(target.name, cut + 1, span.end, name)]
            else:
                spans.append(span)
        return replace(parsed, slots={**parsed.slots, "namespace": namespace, target.name: name},
                       spans=tuple(spans))

    def _names_as_written(self, text: str, parsed: ParsedIntent) -> ParsedIntent:
        """`parsed` with each name that has a shell command glued to it or quoted with it
        as written, which no name validates ("restart 'checkout-api; rm -rf /'": a user
        trial got checkout-api planned, the rest dropped; `glued.as_written`)."""
        runbook = self.parts.catalogue.runbooks.get(parsed.intent)
        if runbook is None:
            return parsed
        written = as_written(text, parsed.spans,
                             {name: spec.type for name, spec in runbook.slots.items()})
        return replace(parsed, slots={**parsed.slots, **written}) if written else parsed

    def _offer_with_values(self, turn: Turn, text: str, parsed: ParsedIntent
                           ) -> list[Reply] | None:
        """The one fix a diagnosis offered this person, planned with the values the message
        adds ("ok do it, use nginx:1.25" after set_image web-frontend was suggested: a user
        trial, asked "Which deployment?"), when the model read that fix's runbook, tagged a
        value of it, no other object or namespace, and no word names another deployment of
        the fix's namespace; and only a message that orders it ("use", "set", "do it"), past
        the guards (not a negation, a question, talk or words to someone else: an attacker
        review planned "nginx:1.25 is the broken one"). None otherwise. The plan waits for
        its approvals, and says the value is the message's, not the diagnosis's."""
        if _ORDERS_A_VALUE.search(text) is None:
            return None
        context = load_context(self.parts.threads, turn.thread)
        mine = context.pending.get(turn.requester.key)
        if (mine is None or mine.intent != OFFER or not mine.offers
                or mine.asked not in _FIXES):
            return None
        fits = [label for label, offer in mine.offers.items() if offer.intent == parsed.intent]
        runbook = self.parts.catalogue.runbooks.get(parsed.intent)
        if len(fits) != 1 or runbook is None:
            return None
        verdict = guard(text, parsed.spans, runbook.slots, parsed.intent,
                        whole=turn.message.whole)
        if verdict.turned_down:
            return None
        offer = mine.offers[fits[0]]
        added: dict[str, str] = {}
        for name, value in parsed.slots.items():
            spec = runbook.slots.get(name)
            if spec is None:
                continue
            if spec.type in _OBJECT_TYPES or name in ("namespace", "container"):
                if value.strip().lower() != str(offer.slots.get(name, "")).lower():
                    return None  # another object's change: a request of its own
            else:
                added[name] = value
        namespace = offer.slots.get("namespace")
        own = {str(v).lower() for v in offer.slots.values()}
        named = (self._named(text, "deployment", str(namespace), turn.requester.identity)
                 if namespace else set())
        if not added or named - own:
            return None
        note = offer_with_values_note(fits[0], added)
        return self.planner.request(turn, offer.intent, {**offer.slots, **added},
                                    parsed.confidence, asked=asked_by(parsed),
                                    notes=(*((offer.note,) if offer.note else ()), note))

    def _take_offer(self, turn: Turn, pending: PendingQuestion, label: str) -> list[Reply]:
        """The request the offered choice `label` starts (a diagnosis's fix), as the
        person's: shown with its dry-run, waiting for approval, never run here."""
        offered = pending.offers[label]
        return self.planner.request(turn, offered.intent, dict(offered.slots), 1.0,
                                    asked=_asked(pending),
                                    notes=(offered.note,) if offered.note else ())

    def _answer(self, turn: Turn, text: str, context: ThreadContext) -> list[Reply] | None:
        """The answer to this person's open question, taken; None if `text` isn't one."""
        mine = context.pending.get(turn.requester.key)
        if (mine is not None and mine.intent == OFFER and mine.offers and _FIX_IT.match(text)
                and mine.asked is not Asked.PREVIEW):
            if mine.asked not in _FIXES:
                # The field of a bare value is asked (`resource_field`): no fix is offered.
                return [Reply("question", answer_first_text(mine.choices),
                              choices=mine.choices)]
            # "ok, fix it then" after a diagnosis: its one suggested fix is planned (shown
            # with its dry-run, waiting for approval, never run); several are asked about.
            if len(mine.choices) != 1:
                return [Reply("question", choice_question_text(WHICH_FIX, mine.choices),
                              choices=mine.choices)]
            return self._take_offer(turn, mine, mine.choices[0])
        ordered = (_offer_ordered(mine, text)
                   if mine is not None and mine.intent == OFFER and mine.offers
                   and mine.asked in _TAKES_ORDERS else None)
        if ordered is not None and mine is not None:
            # "ok restart it" after a diagnosis that suggested restarting calc-app (a user
            # trial: asked "which deployment?", and the next message became its answer).
            return self._take_offer(turn, mine, ordered)
        if mine is not None:
            answered = self._answer_pending(mine, text)
            if answered is None:
                return None
            return answered.request(self.planner, turn)
        # A question belongs to the person it was asked of: someone else's answer would
        # make the plan theirs (and run as them), so it is not taken. Only a reply as
        # short as an answer is taken for one: a sentence of someone else's own ("the
        # migrate job failed in prod again, can you fix it") is their message, not a
        # stray answer to a question they may not have read.
        # A message short enough to be a follow-up ("staging for sure", "and in qa?") is
        # still held as a stray answer: else it would repeat the thread's last request,
        # the other person's, elsewhere.
        if (len(_answer_words(text)) > _OTHERS_ANSWER_WORDS
                and len(text.split()) > _FOLLOW_UP_WORDS and not _FOLLOW_UP.match(text.strip())):
            return None
        for other in context.pending.values():
            if self._answer_pending(other, text) is not None:
                return [Reply("notice", question_someone_else_asked(other.asker_name),
                              ephemeral=True)]
        return None

    def _request(self, turn: Turn, text: str, parsed: ParsedIntent,
                 last: LastRequest | None) -> list[Reply]:
        """A parsed request: a follow-up of the last one, out of scope, or a new one."""
        command = without_dry_run(text)
        if command is not None:
            return self._dry_run(turn, command)  # never planned, whatever else it reads as
        piped = without_filter(text) if parsed.source == "model" else None
        if piped is not None:
            return self._piped(turn, *piped)
        corrected = self._correction(turn, text, parsed, last)
        if corrected is not None:
            return corrected
        follow = self._follow_up(text, parsed, last, turn.requester.identity)
        if follow is not None:
            intent, slots = follow
            return self.planner.request(turn, intent, slots, parsed.confidence,
                                        asked=asked_by(parsed), version=_version_of(last, intent))
        guessed = parsed.source == "model"
        if guessed:
            parsed = self._names_as_written(text, self._namespace_path(turn, parsed))
            # "which pods mount host paths" with "host" tagged: the check its words name
            named_check = check_as_named(text, parsed)
            parsed = replace(parsed, slots=named_check) if named_check is not None else parsed
        if (guessed and parsed.intent == OUT_OF_SCOPE and parsed.alternatives
                and parsed.alternatives[0][0] == COUNTED[0] and only_a_count_order(text)):
            # "triple web-frontend in prod" (a user trial: out of scope at 0.75, the scale
            # next, "triple checkout-api" at 0.004): an order whose count is its first word,
            # whatever weight the model gave the scale (it has no "triple"), when the
            # message is only that order: no condition, event or time it could drop
            # ("double api if latency goes up" at 0.00: an attacker review). The guards
            # still read it.
            parsed = replace(parsed, intent=COUNTED[0], confidence=parsed.alternatives[0][1])
            self._reread(turn, "count_in_words", COUNTED[0], parsed.slots)
        offered = self._offer_with_values(turn, text, parsed) if guessed else None
        if offered is not None:
            return offered
        # Before the guards: only what the model itself left under its bar.
        unsure_edit = self._unsure_edit(turn, text, parsed) if guessed else None
        if unsure_edit is not None:
            return unsure_edit
        trouble = ((self._cronjob_trouble(turn, text, parsed)
                    or self._unsure_symptom(turn, text, parsed)) if guessed else None)
        if trouble is not None:
            return trouble
        waiting = self._waiting_answer(turn, text, parsed) if guessed else None
        if waiting is not None:
            return waiting  # "what's waiting for approval?": the plans waiting here
        made = self._own_changes_answer(turn, text, parsed) if guessed else None
        if made is not None:
            return made  # "what did you change last?": the channel's latest changes
        rights = (rights_answer(self.parts, turn, text, parsed)
                  if guessed and not self._mutating(parsed.intent) else None)
        if rights is not None:
            return rights  # "who can approve prod restarts?": the policy's answer
        what_if = self._what_if(turn, text, parsed) if guessed else None
        if what_if is not None:
            return what_if  # "what would happen if I scaled api to 0?": its dry-run only
        autoscaled = self._autoscaled_answer(turn, text, parsed) if guessed else None
        if autoscaled is not None:
            return autoscaled  # "is checkout-api autoscaled?": rightsize names its hpa
        noun = self._noun_read(turn, text, parsed) if guessed else None
        if noun is not None:
            return noun  # "pods of search-indexer in prod": the read its noun names
        restarts = self._restarts_answer(turn, text, parsed) if guessed else None
        if restarts is not None:
            return restarts  # "which pods restarted the most?": pods, most restarts first
        hygiene = (hygiene_asked(text, parsed, self.parts.catalogue.runbooks)
                   if guessed else None)
        if hygiene is not None:
            # "who's missing liveness probes in prod" under the bar: those checks
            return self._answer_with(turn, parsed, HYGIENE, hygiene, note=HYGIENE_NOTE,
                                     reading="hygiene_question")
        nodes = self._node_answer(turn, text, parsed) if guessed else None
        if nodes is not None:
            return nodes  # "which node is checkout-api on?": its pods, with their nodes
        history = (self._history_answer(turn, text, parsed)
                   if guessed and parsed.intent == OUT_OF_SCOPE else None)
        if history is not None:
            return history  # "who changed web-frontend in prod": its rollout history
        # Under the bar too: "why is nightly-report paused in prod" (a suspend at 0.6).
        state = (self._state_answer(turn, text, parsed)
                 if guessed and parsed.intent == OUT_OF_SCOPE else None)
        if state is not None:
            return state
        undone = _UNDO_OF.search(text) if guessed else None
        if undone is not None and _UNDONE.get(undone.group(1).lower()) == parsed.intent:
            # "disk cleaned up on node-3, undo the drain pls" read as a drain (a user trial):
            # the undo of that run, if it is this thread's last, else no plan at all.
            last_run = self.runner.undo_request(turn.message.channel, turn.message.thread)
            if last_run is not None and last_run.of.runbook == parsed.intent:
                undoing = self._undo(turn, last_run)
                self._reread(turn, "undo", "undo", {})
                return undoing
            return [Reply("answer", undo_of_text(undone.group(1).lower()))]
        runbook = self.parts.catalogue.runbooks.get(parsed.intent)
        verdict = (guard(text, parsed.spans, runbook.slots if runbook else (), parsed.intent,
                         whole=turn.message.whole) if guessed else None)
        creation = verdict is not None and verdict.creation
        kind = verdict.kind if verdict is not None else None
        mutating = self._mutating(parsed.intent)
        if (verdict is not None and verdict.deletes is not None
                and ((mutating and kind is None) or parsed.intent == OUT_OF_SCOPE)):
            # "drop the nightly-report cronjob" read as a suspend (a user trial planned it):
            # only pods are deleted, and no other change stands in for a deletion. A kind
            # no runbook changes at all is said as such below ("I can't change a pvc").
            METRICS.out_of_scope.inc()
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", cannot_delete_text(verdict.deletes))]
        if verdict is not None and mutating and verdict.only_reported:
            return self._reported(turn, text, parsed)
        if kind is not None and mutating and runbook is not None:
            named = self._target_named(turn, text, runbook, parsed.slots, kind)
            if named is not None:
                # "restart the db in prod" where a deployment is called db: the cluster's
                # name, not the word's other sense (a user trial: refused as a database).
                kind = None
                parsed = replace(parsed, slots={**parsed.slots, **named})
        if verdict is not None and verdict.not_asked and mutating:
            # "who scaled checkout-api down to 1??" read as a scale: the history, not the
            # state the scale sets.
            history = self._history_answer(turn, text, parsed)
            if history is not None:
                return history
            rights = rights_answer(self.parts, turn, text, parsed)
            if rights is not None:
                return rights  # "can I approve my own scale?" read as a scale
        state = (self._state_answer(turn, text, parsed, verdict)
                 if verdict is not None and parsed.intent != OUT_OF_SCOPE else None)
        if state is not None:
            return state  # "is nightly-report suspended?" read as a suspend: its state
        if (verdict is not None and mutating and not verdict.not_asked
                and parsed.intent in WHOLE and spares_part(text)):
            # "drain node-2 but leave the prod pods alone": a drain spares nothing (a user
            # trial planned a full drain and said nothing of the condition).
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", spares_nothing_text(parsed.intent))]
        if (verdict is not None and not verdict.not_asked and count_and_back(text)
                and (mutating or parsed.slots.get("replicas"))
                and parsed.intent in (*COUNTED, OUT_OF_SCOPE)):
            # "scale checkout-api to 6 for the sale, back to 3" (a user trial: the scale to
            # 6 planned, the return dropped): two changes, one of them later.
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", count_and_back_text(
                parsed.intent if mutating else COUNTED[0]))]
        part = (part_of_a_count(text, [span.start for span in parsed.spans
                                       if span.slot in ("replicas", "max_replicas",
                                                        "min_replicas")])
                if verdict is not None and not verdict.not_asked
                and parsed.intent in COUNTED else None)
        if part is not None:
            # "scale 3 of 5 checkout-api pods in prod" (a trial: the scale to 5 planned).
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", part_of_a_count_text(parsed.intent, part))]
        if verdict is not None and mutating and not verdict.not_asked and waits_for_event(text):
            # "after the deploy finishes, restart web-frontend in prod" (a user trial planned
            # the restart at once): a plan cannot wait for an event.
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", waits_for_event_text(parsed.intent))]
        if verdict is not None and mutating and put_off(text):
            # "restart orders in shop later", "... if it happens again" (session 49: each
            # was planned at once): no time given, or an event no plan can wait for. Said
            # so even where the guards turned it down as a condition ("If it happens
            # again, restart ..."): the person learns why.
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", put_off_text(parsed.intent))]
        checked = (self._check_first(turn, text, parsed)
                   if verdict is not None and mutating else None)
        if checked is not None:
            return checked
        others = (other_orders(parsed.intent, text, ordered_changes, RUNBOOK_CHANGES,
                               parsed.slots.values())
                  if verdict is not None and mutating and not verdict.not_asked else ())
        if (verdict is not None and mutating and not verdict.not_asked
                and takes_back(text, parsed.slots.values())):
            # "restart calc-app in prod. no wait, restart checkout-api" read as calc-app's
            # restart (an attacker review planned it): the reading is of what was taken back.
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", takes_back_text(parsed.intent))]
        if others:
            # "suspend nightly-report and resume it monday 09:00": two changes, one plan
            # would drop the other (a user trial scheduled the suspend for Monday).
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", one_change_at_a_time_text(parsed.intent, others))]
        if verdict is not None and mutating and verdict.not_asked and taken_back(text):
            # "restart orders in shop. never mind" (session 49: planned): taken back.
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", taken_back_text(parsed.intent))]
        if verdict is not None and mutating and (
                verdict.not_asked or (tells_what_happened(text) and not orders_by_item(text))):
            # "rollback didn't help" (a rollback at 0.83, an attacker review): what
            # happened, no order.
            parsed = replace(parsed, intent=OUT_OF_SCOPE)
        elif (verdict is not None and mutating and verdict.many is not None and not creation
              and not kind):
            # "restart all deployments in payments": one at a time, named, never a guess. A
            # kind no runbook changes is said first ("restart the statefulsets a and b").
            METRICS.out_of_scope.inc()
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", one_at_a_time_text(verdict.many, parsed.intent))]
        if parsed.intent == OUT_OF_SCOPE or (mutating and (creation or kind)):
            METRICS.out_of_scope.inc()
            if creation or (mutating and kind):
                self.parts.audit.record(OutOfScope(), actor=turn.message.user,
                                        thread=turn.thread)
                return [self._cannot_do(parsed, None if creation else kind)]
            if guessed and (said_to_someone_else(text, parsed.spans) or small_talk(text)):
                # Talk between people in the thread, thanks, a greeting: not the bot's to
                # answer (a user trial: "outside what I can do" to each was noise).
                return []
            about_paste = self._pasted_diagnosis(turn) if guessed else None
            if about_paste is not None:
                return about_paste  # "got paged: <an alert> why?": its object's diagnosis
            several = [kinds for kinds in orders_by_item(text) if kinds]
            if guessed and len(several) > 1:
                # "maintenance on two boxes:\n- cordon node-2\n- cordon node-3" (a user
                # trial: "outside what I can do"): one change per request, said so.
                self.parts.audit.record(OutOfScope(), actor=turn.message.user,
                                        thread=turn.thread)
                return [Reply("answer", several_changes_text(
                    ["/".join(sorted(kinds)) for kinds in several]))]
            return [self._out_of_scope(turn, parsed)]
        notes: tuple[str, ...] = ()
        change = ruled_out(parsed.intent, text, parsed.slots) if guessed and mutating else None
        if change is not None:
            # "cordon node-2 but don't drain it" read as a drain (a user trial planned it):
            # never the change ruled out; the one ordered instead, if that is clear.
            instead = ordered_instead(parsed.intent, text, parsed.slots,
                                      self.parts.catalogue.runbooks)
            if instead is None:
                self.parts.audit.record(OutOfScope(), actor=turn.message.user,
                                        thread=turn.thread)
                return [Reply("answer", ruled_out_text(parsed.intent, change))]
            parsed = replace(parsed, intent=instead[0], slots=instead[1])
            notes = (ruled_out_note(change, instead[0]),)
            self._reread(turn, "ruled_out", *instead)
        if guessed and trouble_not_events(text, parsed) and DIAGNOSIS in self.parts.catalogue:
            # "anything on fire in prod?" read as the events (session 42's trial): the scan
            values = self._values_for(DIAGNOSIS, parsed.slots)
            parsed = replace(parsed, intent=DIAGNOSIS, slots=values)
            notes = (TROUBLE_NOTE,)
            self._reread(turn, "trouble", DIAGNOSIS, values)
        slots = dict(parsed.slots)
        one = (self._one_workload(parsed.intent, slots, text, turn.requester.identity)
               if guessed else None)
        if one is not None:
            # "what image is api running in prod?" read as the namespace's image list: the
            # runbook about one deployment answers.
            notes = (one_workload_note(parsed.intent, one[0]),)
            parsed = replace(parsed, intent=one[0])
            slots = {**slots, **one[1]}
            self._reread(turn, "one_workload", one[0], slots)
        if parsed.source == "model" and parsed.intent in self.parts.catalogue:
            # A slot the runbook doesn't declare is the model's mislabel ("2" tagged
            # min_replicas in a scale request): drop it and ask for what is missing, rather
            # than refuse. The explicit grammar still refuses unknown keys.
            declared = self.parts.catalogue.get(parsed.intent).slots
            slots = {k: v for k, v in slots.items() if k in declared}
            since = slots.get("since", "")
            if (since.isdigit() and "lines" in declared and not slots.get("lines")
                    and re.search(rf"\b{since}\s+(?:log\s+)?lines?\b", text, re.IGNORECASE)):
                # "last 2 log lines" with 2 tagged as a duration (a user trial: refused as
                # no duration): the count of lines.
                slots["lines"] = slots.pop("since")
            if (declared.get("replicas") is not None and not slots.get("replicas")
                    and (said := replicas_in_words(text)) is not None):
                # "double checkout-api in prod" read with no count (a user trial was asked
                # "How many replicas? (... double or half)").
                slots["replicas"] = said
            image_slot = next((name for name, spec in declared.items()
                               if spec.type == "image"), None)
            after_to = (image_after_to(text, slots[image_slot])
                        if image_slot and slots.get(image_slot) else None)
            if image_slot and after_to is not None:
                # "Image: ...:0.14.2 (a paste) -- bump it to 0.14.3" read with the pasted
                # image (a user trial): the one the order names after "to".
                notes = (*notes, image_after_to_note(slots[image_slot], after_to))
                slots[image_slot] = after_to
            if image_slot:
                slots, kept = self._image_named(turn, text, parsed, slots)
                notes = (*notes, kept) if kept else notes
        carried = (self._carried(parsed.intent, slots, last, text, turn.requester.identity)
                   if len(text.split()) <= _CARRIED_WORDS else {})
        if carried:
            # "and the logs?", "any events?": a short read about the thread's last object.
            return self.planner.request(turn, parsed.intent, {**slots, **carried},
                                        parsed.confidence, asked=asked_by(parsed),
                                        notes=(carried_note(carried),))
        edited = self._edited_plan(turn, parsed.intent, slots)
        if edited is not None:
            return self.planner.replace(edited[0], turn.message, edited[1], turn.on_update,
                                        confidence=parsed.confidence)
        runbook = self.parts.catalogue.runbooks.get(parsed.intent)
        pasted = self._pasted_object(turn, runbook, slots) if runbook is not None else None
        if pasted:
            # "seeing this: <kubectl get pods> what's wrong with it?" (a user trial was
            # asked for a namespace): the object the paste names, or the namespace it
            # names that object in.
            slots = {**slots, **pasted}
            notes = (*notes, pasted_note(pasted))
        if guessed and runbook is not None and runbook.risk is Risk.READ:
            ordered = sorted({kind for kinds in orders_by_item(text) for kind in kinds})
            if ordered:
                # "1. show me the pods for calc-app\n2. restart calc-app" read as the pods (a
                # user trial: the restart dropped without a word).
                notes = (*notes, also_ordered_note(ordered))
        which = (self._other_objects_named(turn, text, replace(parsed, slots=slots), runbook)
                 if verdict is not None and mutating and not verdict.not_asked
                 and not creation and not kind and runbook is not None else None)
        if which is not None:
            # "restart calc-app checkout-api in prod" planned calc-app's restart alone
            # (session 51): the cluster says another word is a deployment too. Which one,
            # after every other check on the message's words.
            return [which]
        return self.planner.request(turn, parsed.intent, slots, parsed.confidence,
                                    asked=asked_by(parsed), notes=notes, ask_field=guessed)

    def _edited_plan(self, turn: Turn, intent: str, slots: Mapping[str, str], *,
                     cued: bool = False) -> tuple[str, dict[str, str]] | None:
        """The plan `slots` edit ("make it 4 instead", "use tag 2.5 instead") and the values
        to change in it: the one plan of this runbook waiting in the thread that this
        person asked for, when the message changes a value of it and names no other object
        or namespace; or, when this person has one plan waiting and it is of another
        runbook, the one value a short edit gives ("make it 10 instead" read as a scale
        while an autoscaler's max waits) goes to the one value that plan set. The edit goes
        where the Edit button's does (`Planner.replace`): the new plan waits for its
        approvals from the start and replaces the old once proposed; nobody else's plan,
        and nothing that already runs, is ever changed this way. `cued`: the caller found
        the words that make the message an edit ("no, 3 replicas")."""
        message = turn.message
        if not cued and not _EDIT_CUE.search(message.text):
            # Without words that say so, a message is a request of its own: the model may
            # have dropped the object it names ("scale the payments worker to 4").
            return None
        mine = self._mine_waiting(turn)
        same = [run for run in mine if run.runbook == intent]
        runbook = self.parts.catalogue.runbooks.get(intent)
        waiting = same or mine
        if waiting and self._names_another_object(message.text, waiting[0],
                                                  turn.requester.identity):
            # "actually search-indexer should get 6 instead" with a scale of payments-worker
            # waiting, the name dropped by the model (an attacker review): another object's
            # request, never this plan's.
            return None
        if same:
            if len(same) != 1 or runbook is None or runbook.risk is Risk.READ or not slots:
                return None
            run = same[0]
            changed = False
            for name, value in slots.items():
                spec = runbook.slots.get(name)
                before = str(run.raw_slots.get(name, ""))
                if spec is not None and (spec.type in _OBJECT_TYPES or name == "namespace"):
                    if value.strip().lower() != before.lower():
                        return None  # another object: a request of its own
                elif value.strip() != before:
                    changed = True
            return (run.id, _onto_the_field_set(run.id, run.raw_slots, runbook.slots,
                                                dict(slots), message.text)) if changed else None
        if (len(mine) != 1 or len(message.text.split()) > _SHORT_EDIT_WORDS
                or _names_a_change(message.text) or runbook is None
                or runbook.risk is Risk.READ or _ASKS.match(message.text)):
            # A read ("sorry, what are the last 20 log lines?") is no value of the change
            # waiting (an attacker review: 20 became its replica count).
            # "sorry, scale it to 2 instead" with a rollback waiting asks for another
            # change, not another value of this one (an attacker review).
            return None
        return self._value_for_another_runbook(mine[0], slots)

    def _correction(self, turn: Turn, text: str, parsed: ParsedIntent,
                    last: LastRequest | None) -> list[Reply] | None:
        """A correction naming one value of the thread's last request ("actually make that
        web-frontend", "no wait, staging instead": session 42's trial got "outside" and
        "not sure"): a read is asked again with it; a change replaces the speaker's one
        plan of it that waits, as an edit does (an attacker review: left waiting, the plan
        corrected could still be approved and run). None otherwise: no plan of the last
        request's runbook of theirs waits, or the value is none."""
        match = _CORRECTION.match(text.strip())
        runbook = self.parts.catalogue.runbooks.get(last.intent) if last is not None else None
        if (match is None or last is None or runbook is None or ordered_changes(match.group(3))
                or match.group(3).lower() in _NOT_AN_OBJECT):
            return None
        request = self._follow_up_value(runbook, last, match, turn.requester.identity)
        if request is None:
            return None
        intent, values = request
        if runbook.risk is Risk.READ:
            return self.planner.request(turn, intent, values, parsed.confidence,
                                        asked=asked_by(parsed))
        waiting = [run for run in self._mine_waiting(turn) if run.runbook == intent]
        if len(waiting) != 1 or any(
                waiting[0].raw_slots.get(k) != v for k, v in last.slots.items()
                if k in runbook.slots and (runbook.slots[k].type in _OBJECT_TYPES
                                           or k == "namespace")):
            return None  # no plan of theirs waits, or not the last request's
        moved = {k: v for k, v in values.items() if waiting[0].raw_slots.get(k) != v}
        replies = self.planner.replace(waiting[0].id, turn.message, moved, turn.on_update,
                                       confidence=parsed.confidence)
        self._reread(turn, "correction", intent, values)
        return replies

    def _mine_waiting(self, turn: Turn) -> list[Run]:
        """The plans of this person that wait for approval in the thread. A schedule's
        proposal (to start, resume or delete it) is no plan to edit: edited, it would
        become a change to make now."""
        message, now = turn.message, self.parts.clock()
        return [run for run in self.parts.store.runs_in_thread(message.channel, message.thread)
                if run.state is RunState.PROPOSED and run.requester == turn.requester.key
                and not run.act_as_approver and run.expires_at > now
                and not self.parts.schedule_run(run.id)]

    def _unsure_edit(self, turn: Turn, text: str, parsed: ParsedIntent) -> list[Reply] | None:
        """An edit of this person's waiting plan that the model read under its bar ("actually
        make it 6": a scale at 0.69), or None. A user trial: such edits were answered "I'm
        not sure" though a plan waited for exactly that value. Only the runbook the model
        found likeliest, past the guards, and only as an edit (a new plan that waits for
        its approvals; nothing runs), never as a request of its own."""
        if (parsed.intent != OUT_OF_SCOPE or not parsed.alternatives
                or not _EDIT_CUE.search(text)):
            return None
        intent, score = parsed.alternatives[0]
        runbook = self.parts.catalogue.runbooks.get(intent)
        if runbook is None or score < _UNSURE_SAME_EDIT_FLOOR or (
                score < _UNSURE_EDIT_FLOOR
                and not any(run.runbook == intent for run in self._mine_waiting(turn))):
            return None
        verdict = guard(text, parsed.spans, runbook.slots, intent, whole=turn.message.whole)
        if verdict.turned_down:
            return None
        slots = {k: v for k, v in parsed.slots.items() if k in runbook.slots}
        edited = self._edited_plan(turn, intent, slots)
        if edited is None:
            return None
        return self._edit_with(turn, intent, edited, score)

    def _answer_with(self, turn: Turn, parsed: ParsedIntent, intent: str,
                     values: Mapping[str, str], *, note: str, reading: str,
                     confidence: float | None = None) -> list[Reply]:
        """The request of `intent` with `values` that a dialogue `reading` answers the
        message with (noted so), audited as that reading once the request was taken."""
        replies = self.planner.request(turn, intent, values,
                                       parsed.confidence if confidence is None else confidence,
                                       asked=asked_by(parsed), notes=(note,))
        self._reread(turn, reading, intent, values)
        return replies

    def _edit_with(self, turn: Turn, intent: str, edited: tuple[str, dict[str, str]],
                   confidence: float) -> list[Reply]:
        """The edit `_edited_plan` found, made as the Edit button makes it, audited as the
        dialogue's edit reading once it was taken."""
        replies = self.planner.replace(edited[0], turn.message, edited[1], turn.on_update,
                                       confidence=confidence)
        self._reread(turn, "edit", intent, edited[1])
        return replies

    def _values_for(self, intent: str, slots: Mapping[str, str]) -> dict[str, str]:
        """The values of `slots` that the runbook `intent` declares."""
        declared = self.parts.catalogue.get(intent).slots
        return {k: v for k, v in slots.items() if k in declared and v}

    def _reread(self, turn: Turn, reading: str, intent: str, slots: Mapping[str, str]
                ) -> None:
        """Record that this message is answered as `intent` by a dialogue `reading`, not as
        the model read it: the feedback export's label for the model to learn."""
        self.parts.audit.record(Reread(intent, reading, dict(slots)), actor=turn.message.user,
                                thread=turn.thread)

    def _namespace_of(self, turn: Turn, slots: Mapping[str, str]) -> str | None:
        """The namespace `slots` give, or the channel's default."""
        return slots.get("namespace") or self.parts.policy.default_namespace(
            turn.message.channel)

    def _unsure_symptom(self, turn: Turn, text: str, parsed: ParsedIntent
                        ) -> list[Reply] | None:
        """A diagnosis of trouble the model read under its bar ("api down in prod, help",
        "any crashloops in prod?": a user trial, answered "I'm not sure"), or None: when
        `symptoms.trouble_to_diagnose` takes the message and its namespace (or the
        channel's) is one the cluster shows this person. A diagnosis reads, and offers its
        fix as a plan that waits for its approvals."""
        slots = trouble_to_diagnose(text, parsed, self.parts.catalogue.runbooks)
        if slots is None:
            return None
        namespace = self._namespace_of(turn, slots)
        name = slots.get("deployment") or slots.get("pod")
        if not namespace and name:
            # "prod checkout-api is slow" (a user trial): the namespace beside the name.
            namespace = namespace_beside(text, name, self.parts.executor,
                                         turn.requester.identity)
            if namespace:
                slots["namespace"] = namespace
        if (not namespace and fix_asked(text, parsed) and only_namespace_with(
                slots, self.parts.executor, turn.requester.identity) is not None):
            # "search-indexer is throwing errors, sort it out" (session 42's trial): in the
            # one namespace with that very deployment, as the planner finds it for a read.
            return self._answer_with(turn, parsed, DIAGNOSIS, slots, note=TROUBLE_NOTE,
                                     reading="trouble")
        if not namespace:
            return None
        try:
            known = self.parts.executor.names("namespace", None, turn.requester.identity)
        except ClusterError:
            return None
        if namespace.lower() not in known:
            return None  # "my laptop is down at home": no namespace of this cluster
        if not slots.get("deployment") and not slots.get("pod"):
            # "notif-worker wedged in comms", the name untagged: the one deployment of the
            # namespace a word names exactly is what the trouble is about.
            named = self._named(text, "deployment", namespace.lower(), turn.requester.identity)
            if len(named) == 1:
                slots["deployment"] = named.pop()
        return self._answer_with(turn, parsed, DIAGNOSIS, slots, note=TROUBLE_NOTE,
                                 reading="trouble")

    def _waiting_answer(self, turn: Turn, text: str, parsed: ParsedIntent
                        ) -> list[Reply] | None:
        """The plans waiting for a decision in this channel (their cards were posted here),
        for a question of what waits ("what's waiting for approval?": a user trial, "outside
        what I can do"), when the model read no change; None otherwise. Decides nothing."""
        if (_WAITING_QUESTION.search(text) is None or self._mutating(parsed.intent)
                or said_to_someone_else(text, parsed.spans) or parsed.slots
                or _WORKLOAD_WORDS.search(text)):
            # "which pods are pending in prod?" asks about the cluster, not the bot.
            return None
        now = self.parts.clock()
        # Proposed runs are never reads: the channel's changes waiting.
        runs = [run for run in self.parts.store.changes_in_channel(
                    turn.message.channel, RunState.PROPOSED, limit=_RECENT_RUNS)
                if run.expires_at > now]
        lines = [(run.id, run.runbook, dict(run.raw_slots), run.requester_name,
                  len(self.parts.valid_approvals(run)), run.needed) for run in runs]
        return [Reply("answer", waiting_here_text(lines))]

    def _own_changes_answer(self, turn: Turn, text: str, parsed: ParsedIntent
                            ) -> list[Reply] | None:
        """The latest changes made through the bot in this channel, newest first, for a
        question of what it changed ("what did you change last?": a user trial, "outside
        what I can do"), when the model read no change; None otherwise. Another channel's
        changes may be private, so only this one's are listed."""
        if (_OWN_CHANGES_QUESTION.search(text) is None or self._mutating(parsed.intent)
                or said_to_someone_else(text, parsed.spans)):
            return None
        runs = self.parts.store.changes_in_channel(turn.message.channel,
                                                   limit=_CHANGES_LISTED)
        return [Reply("answer", changes_in_channel_text(_made(runs)))]

    def _what_if(self, turn: Turn, text: str, parsed: ParsedIntent) -> list[Reply] | None:
        """The dry-run of the one change a question of what it would do is about ("what
        would happen if I scaled checkout-api to 0 in prod?": a user trial, "outside what I
        can do"; "is it safe to drain node-2?" read as the drain), proposed to nobody and
        offered as a choice (`Planner.what_if`); None when it is no such question, or is
        said to someone else, or names no object of the change's kind."""
        if said_to_someone_else(text, parsed.spans):
            return None
        changes = tuple(rb.name for rb in self.parts.catalogue if rb.risk is not Risk.READ)
        intent = change_asked_about(text, parsed, changes)
        if intent is None:
            return None
        # Else answered as the same words are without a preview.
        return self._preview(turn, text, parsed, self.parts.catalogue.get(intent))

    def _preview(self, turn: Turn, text: str, parsed: ParsedIntent,
                 runbook: Runbook) -> list[Reply] | None:
        """`runbook`'s dry-run as the asker, proposed to nobody; None where the guards
        would refuse it as an order or it names no object of the change's kind."""
        if refused_as_an_order(text, parsed, runbook) or not names_its_object(parsed, runbook):
            return None
        return self.planner.request(turn, runbook.name,
                                    self._values_for(runbook.name, parsed.slots),
                                    parsed.confidence, asked=asked_by(parsed),
                                    preview_only=True)

    def _piped(self, turn: Turn, command: str, pipe: str) -> list[Reply]:
        """A kubectl command piped into filters ("kubectl get pods -n prod | grep
        checkout"): a read is answered as the command before the pipe, saying the pipe is
        left out; a change is not planned (what was wanted of its output is unsaid)."""
        parsed = self.parts.parse(command, turn.requester.identity)
        runbook = self.parts.catalogue.runbooks.get(parsed.intent)
        if runbook is None or runbook.risk is not Risk.READ:
            return [Reply("answer", piped_change_text(command, pipe))]
        return self.planner.request(turn, parsed.intent, parsed.slots, parsed.confidence,
                                    asked=asked_by(parsed), notes=(piped_note(pipe),))

    def _dry_run(self, turn: Turn, command: str) -> list[Reply]:
        """A request with kubectl's `--dry-run` (`command`: the message without the flag):
        the change's preview, proposed to nobody, where it reads as one change the guards
        let through; a read is answered; anything else is told that nothing was planned,
        never planned for approval (session 50's review: a dry run whose preview could not
        be built fell through to the real change, approved and run)."""
        parsed = self.parts.parse(command, turn.requester.identity)
        runbook = self.parts.catalogue.runbooks.get(parsed.intent)
        if runbook is not None and runbook.risk is Risk.READ:
            return self.planner.request(turn, parsed.intent,
                                        self._values_for(parsed.intent, parsed.slots),
                                        parsed.confidence, asked=asked_by(parsed))
        previewed = (None if runbook is None or said_to_someone_else(command, parsed.spans)
                     else self._preview(turn, command, parsed, runbook))
        if previewed is None:
            self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
            return [Reply("answer", DRY_RUN_NOT_PLANNED)]
        return previewed

    def _autoscaled_answer(self, turn: Turn, text: str, parsed: ParsedIntent
                           ) -> list[Reply] | None:
        """`rightsize` of the deployment a question of its autoscaling names ("is
        checkout-api autoscaled in prod?": "I'm not sure" in a user trial), which names the
        autoscaler or says none; None otherwise, or when read as a change or said to
        someone else."""
        if (RIGHTSIZE not in self.parts.catalogue or not parsed.slots.get("deployment")
                or self._mutating(parsed.intent) or not asks_if_autoscaled(text)
                or said_to_someone_else(text, parsed.spans)):
            return None
        return self._answer_with(turn, parsed, RIGHTSIZE,
                                 self._values_for(RIGHTSIZE, parsed.slots),
                                 note=AUTOSCALED_NOTE, reading="autoscaled_question")

    def _noun_read(self, turn: Turn, text: str, parsed: ParsedIntent) -> list[Reply] | None:
        """The read a message asks for by its noun alone ("pods of deployment search-indexer
        in prod", "events for calc-app"), when the model left it under its bar, the message
        has no change's verb and is not said to someone else; None otherwise."""
        said = _NOUN_READ.match(text)
        if said is None or parsed.intent != OUT_OF_SCOPE:
            return None
        intent = _READ_NOUNS.get(said.group(1).lower())
        if (intent is None or intent not in self.parts.catalogue
                or any(w in CHANGE_VERBS for w in _WORDS.findall(text.lower()))
                or said_to_someone_else(text, parsed.spans)):
            return None
        return self._answer_with(turn, parsed, intent, self._values_for(intent, parsed.slots),
                                 note=noun_read_note(said.group(1).lower(), intent),
                                 reading="noun_read")

    def _restarts_answer(self, turn: Turn, text: str, parsed: ParsedIntent
                         ) -> list[Reply] | None:
        """The pods (of the namespace, or of the deployment tagged) with the ones that
        restarted most named first, for a question of restarts ("which pods have restarted
        the most in prod": a user trial, told "'most' is not a pod hygiene check"); None
        otherwise, or when said to someone else."""
        if (PODS not in self.parts.catalogue or said_to_someone_else(text, parsed.spans)
                or not asks_about_restarts(text, parsed.slots,
                                           read_as_change=self._mutating(parsed.intent))):
            return None
        replies = self._answer_with(turn, parsed, PODS, self._values_for(PODS, parsed.slots),
                                    note=RESTARTS_NOTE, reading="restarts_question")
        records = next((r.records for r in replies if r.records), None)
        if records is None:
            return replies  # asked for the namespace, or refused: nothing listed yet
        listed = sum(isinstance(r, PodInfo) for r in records)
        return [*replies, Reply("answer", most_restarts_text(most_restarted(records), listed))]

    def _node_answer(self, turn: Turn, text: str, parsed: ParsedIntent) -> list[Reply] | None:
        """The pods of the deployment a question of its nodes names ("which node is
        checkout-api on?": a user trial got its status, which names no node), when the
        model read it as a read about the deployment or left it under its bar."""
        node = parsed.slots.get("node")
        if not node and _ON_NODE_QUESTION.search(text) is not None:
            # "which pods are on node-2" with no node tagged (a user trial was asked for a
            # namespace): the one node a word names, as the cluster lists them.
            named = self._named(text, "node", None, turn.requester.identity)
            node = named.pop() if len(named) == 1 else None
        if (node and _ON_NODE_QUESTION.search(text) is not None and NODE_STATUS in
                self.parts.catalogue and not self._mutating(parsed.intent)
                and not said_to_someone_else(text, parsed.spans)):
            # "what runs on node-2" (a user trial: "not sure"): the node, with its pods.
            return self._answer_with(turn, parsed, NODE_STATUS, {"node": node},
                                     note=ON_NODE_NOTE, reading="node_question")
        if (not parsed.slots.get("deployment") or _NODE_QUESTION.search(text) is None or PODS not in
                self.parts.catalogue or (parsed.intent != OUT_OF_SCOPE
                                         and self._mutating(parsed.intent))
                or said_to_someone_else(text, parsed.spans)):
            return None
        return self._answer_with(turn, parsed, PODS, self._values_for(PODS, parsed.slots),
                                 note=NODE_QUESTION_NOTE, reading="node_question")

    def _check_first(self, turn: Turn, text: str, parsed: ParsedIntent) -> list[Reply] | None:
        """The diagnosis of the deployment a change on a condition names ("check calc-app
        and restart it if it looks bad", "if api is down, restart it": a user trial got the
        restart planned, the check dropped), with its fix offered as a plan that waits for
        approvals; None when there is no condition or no deployment."""
        if (not parsed.slots.get("deployment") or not on_a_condition(text)
                or DIAGNOSIS not in self.parts.catalogue
                or said_to_someone_else(text, parsed.spans) or just_talk(text, parsed.spans)):
            return None
        return self._answer_with(turn, parsed, DIAGNOSIS,
                                 self._values_for(DIAGNOSIS, parsed.slots),
                                 note=CHECK_FIRST_NOTE, reading="check_first")

    def _history_answer(self, turn: Turn, text: str, parsed: ParsedIntent
                        ) -> list[Reply] | None:
        """The rollout history of the deployment a question of what changed names ("who
        changed web-frontend in prod", "was it rolled back?": a user trial, "outside what I
        can do"), `history_question.history_values`; the one deployment of the namespace a
        word names when the model tagged none. None when it is no such question."""
        slots = dict(parsed.slots)
        if not slots.get("deployment") and asks_what_changed(text):
            namespace = self._namespace_of(turn, slots)
            named = (self._named(text, "deployment", namespace.lower(),
                                 turn.requester.identity) if namespace else set())
            if len(named) == 1:
                slots["deployment"] = named.pop()
        values = history_values(text, slots, parsed.spans)
        if (values is None and asks_what_changed(text) and slots.get("namespace")
                and not slots.get("deployment") and not slots.get("pod")
                and EVENTS in self.parts.catalogue
                and not said_to_someone_else(text, parsed.spans)):
            # "what changed in prod in the last hour?" (a user trial: "not sure"): a
            # namespace's changes are its events; a rollout history is one deployment's.
            namespace = slots["namespace"]
            replies = self._answer_with(turn, parsed, EVENTS, {"namespace": namespace},
                                        note=NAMESPACE_CHANGES_NOTE, reading="history_question")
            runs = [run for run in self.parts.store.changes_in_channel(
                        turn.message.channel, limit=_RECENT_RUNS)
                    if str(run.raw_slots.get("namespace", "")).lower() == namespace.lower()]
            made = _made(runs[:_CHANGES_LISTED])
            return ([*replies, Reply("answer", changes_in_namespace_text(namespace, made))]
                    if made else replies)
        if values is None or HISTORY not in self.parts.catalogue:
            return None
        replies = self._answer_with(turn, parsed, HISTORY, values, note=HISTORY_NOTE,
                                    reading="history_question")
        mine = self._changes_made_here(turn, values)
        return [*replies, Reply("answer", mine)] if mine else replies

    def _changes_made_here(self, turn: Turn, values: Mapping[str, str]) -> str:
        """The changes made through the bot to the deployment `values` name, in this
        channel (another may be private), newest first, with who asked and who approved:
        a scale makes no revision, so "who scaled it?" has its answer here; "" when none
        of the channel's latest changes is one."""
        deployment, namespace = values.get("deployment"), values.get("namespace")
        if not deployment or not namespace:
            return ""
        runs = [run for run in self.parts.store.changes_in_channel(turn.message.channel,
                                                                   limit=_RECENT_RUNS)
                if run.raw_slots.get("deployment") == deployment
                and run.raw_slots.get("namespace") == namespace][:_CHANGES_LISTED]
        lines = _made(runs, omit=("deployment", "namespace"))
        return changes_made_here_text(deployment, namespace, lines) if lines else ""

    def _state_answer(self, turn: Turn, text: str, parsed: ParsedIntent,
                      verdict: Verdict | None = None) -> list[Reply] | None:
        """The read that answers a question about the state a change sets, read as that
        change, as `state_question.question_of_state` finds it; None otherwise."""
        found = question_of_state(text, parsed, self.parts.catalogue.runbooks, verdict)
        if found is None:
            return None
        read_as, read, slots = found
        cronjob = read_as.slots.get("cronjob")
        namespace = (self._cronjob_namespace(turn, text, cronjob)
                     if cronjob and not slots.get("namespace") else None)
        if namespace:
            # "is nightly-report paused?" (a fourth trial was asked which namespace, with
            # every one offered): the one it is in, as for when it runs.
            slots = {**slots, "namespace": namespace}
        replies = self._answer_with(turn, parsed, read, slots,
                                    note=state_read_note(read_as.intent, read),
                                    reading="state_question", confidence=read_as.confidence)
        return replies if cronjob is None else _with_cronjob_line(replies, cronjob)

    def _reported(self, turn: Turn, text: str, parsed: ParsedIntent) -> list[Reply]:
        """A report of trouble the model read as a change ("nightly-report hasn't fired
        since monday in prod" as a suspend at 0.87: a user trial planned it). No change is
        asked for: the read that answers the trouble (the cronjob's namespace scan, the
        workload's diagnosis, the node's state), as if the model had been unsure; else the
        answer for what is out of scope."""
        unsure = replace(parsed, intent=OUT_OF_SCOPE, alternatives=())
        node = parsed.slots.get("node")
        if node and NODE_STATUS in self.parts.catalogue:
            return self._answer_with(turn, unsure, NODE_STATUS, {"node": node},
                                     note=TROUBLE_NOTE, reading="trouble")
        trouble = (self._cronjob_trouble(turn, text, unsure)
                   or self._unsure_symptom(turn, text, unsure))
        if trouble is not None:
            return trouble
        METRICS.out_of_scope.inc()
        return [self._out_of_scope(turn, unsure)]

    def _cronjob_trouble(self, turn: Turn, text: str, parsed: ParsedIntent
                         ) -> list[Reply] | None:
        """The scan of a cronjob's namespace, then what it found of the cronjob, for trouble
        with a cronjob the model left under its bar (`symptoms.cronjob_trouble`; a user
        trial: "the nightly-report cronjob is busted, can you fix it?" got "not sure"), or
        a question of when it runs or ran, read as no change (`asks_cronjob_runs`: "when
        does nightly-report run next?" got "outside"), in the namespace given, beside its
        name, the one that has it, or the channel's; None otherwise."""
        if cronjob_trouble(text, parsed):
            note, reading = CRONJOB_TROUBLE_NOTE, "cronjob_trouble"
        elif (not self._mutating(parsed.intent) and asks_cronjob_runs(text)
              and not said_to_someone_else(text, parsed.spans)):
            note, reading = CRONJOB_RUNS_NOTE, "cronjob_runs"
        else:
            return None
        cronjob = parsed.slots.get("cronjob") or self._one_cronjob_named(turn, text, parsed)
        if not cronjob:
            return None
        namespace = (parsed.slots.get("namespace") or self._cronjob_namespace(turn, text, cronjob)
                     or self._namespace_of(turn, {}))
        if not namespace:
            return None
        replies = self._answer_with(turn, parsed, DIAGNOSIS, {"namespace": namespace},
                                    note=note, reading=reading)
        return _with_cronjob_line(replies, cronjob)

    def _cronjob_namespace(self, turn: Turn, text: str, cronjob: str) -> str | None:
        """The namespace of `cronjob` a message names none for: the one named beside it,
        else the one the person can list that has it; None when neither settles it."""
        identity = turn.requester.identity
        only = only_namespace_with({"cronjob": cronjob}, self.parts.executor, identity)
        return (namespace_beside(text, cronjob, self.parts.executor, identity)
                or (only[0] if only is not None else None))

    def _one_cronjob_named(self, turn: Turn, text: str, parsed: ParsedIntent) -> str | None:
        """The one cronjob a word of `text` names exactly, in the message's namespace or the
        channel's ("when did nightly-report last run in prod", the name untagged), or with
        neither, in the namespaces the person can list; two words written apart count as
        the name with a dash between ("when's the next run of the nightly report?", a
        fourth trial: "outside what I can do")."""
        identity = turn.requester.identity
        words = _WORDS.findall(text.lower())
        said = " ".join([text, *(f"{a}-{b}" for a, b in pairwise(words))])
        namespace = self._namespace_of(turn, parsed.slots)
        if namespace:
            named = self._named(said, "cronjob", namespace.lower(), identity)
            return named.pop() if len(named) == 1 else None
        try:
            namespaces = self.parts.executor.names("namespace", None, identity)
        except ClusterError:
            return None
        if len(namespaces) > MAX_OFFERED:
            return None
        found = {name for ns in namespaces for name in self._named(said, "cronjob", ns, identity)}
        return found.pop() if len(found) == 1 else None

    def _image_named(self, turn: Turn, text: str, parsed: ParsedIntent,
                     slots: dict[str, str]) -> tuple[dict[str, str], str]:
        """`slots` with the image a repository's word and a tag name ("put nginx 1.27 on
        web-frontend", `image_words.py`), looked up as the requester, and a note for the
        plan ("" when none)."""
        namespace = self._namespace_of(turn, slots)
        deployment = slots.get("deployment")
        if not namespace or not deployment:
            return slots, ""
        identity = turn.requester.identity

        def containers() -> tuple[str, ...]:
            return self.parts.executor.names("container", namespace, identity)

        def images() -> tuple[str, ...]:
            step = Step("get_deployment", {"namespace": namespace, "deployment": deployment})
            records = self.parts.executor.run_step(step, identity).records
            return next((r.images for r in records if isinstance(r, DeploymentInfo)), ())

        try:
            named = image_as_named(text, parsed.spans, slots, containers, images)
        except (ClusterError, Refusal):
            return slots, ""  # planning says what is wrong with the names, as for any request
        return named if named is not None else (slots, "")

    def _target_named(self, turn: Turn, text: str, runbook: Runbook,
                      slots: Mapping[str, str], sense: str) -> dict[str, str] | None:
        """The runbook's target, when a word of `text` is exactly the name of one existing
        object of the kind it changes (in the message's namespace, or the channel's),
        that word's everyday sense is the one the guards refused (`sense`: "db" as a
        database record, never "the statefulset db" as a statefulset), it is the order's
        object ("restart the db in prod", never "the app in front of the db", "the db's
        sidecar" or "the db and the queue": an attacker review), and the model tagged no
        other target: {slot: name}; else None."""
        slot = next((name for name, spec in runbook.slots.items()
                     if spec.type in _OBJECT_TYPES), None)
        if slot is None:
            return None
        kind = runbook.slots[slot].type
        namespace = self._namespace_of(turn, slots)
        where: str | None = None
        if kind != "node":
            if not namespace:
                return None
            try:
                where = str(parse_slot("namespace", "namespace", namespace))
            except SlotError:
                return None
        named = self._named(text, cast(ResourceKind, kind), where, turn.requester.identity)
        if len(named) != 1:
            return None
        name = named.pop()
        if other_sense(name) != sense or not _ordered_object(text, name):
            return None
        tagged = slots.get(slot)
        return {slot: name} if not tagged or tagged.lower() == name else None

    def _other_objects_named(self, turn: Turn, text: str, parsed: ParsedIntent,
                             runbook: Runbook) -> Reply | None:
        """Which one, when `text` names other objects of the kind the runbook changes than
        its target (`others_named`): a question with each as a choice, or where a value's
        field must be asked about too, the names to choose from; "one namespace at a time"
        for the target in other namespaces too. None when it names none."""
        slot = target_of(runbook.slots)
        if slot is None or not parsed.slots.get(slot):
            return None
        kind = cast(ResourceKind, runbook.slots[slot].type)
        try:
            # The model's values are validated before they reach the cluster or a button.
            target = str(parse_slot(slot, kind, parsed.slots[slot]))
        except SlotError:
            return None  # the planner says what is wrong with the value
        try:
            namespace: str | None = str(parse_slot(
                "namespace", "namespace", self._namespace_of(turn, parsed.slots) or ""))
        except SlotError:
            namespace = None  # none given (or none valid): looked for in every namespace
        others = others_named(text, target, kind, namespace, executor=self.parts.executor,
                              identity=turn.requester.identity)
        if not others.objects and not (others.namespaces and namespace):
            return None
        names = (target, *others.objects)
        if others.namespaces and namespace:
            said = one_namespace_at_a_time_text(runbook.name, namespace, others.namespaces)
        elif bare_value(runbook.slots, parsed.slots, text) is not None:
            # Its answer would skip the question of the value's field: said, not asked.
            said = which_named_text(kind, names)
        else:
            values = {k: v for k, v in parsed.slots.items() if k != slot}
            return self.planner.ask(turn, parsed.intent, values,
                                    Question(slot, which_named_text(kind, names), names),
                                    parsed.confidence, asked=asked_by(parsed))
        self.parts.audit.record(OutOfScope(), actor=turn.message.user, thread=turn.thread)
        return Reply("answer", said)

    def _pasted_object(self, turn: Turn, runbook: Runbook, slots: Mapping[str, str]
                       ) -> dict[str, str] | None:
        """For a read whose object the person's own words leave out ("what's wrong with
        it?" under a pasted `kubectl get pods`): the one object of the runbook's kind that
        the paste names, with its namespace, as the cluster lists them to this person (a
        pod's name counts for its deployment); for an object the words name without its
        namespace, the one namespace the paste names that has it; None when the paste
        names none or several. A change never takes its object or namespace from a paste:
        it names what it changes."""
        pasted = turn.message.pasted
        if not pasted or runbook.risk is not Risk.READ or slots.get("namespace"):
            # A namespace of the person's own words is theirs: "... anything else unhealthy
            # in prod?" under an alert of one deployment is the namespace's scan.
            return None
        kinds = [(name, spec.type) for name, spec in runbook.slots.items()
                 if spec.type in _OBJECT_TYPES]
        named_object = next(((name, kind) for name, kind in kinds if slots.get(name)), None)
        if not kinds or (named_object is not None and (
                "namespace" not in runbook.slots or named_object[1] == "node")):
            return None
        identity = turn.requester.identity
        words = pasted_names(pasted)
        if named_object is not None:
            # "are checkout-api's requests oversized?" under a paste of `-n prod`: the one
            # namespace the paste names that has it.
            name, kind = named_object
            holding = [space for space in self._named(words, "namespace", None, identity)
                       if slots[name].lower() in self._named(
                           slots[name], cast(ResourceKind, kind), space, identity)]
            return {"namespace": holding[0]} if len(holding) == 1 else None
        named = self._named(f"{words} {turn.message.text}", "namespace", None, identity)
        try:
            spaces = sorted(named) or self.parts.executor.names(
                "namespace", None, identity)[:MAX_OFFERED]
        except ClusterError:
            return None
        # The runbook's first kind the paste names settles it: a diagnosis of the
        # deployment rather than of one of its pods.
        for name, kind in kinds:
            found = ([(None, n) for n in self._named(words, "node", None, identity)]
                     if kind == "node" else
                     [(space, n) for space in spaces
                      for n in self._named(words, cast(ResourceKind, kind), space, identity)])
            if len(found) > 1:
                return None
            if found:
                space, object_name = found[0]
                return {name: object_name, **({"namespace": space} if space else {})}
        return None

    def _pasted_diagnosis(self, turn: Turn) -> list[Reply] | None:
        """A question about a paste that the model read as nothing it can do ("can someone
        look at this", "got paged: why?"): the diagnosis of the one object the paste names,
        None when it names none or several, or there is no diagnosis."""
        if (not turn.message.pasted or DIAGNOSIS not in self.parts.catalogue
                or not asks_about_it(turn.message.text)):
            return None
        runbook = self.parts.catalogue.get(DIAGNOSIS)
        found = self._pasted_object(turn, runbook, {})
        if found is None:
            return None
        self._reread(turn, "pasted", DIAGNOSIS, found)
        return self.planner.request(turn, DIAGNOSIS, found, 1.0, asked=Asked.MODEL,
                                    notes=(pasted_note(found),))

    def _named(self, text: str, kind: ResourceKind, namespace: str | None,
               identity: Identity | None) -> set[str]:
        """The names of objects of `kind` (in `namespace`) that words of `text` are, as the
        cluster lists them to `identity`; none when it can't list them."""
        try:
            names = self.parts.executor.names(kind, namespace, identity)
        except ClusterError:
            return set()
        lowered = text.lower()
        return set(names).intersection({*_WORDS.findall(lowered), *_DOTTED.findall(lowered)})

    def _names_another_object(self, text: str, run: Run, identity: Identity | None) -> bool:
        """Whether `text` names an existing object of the kind `run` changes, or a
        namespace, other than the run's own: the cluster's names, not the model's tags."""
        runbook = self.parts.catalogue.runbooks.get(run.runbook)
        if runbook is None:
            return False
        # The plan's values too: a namespace the channel's default gave is no raw slot.
        planned = [step.params for step in Plan.from_record(run.plan).steps]
        own = {str(v).lower() for values in (run.raw_slots, *planned) for v in values.values()}
        namespace = next((str(p["namespace"]) for p in planned if p.get("namespace")),
                         None)
        kinds = {spec.type for spec in runbook.slots.values()
                 if spec.type in (*_OBJECT_TYPES, "namespace")}
        return any(self._named(text, cast(ResourceKind, kind),
                               None if kind in ("namespace", "node") else namespace,
                               identity) - own for kind in sorted(kinds))

    def _value_for_another_runbook(self, run: Run, slots: Mapping[str, str]
                                   ) -> tuple[str, dict[str, str]] | None:
        """(the run, its one value slot with the message's one value), or None: the
        message names no object, and the plan set exactly one value (a plan that set two,
        "min 2 max 8", is not guessed at)."""
        runbook = self.parts.catalogue.runbooks.get(run.runbook)
        if runbook is None:
            return None
        if any(name in ("namespace", "container", *_OBJECT_TYPES)
               or (name in runbook.slots and runbook.slots[name].type in _OBJECT_TYPES)
               for name in slots):
            return None
        values = [v for v in slots.values() if v.strip()]
        set_by_plan = [name for name, value in run.raw_slots.items()
                       if value and name in runbook.slots and name not in ("namespace",
                                                                           "container")
                       and runbook.slots[name].type not in _OBJECT_TYPES]
        if len(values) != 1 or len(set_by_plan) != 1:
            return None
        spec = runbook.slots[set_by_plan[0]]
        try:
            # A value of another kind ("512Mi" for a replica count) is no edit of this one.
            parse_slot(spec.name, spec.type, values[0].strip(), spec.bounds, spec.choices)
        except SlotError:
            return None
        return run.id, {set_by_plan[0]: values[0].strip()}


    def _out_of_scope(self, turn: Turn, parsed: ParsedIntent) -> Reply:
        # Only candidates the model gave real weight to; near-zero scores are noise.
        close = [name for name, score in parsed.alternatives
                 if name in self.parts.catalogue and score >= 0.05][:3]
        self.parts.audit.record(OutOfScope(tuple(close)), actor=turn.message.user,
                                thread=turn.thread)
        if not close:
            return Reply("answer", OUTSIDE_SCOPE)
        context = load_context(self.parts.threads, turn.thread)
        waiting = context.pending.get(turn.requester.key)
        if waiting is not None and waiting.intent != OFFER:
            # A question of a plan still waits: an offer would replace it (one question
            # per person), so the closest runbooks are named, not offered.
            return Reply("answer", f"{unsure_text(close)} {QUESTION_STILL_WAITS}")
        # The closest runbooks are a question to this person: naming one (a click, its name
        # or its number) starts its request with the values understood so far.
        offer = PendingQuestion(OFFER, dict(parsed.slots), OFFER_ASKING, 1.0,
                                turn.requester.name, tuple(close), asked=Asked.CHOICE)
        save_context(self.parts.threads, turn.thread, context.asking(turn.requester.key, offer))
        return Reply("answer", unsure_text(close), choices=tuple(close))

    def _mutating(self, intent: str) -> bool:
        runbook = self.parts.catalogue.runbooks.get(intent)
        return runbook is not None and runbook.risk is not Risk.READ

    def _cannot_do(self, parsed: ParsedIntent, kind: str | None) -> Reply:
        """A request to create something (`kind` None), or to change a kind of object no
        runbook changes: said plainly, with the read-only runbooks the model found closest
        (never one that changes something)."""
        close = [name for name, score in ((parsed.intent, parsed.confidence),
                                          *parsed.alternatives)
                 if name in self.parts.catalogue and not self._mutating(name)
                 and score >= 0.05][:3]
        if kind is not None:
            return Reply("answer", cannot_change_kind_text(kind, close))
        return Reply("answer", cannot_create_text(close))

    def _decide_in_thread(self, run_id: str, word: str, turn: Turn) -> list[Reply]:
        """`approve r-1a2b3c4d` typed in a thread: only for a request of that thread."""
        run = self.parts.run(run_id)
        if (run.channel, run.thread) != (turn.message.channel, turn.message.thread):
            raise Refusal(not_in_this_thread_text(run_id), DECIDE_IN_OWN_THREAD_HINT)
        decision: Literal["approve", "deny"] = "deny" if word in ("deny", "reject") else "approve"
        return self.approvals.decide(run_id, turn.message, decision, turn.on_update)

    def _answer_pending(self, pending: PendingQuestion, text: str) -> _Answered | None:
        slot = pending.asking
        if pending.asked is Asked.PREVIEW:
            # A preview asked nothing: only the change's own name (typed, or its button)
            # takes it, never a number, a word of it or a yes ("ok, makes sense" proposed
            # the change: an attacker review).
            value: str | None = next((c for c in pending.choices
                                      if c == text.strip().strip("`").lower()), None)
        else:
            value = (_choice(pending.choices, text) if pending.choices
                     else self._free_answer(pending, text))
        if value is None:
            return None
        if pending.intent == OFFER:
            offered = pending.offers.get(value)
            if offered is not None:
                # A fix a diagnosis suggested (1.0), or the field of a value the model
                # read (its confidence): exactly the request it named.
                return _Answered(offered.intent, dict(offered.slots), pending.confidence,
                                 _asked(pending), notes=(offered.note,) if offered.note else ())
            # The runbook picked from an offer, with the values it declares.
            if value not in self.parts.catalogue:
                return None
            declared = self.parts.catalogue.get(value).slots
            return _Answered(value, {k: v for k, v in pending.slots.items() if k in declared},
                             1.0, Asked.CHOICE)
        return _Answered(pending.intent, {**pending.slots, slot: value}, pending.confidence,
                         _asked(pending), pending.replacing, version=pending.version)

    def _free_answer(self, pending: PendingQuestion, text: str) -> str | None:
        """The value a free-text answer gives the asked slot; None if it gives none (or is
        a new request)."""
        slot, parser = pending.asking, self.parts.parser
        words = _answer_words(text)
        # One word is the answer, whatever a model reads in it: a bare name such as
        # "w3f2a-prod" can look like a pod's name to it, confidently, and no request is
        # one word (those that are, "cancel" and the like, were handled before).
        one_word = words[0].strip("`") if len(words) == 1 else None
        if one_word is not None and one_word.lower() in YES_OR_NO:
            return None  # "yeah" answers the question itself (`_reply_to_own_question`)
        if one_word is not None and self._orders_another(one_word, pending.intent):
            return None  # "restart it" while asked which deployment to scale
        if one_word is None and not_a_request(text):
            # "we should NOT restart checkout in prod" names a namespace but answers nothing.
            return None
        if len(words) >= _ASKS_BACK_WORDS and text.strip().endswith("?"):
            # A question of its own ("which is busier, prod or staging?", "can alice
            # approve it in prod?") asks, it does not answer; "maybe staging?" still does.
            return None
        if parser is not None and one_word is None and not starts_with_run(text):
            # A namespace read by its place alone counts for nothing here: unchecked.
            parsed = placed_where_it_is(parser.parse(text), self.parts.catalogue.runbooks,
                                        self.parts.executor, None)
            # "1.25 i guess, same as checkout" answers with a comparison, no other target
            # (a user trial: the plan moved to checkout).
            others = {k: v for k, v in parsed.slots.items()
                      if k != slot and not _compared(text, v)}
            if parsed.intent in self.parts.catalogue and parsed.confidence >= 0.9 and (
                    parsed.intent != pending.intent or others):
                # "restart checkout in staging" while asked "which deployment?" is a new
                # request; taking only its deployment would drop the namespace it names.
                return None
            if others and asks_about_state(text):
                # A question naming more than the value asked for is a message of its own
                # (a user trial: "what changed on checkout-api in prod in the last day"
                # answered "which deployment should I restart?", and "is search-indexer
                # autoscaled in prod?" then its namespace question: a restart planned).
                return None
            if any(str(pending.slots.get(k, v)).lower() != v.lower()
                   for k, v in others.items() if k in (*_OBJECT_TYPES, "namespace")):
                # Another object or namespace than the request's: not its answer ("web-frontend
                # in staging" for a restart in prod, an attacker review: planned in prod).
                return None
            if parsed.intent != pending.intent and self._orders_another(text, pending.intent):
                # Read as something else (no request, or another runbook, however unsure),
                # and ordering another change than the one asked about ("team, can we
                # restart checkout in prod", "bounce api in prod first"): a request of its
                # own, no value for this plan. An answer orders no change, or only the
                # plan's own or an amount ("lower it to 2").
                return None
            if parsed.slots.get(slot):
                return parsed.slots[slot]
        return one_word

    def _orders_another(self, text: str, intent: str) -> bool:
        """Whether `text` orders a kind of change that the request for `intent` does not
        make. A read-only runbook's value is taken whatever the message orders: a wrong one
        makes a wrong read, no change."""
        runbook = self.parts.catalogue.runbooks.get(intent)
        if runbook is None or runbook.risk is Risk.READ:
            return False
        return bool(ordered_changes(text) - RUNBOOK_CHANGES.get(intent, frozenset()))

    def _one_workload(self, intent: str, slots: Mapping[str, str], text: str,
                      identity: Identity | None) -> tuple[str, dict[str, str]] | None:
        """The runbook about one deployment (`one_workload`) that answers a read about a
        namespace asked about one, with the deployment it is about when the model tagged
        none, if any: one the model gave a slot the read has none for, else the one
        deployment of the namespace that a word of the message names exactly (the shipped
        model tags no deployment in an image question)."""
        runbook = self.parts.catalogue.runbooks.get(intent)
        target = self.parts.catalogue.runbooks.get(runbook.one_workload or "") if runbook \
            else None
        if runbook is None or target is None:
            return None
        slot = next((name for name, spec in target.slots.items() if spec.type == "deployment"),
                    None)
        if slot is None or slot in runbook.slots:
            return None
        if slots.get(slot):
            return target.name, {}
        namespace = slots.get("namespace")
        words = set(_WORDS.findall(text.lower()))
        if not namespace:
            # "what image is web-frontend on" (a user trial got every image of the
            # cluster): the one deployment a word names in the namespaces one may list.
            found = self._deployment_named_anywhere(words, identity)
            return (target.name, {slot: found[1], "namespace": found[0]}) if found else None
        try:
            # The model's value is validated before it reaches the cluster, as every slot.
            listed = self.parts.executor.names(
                "deployment", str(parse_slot("namespace", "namespace", namespace)), identity)
        except (ClusterError, SlotError):
            return None
        named = set(listed).intersection(words)
        return (target.name, {slot: named.pop()}) if len(named) == 1 else None

    def _deployment_named_anywhere(self, words: set[str], identity: Identity | None
                                   ) -> tuple[str, str] | None:
        """The one (namespace, deployment) whose name is one of `words`, among the first
        `MAX_OFFERED` namespaces the person can list (one call each); None when none or
        several, or they cannot be listed."""
        try:
            namespaces = self.parts.executor.names("namespace", None, identity)[:MAX_OFFERED]
        except ClusterError:
            return None
        found: list[tuple[str, str]] = []
        for namespace in namespaces:
            try:
                names = self.parts.executor.names("deployment", namespace, identity)
            except ClusterError:
                continue
            found += [(namespace, name) for name in words.intersection(names)]
            if len(found) > 1:
                return None
        return found[0] if found else None

    def _carried(self, intent: str, slots: Mapping[str, str], last: LastRequest | None,
                 text: str, identity: Identity | None) -> dict[str, str]:
        """The namespace and objects of the thread's last request that a read naming none
        takes, slot by slot (empty for any other request). Nothing when a word of the
        message is a namespace's name (the model missed it: "staging logs?"), and only the
        namespace when it asks for everything ("show all pods")."""
        runbook = self.parts.catalogue.runbooks.get(intent)
        if runbook is None or runbook.risk is not Risk.READ or last is None:
            return {}
        kinds = ("namespace", *_OBJECT_TYPES)
        named = [name for name, spec in runbook.slots.items() if spec.type in kinds]
        if any(slots.get(name) for name in named):
            return {}
        if self._named(text, "namespace", None, identity) or self._named(text, "node", None,
                                                                         identity):
            # A namespace's or a node's name the model missed ("staging logs?", "show pods
            # on node-2": a user trial got the thread's last deployment's pods) is the read's
            # own object, not the last request's.
            return {}
        spec = runbook.slots.get("namespace")
        if spec is not None and not spec.required and every_namespace(text):
            return {}  # "anything :latest anywhere?": every namespace, not the last one
        if _EVERYTHING.search(text):
            named = [name for name in named if runbook.slots[name].type == "namespace"]
        return {name: last.slots[name] for name in named if last.slots.get(name)}

    def _follow_up_value(self, runbook: Runbook, last: LastRequest, match: re.Match[str],
                         identity: Identity | None) -> Request | None:
        """The last request with the value a follow-up names: the namespace when the words
        say so ("and in qa?") or the name is a namespace's (or nearly), else the object
        the last request acted on ("and search-indexer?" after a restart); a request
        that has neither is refused, never answered with something else (the model read
        "and in prod?" after a cordon as `help`)."""
        word = match.group(3).lower()
        says_namespace = bool((match.group(1) and match.group(1).lower() == "in")
                              or match.group(2) or match.group(4))
        has_namespace = "namespace" in runbook.slots
        target = next((name for name, spec in runbook.slots.items()
                       if spec.type in _OBJECT_TYPES and last.slots.get(name)), None)
        if match.group(5):
            # "same for web-frontend in prod": the object and its namespace, both.
            if has_namespace and word in _NOT_AN_OBJECT:
                # "same thing in staging", "same but in staging" (an attacker review: read
                # as a deployment called "thing"): the namespace only.
                return last.intent, {**last.slots, "namespace": match.group(5).lower()}
            if says_namespace or target is None or not has_namespace:
                return None
            return last.intent, {**last.slots, target: word,
                                 "namespace": match.group(5).lower()}
        near_namespace = self._near_a_namespace(word, identity)
        if target is None and not says_namespace and not near_namespace:
            # "and node-2?" after all nodes' status: the name of an object of a kind the
            # last request left open (exactly one's: never completed) fills that slot.
            empty = self._open_slot_named(runbook, last, word, identity)
            if empty is not None:
                return last.intent, {**last.slots, empty: word}
        if has_namespace and (says_namespace or target is None or near_namespace):
            return last.intent, {**last.slots, "namespace": word}
        if target is not None and not says_namespace and (has_namespace or not near_namespace):
            # Only a name that is exactly an object's: a follow-up word is never completed
            # to one ("what about the rest?" is not rest-api, "and 4?" not worker-4).
            kind = cast(ResourceKind, runbook.slots[target].type)  # one of _OBJECT_TYPES
            namespace = last.slots.get("namespace") if kind != "node" else None
            try:
                names = self.parts.executor.names(kind, namespace, identity)
            except ClusterError:
                return None
            if word in names:
                return last.intent, {**last.slots, target: word}
            if namespace is not None:
                self._lacked(kind, word, namespace, identity)
            return None
        raise Refusal(no_namespace_follow_up_text(last.intent))

    def _lacked(self, kind: ResourceKind, word: str, namespace: str,
                identity: Identity | None) -> None:
        """Refuse a follow-up naming an object its namespace lacks ("same for web-frontend"
        after a read in staging: a user trial got "I'm not sure"), saying which of the
        namespaces the requester can see have one; return when none has and `word` may be
        no name at all ("and check?": the model reads it)."""
        try:
            namespaces = [n for n in self.parts.executor.names("namespace", None, identity)
                          if n != namespace][:MAX_OFFERED]
        except ClusterError:
            return
        others = namespaces_holding(kind, word, namespaces, self.parts.executor, identity)
        if others or "-" in word:
            raise Refusal(follow_up_elsewhere_text(namespace, kind, word, others))

    def _open_slot_named(self, runbook: Runbook, last: LastRequest, word: str,
                         identity: Identity | None) -> str | None:
        """The first object slot the last request left empty for which `word` is exactly
        an existing object's name (in the last request's namespace), if any."""
        for name, spec in runbook.slots.items():
            if spec.type not in _OBJECT_TYPES or last.slots.get(name):
                continue
            kind = cast(ResourceKind, spec.type)  # one of _OBJECT_TYPES
            namespace = last.slots.get("namespace") if kind != "node" else None
            if kind != "node" and not namespace:
                continue
            try:
                if word in self.parts.executor.names(kind, namespace, identity):
                    return name
            except ClusterError:
                continue
        return None

    def _near_a_namespace(self, word: str, identity: Identity | None) -> bool:
        """Whether `word` is a namespace's name or a close typo of one; True when the
        namespaces cannot be listed (the follow-up then reads as before, a namespace)."""
        try:
            names = self.parts.executor.names("namespace", None, identity)
        except ClusterError:
            return True
        return word in names or bool(difflib.get_close_matches(word, names, n=1, cutoff=0.8))

    def _follow_up(self, text: str, parsed: ParsedIntent | None, last: LastRequest | None,
                   identity: Identity | None = None) -> Request | None:
        if last is None:
            return None
        runbook = self.parts.catalogue.runbooks.get(last.intent)
        if runbook is None:
            return None
        # Thanks before a follow-up: "thanks. and in staging?"; thanks to someone by name
        # only before a read's (before a change's, "thanks bob. and in staging?" may ask
        # bob, and would propose the change as the speaker's).
        courtesy = _COURTESY.match(text.strip())
        if courtesy is not None and (runbook.risk is Risk.READ or not courtesy.group("name")):
            text = text.strip()[courtesy.end():]
        match = _FOLLOW_UP.match(text.strip())
        if match is not None and not match.group(2) and not match.group(4):
            other = _READ_NOUNS.get(match.group(3).lower())
            if other is not None and other in self.parts.catalogue.runbooks:
                # "what about the logs?": another read of the same object.
                return other, self._carried(other, {}, last, text, identity)
        if (match is not None and not ordered_changes(match.group(3))
                and (match.group(3).lower() not in NOT_A_NAME_PART or match.group(5))):
            # ("and rollback?" asks about another change, and "and then?" or "what about
            # it?" name nothing: not a value, the model reads them.)
            return self._follow_up_value(runbook, last, match, identity)
        if "namespace" not in runbook.slots:
            return None
        namespace = None
        # The model may also see a bare namespace ("staging?"); only in a short message, so
        # that "kubectl delete namespace prod" is never read as "the same, in prod".
        # Nor "restart in staging" after a scale: a change other than the last request's
        # own is another request (or talk), never "the same, in staging".
        # And only when it says nothing but the namespace: "diagnose dev" is a request of
        # its own (the namespace's scan), not the last diagnosis again in dev.
        if (namespace is None and parsed is not None and set(parsed.slots) == {"namespace"}
                and parsed.intent in (OUT_OF_SCOPE, last.intent)
                and len(text.split()) <= _FOLLOW_UP_WORDS
                and _only_filler(text, parsed.slots["namespace"])
                and not self._orders_another(text, last.intent)):
            namespace = parsed.slots["namespace"]
        if namespace is None:
            return None
        return last.intent, {**last.slots, "namespace": namespace}

    def _meta(self, parsed: ParsedIntent, turn: Turn, context: ThreadContext) -> list[Reply]:
        intent = parsed.intent
        if intent == "help":
            order = list(Risk)
            rows = [(rb.name, rb.risk.value, rb.description) for rb in
                    sorted(self.parts.catalogue, key=lambda r: (order.index(r.risk), r.name))]
            return [Reply("answer", help_text(rows))]
        if intent == "cancel":
            return self._cancel(turn, context)
        if intent in ("confirm", "deny"):
            if turn.requester.key in context.pending:
                return self._reply_to_own_question(intent, turn, context)
            corrects = (_EDIT_CUE.search(turn.message.text) is not None
                        or (intent == "deny" and _NO_THEN_COUNT.match(turn.message.text)
                            is not None))
            if corrects and self._gives_a_value(turn.message.text, turn.requester.identity):
                # "hmm actually do that in staging instead, not prod" is an edit, not a
                # "no" (a user trial: it denied the waiting plan and planned nothing).
                edited = self._decision_as_edit(turn, parsed)
                return edited or [Reply("notice", EDIT_NOT_DECISION, ephemeral=True)]
            asked = [q.asker_name for key, q in context.pending.items()
                     if key != turn.requester.key]
            if asked:
                # A bare yes or no while the bot waits for someone else's answer may be
                # meant for that question ("yeah, alice meant staging"): it decides nothing.
                return [Reply("notice", bare_decision_held_text(asked[0]), ephemeral=True)]
            said = context.said
            if (said is not None and said.answerable
                    and (said.by != turn.requester.key or said.asks)
                    and not decides_by_command(turn.message.text)):
                # "should I cancel it?" - "yes please" ran the restart as the approval
                # (session 50's third attacker review): a yes or no may answer the words
                # before it; "approve" or "deny" alone still decides.
                return [Reply("notice", answer_to_them_text(said.name), ephemeral=True)]
            if intent == "confirm" and parsed.source == "model" and asks_back(turn.message.text):
                # "that ok?", "good to go?", "yes?" under a waiting plan approved and ran it
                # (session 49's second attacker review): a question decides nothing.
                return [Reply("notice", QUESTION_NOT_DECISION, ephemeral=True)]
            return self._decide_waiting("approve" if intent == "confirm" else "deny", turn)
        return self._undo(turn)

    def _decision_as_edit(self, turn: Turn, parsed: ParsedIntent) -> list[Reply] | None:
        """The edit a yes or no with a value makes ("no, 3 replicas": `deny`, 3 tagged as
        replicas) of this person's waiting plan, with the values the model tagged for the
        likeliest runbook after the decision; None when it tagged none or no plan of this
        person's takes them (`_edited_plan`)."""
        if parsed.source != "model" or not parsed.slots:
            return None
        intent = next((name for name, _ in parsed.alternatives
                       if name in self.parts.catalogue), None)
        runbook = self.parts.catalogue.runbooks.get(intent or "")
        if runbook is None:
            return None
        slots = {k: v for k, v in parsed.slots.items() if k in runbook.slots}
        edited = self._edited_plan(turn, runbook.name, slots, cued=True) if slots else None
        if edited is None:
            return None
        return self._edit_with(turn, runbook.name, edited, parsed.confidence)

    def _gives_a_value(self, text: str, identity: Identity | None) -> bool:
        """Whether `text` holds a number or a namespace's name: a value, not a bare yes/no."""
        return (any(ch.isdigit() for ch in text)
                or bool(self._named(text, "namespace", None, identity)))

    def _reply_to_own_question(self, intent: str, turn: Turn,
                               context: ThreadContext) -> list[Reply]:
        """A yes or a no from someone the bot is asking: the answer to that question, never a
        decision on a plan waiting in the thread (which may be somebody else's: "Did you
        mean staging?" - "yes" once approved the other person's change)."""
        mine = context.pending[turn.requester.key]
        names = mine.choices or mine.offered
        if turn.message.text.strip().strip(".!").lower() in _DECISION_WORDS:
            # "approve" or "deny" typed as such is meant for a plan, and the person still
            # has a question open: neither is decided, both are said.
            return [Reply("answer", own_question_waits_text(mine.asking, names))]
        if intent == "deny":
            save_context(self.parts.threads, turn.thread,
                         context.without_question(turn.requester.key))
            return [Reply("answer", CANCELLED_QUESTION)]
        # A yes to the closest runbooks of a message the model was unsure of starts none of
        # them (it may be a yes to a colleague); to a fix a diagnosis offered, or a name the
        # bot offered, it takes the one on offer.
        if mine.asked is Asked.PREVIEW:
            # "ok, makes sense" after a preview: nothing was asked (an attacker review: it
            # proposed the change); the change is taken by its name or its own order.
            return [Reply("notice", preview_taken_how_text(names), ephemeral=True)]
        if len(names) == 1 and (mine.intent != OFFER or mine.offers):
            answered = self._answer_pending(mine, names[0])
            if answered is not None:
                return answered.request(self.planner, turn)
        return [Reply("answer", own_question_waits_text(mine.asking, names), choices=names)]

    def _cancel(self, turn: Turn, context: ThreadContext) -> list[Reply]:
        # A pending question is what "cancel" most likely means; otherwise the newest
        # plan this person asked for in the thread (one, not all of them).
        message, requester, store = turn.message, turn.requester, self.parts.store
        if requester.key in context.pending:
            save_context(self.parts.threads, turn.thread,
                         context.without_question(requester.key))
            return [Reply("answer", CANCELLED_QUESTION)]
        for run in store.runs_in_thread(message.channel, message.thread):
            if run.state is RunState.PROPOSED and run.requester == requester.key:
                if store.transition(run.id, (RunState.PROPOSED,), RunState.CANCELLED):
                    METRICS.runs.labels(run.runbook, RunState.CANCELLED.value).inc()
                    self.parts.audit.record(Cancelled(), actor=message.user, run_id=run.id,
                                            thread=turn.thread)
                return [Reply("update", cancelled_text(run.id),
                              run=self.presenter.view(run.id))]
        return [Reply("answer", NOTHING_TO_CANCEL)]

    def _decide_waiting(self, decision: Literal["approve", "deny"], turn: Turn) -> list[Reply]:
        """A bare `approve`/`deny`: for the one request waiting in the thread, if one."""
        message, now = turn.message, self.parts.clock()
        # An expired request is past deciding (approving it says so): it neither takes a
        # bare "approve" nor makes the one still open ambiguous.
        waiting = [run for run in self.parts.store.runs_in_thread(message.channel,
                                                                   message.thread)
                   if run.state is RunState.PROPOSED and run.expires_at > now]
        if not waiting:
            return [Reply("answer", NOTHING_WAITING)]
        if len(waiting) > 1:
            # "yes" must not land on a request added after the one the person read.
            return [Reply("answer", which_request_text(decision, [r.id for r in waiting]))]
        return self.approvals.decide(waiting[0].id, message, decision, turn.on_update)

    def _order_under_a_decision(self, turn: Turn, text: str, parsed: ParsedIntent
                                ) -> ParsedIntent | None:
        """The model's runner-up, when it read a decision the words do not say ("cordon it,
        we're swapping a disk" as `cancel` at 0.61, a user trial: "I did not understand
        that") and the message opens with that runbook's change; None otherwise. The
        request then takes every check a request takes, at the runner-up's own score."""
        runbook, score = next(((name, score) for name, score in parsed.alternatives
                               if name in self.parts.catalogue.runbooks), ("", 0.0))
        if (not runbook or score < UNSURE_FLOOR
                or not opening_orders(text) & RUNBOOK_CHANGES.get(runbook, frozenset())):
            # Under the floor the model's "not sure" offers take (an attacker review:
            # "pause it" read as `cancel` at 0.99, the suspend at 0.01, asked for); an
            # order of a later clause is no opening one.
            return None
        self._reread(turn, "order_verb", runbook, parsed.slots)
        return replace(parsed, intent=runbook, confidence=score)

    def _rollback_instead(self, turn: Turn, context: ThreadContext,
                          confidence: float) -> list[Reply] | None:
        """"roll it back", "can we revert it?" (read as `undo`) where this thread has no
        change to undo but has a deployment in view, its last request's or one the paste
        names (a user trial: "There is no completed change in this thread to undo" under an
        alert about a stuck rollout): the rollback, asked for its deployment with those
        offered first, never taken from them; with none in view, how to ask for one. A
        question whether the thread's completed change can be undone is told how. None
        otherwise (no rollback asked: the undo, or its junk answer, follows)."""
        message = turn.message
        undo = self.runner.undo_request(message.channel, message.thread)
        if undo is not None:
            if not says("undo", message.text) and _A_QUESTION.search(message.text):
                # "can we roll it back?" after a scale: how, not "I did not understand".
                return [Reply("answer", undo_asked_text(undo.of.id, undo.of.runbook))]
            return None
        if (not _ROLL_BACK.search(message.text)
                or "rollback_deployment" not in self.parts.catalogue.runbooks
                or negated(message.text) or ruled_out_changes(message.text)
                or tells_what_happened(message.text)
                or (not_a_request(message.text) and not _A_QUESTION.search(message.text))):
            # "don't roll it back", "rollback didn't help", "I already rolled it back": no
            # rollback asked (an attacker review got one offered, and planned on two "ok"s).
            return None
        if not message.pasted and (context.last is None
                                   or not context.last.slots.get("deployment")):
            return [Reply("answer", NOTHING_TO_UNDO)]
        return self.planner.request(turn, "rollback_deployment", {}, confidence,
                                    asked=Asked.MODEL)

    def _undo(self, turn: Turn, found: UndoRequest | None = None) -> list[Reply]:
        undo = found or self.runner.undo_request(turn.message.channel, turn.message.thread)
        if undo is None:
            return [Reply("answer", NOTHING_TO_UNDO)]
        notes = (undo.warning,) if undo.warning else ()
        if asks_what_if(turn.message.text, read_as_change=True):
            # "dry run undo the scale": its preview, proposed to nobody (an attacker review:
            # the undo itself was proposed, for any approver to approve).
            return self.planner.request(turn, undo.runbook, undo.slots, 1.0, asked=Asked.UNDO,
                                        notes=notes, preview_only=True)
        replies = self.planner.request(turn, undo.runbook, undo.slots, 1.0, asked=Asked.UNDO,
                                       undo_of=undo.of.id, notes=notes)
        return [Reply("notice", undoing_text(undo.of.id, undo.of.runbook)), *replies]


# A message that ends as a question ("can we roll it back?").
_A_QUESTION = re.compile(r"\?\s*$")
# A rollback in words ("roll it back", "rollback", "revert it"), not "undo": what a thread
# with nothing of its own to undo may still mean of a deployment in view.
_ROLL_BACK = re.compile(r"\broll\s+(?:(?:it|this|that|them|things|everything|the\s+"
                        r"(?:deploy|deployment|release|rollout))\s+)?back\b|\brollback\b|"
                        r"\brevert\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Answered:
    """The request an answer to a question completes, and how it came about."""

    intent: str
    slots: dict[str, str]
    confidence: float
    asked: Asked
    replacing: str = ""
    notes: tuple[str, ...] = ()
    version: str = ""

    def request(self, planner: Planner, turn: Turn) -> list[Reply]:
        return planner.request(turn, self.intent, self.slots, self.confidence,
                               asked=self.asked, replacing=self.replacing, notes=self.notes,
                               version=self.version)


_CHOICE_FILLER = frozenset({"the", "a", "an", "one", "pls", "please", "plz", "just", "only",
                            "i", "mean", "meant", "ok", "okay", "that", "go", "with", "take"})
"""Words around a choice's own in an answer ("the limit pls")."""
_OFFER_FILLER = frozenset({
    "ok", "okay", "yes", "yeah", "yep", "sure", "then", "now", "please", "pls", "just", "go",
    "ahead", "and", "do", "it", "that", "this", "the", "a", "let's", "lets", "can", "you",
    "could", "would", "fine", "alright", "right", "away", "quickly", "asap", "one",
    "deployment", "pod", "node", "cronjob", "its",
})
"""Words besides a change's verb that an order of an offered fix may have ("ok, just
restart it then")."""


def _offer_ordered(pending: PendingQuestion, text: str) -> str | None:
    """The label of the one fix offered whose change `text` orders, about no object but
    the fix's own ("ok restart it", "roll it back then"); None otherwise."""
    ordered = ordered_changes(text)
    if not ordered:
        return None
    words = re.findall(r"[a-z0-9][a-z0-9.'-]*", text.lower())
    targets = {str(v).lower() for offer in pending.offers.values()
               for k, v in offer.slots.items() if k in _OBJECT_TYPES}
    if len(targets) > 1 and targets.isdisjoint(words):
        return None  # fixes of several objects offered: "restart it" names none of them
    fits = []
    for label, offer in pending.offers.items():
        own = {str(v).lower() for v in offer.slots.values()}
        # Any other word names another object, or says more than the order ("restart
        # checkout-api instead", "restart web-frontend" with calc-app's restart offered).
        if (ordered <= RUNBOOK_CHANGES.get(offer.intent, frozenset())
                and all(w in _OFFER_FILLER or w in CHANGE_WORDS or w in own for w in words)):
            fits.append(label)
    return fits[0] if len(fits) == 1 else None


def _ordered_object(text: str, name: str) -> bool:
    """Whether `name` is what a change's verb in `text` acts on, alone: right after the verb
    (and "the"), followed by where, how or the clause's end."""
    verbs = "|".join(sorted(map(re.escape, CHANGE_VERBS), key=len, reverse=True))
    return re.search(
        rf"\b(?:{verbs})(?:\s+(?:back|out|off|down|up|over))?\s+(?:the\s+|our\s+|my\s+)?"
        rf"{re.escape(name)}"
        r"(?=\s+(?:in|on|to|deployment|pods?|please|pls|now|asap|again|for|first)\b"
        r"|\s*[.,!?]|\s*$)", text.lower()) is not None


def _version_of(last: LastRequest | None, intent: str) -> str:
    """The version the thread's last request named, for a follow-up that repeats it."""
    return last.version if last is not None and last.intent == intent else ""


def _asked(pending: PendingQuestion) -> Asked:
    """How the request a question completes came about (a question saved by an older bot
    keeps none: by its confidence)."""
    if pending.asked is not None:
        return pending.asked
    return Asked.MODEL if pending.confidence < 1 else Asked.COMMAND


_EDIT_PHRASES = re.compile(
    r"\b(?:make|change|set|switch|bump)\s+(?:it|that|them|this|both)\b", re.IGNORECASE)


def _names_a_change(text: str) -> bool:
    """Whether an edit names a change of its own ("roll it back instead", "scale it to 2
    instead"), beyond "make it / change it / set it to N"."""
    rest = _EDIT_PHRASES.sub(" ", text.lower())
    return any(word in ACTS for word in re.findall(r"[a-z]+", rest))


def _onto_the_field_set(run_id: str, before: Mapping[str, str],
                        declared: Mapping[str, object], slots: dict[str, str],
                        text: str) -> dict[str, str]:
    """An edit's `slots` with a bare memory or CPU value ("make it 512Mi", no word naming
    request or limit) moved to the one field of its kind the plan set: the model's
    request-or-limit label is a guess, the plan being edited is not. A plan that set both
    to one value gets both; one that set them apart is asked which (a `Refusal`)."""
    bare = bare_value(declared, slots, text)
    if bare is None:
        return slots
    if "both" in re.findall(r"[a-z]+", text.lower()):
        return bare.slots("both", slots)  # "make both 1Gi": whatever the plan set
    fields = [f"{bare.kind}_{f}" for f in ("request", "limit") if before.get(f"{bare.kind}_{f}")]
    if len(fields) == 2:
        request, limit = (str(before[f]) for f in fields)
        if request.strip() != limit.strip():
            # Two values of one kind: which one this is for is the person's to say.
            raise Refusal(edit_which_field_text(run_id, bare.kind, request, limit, bare.value))
        # Set alike, kept alike: read as the limit only, a value under the request fails
        # the dry-run (and one over it leaves a request nobody asked for).
        return bare.slots("both", slots)
    if len(fields) != 1:
        return slots
    rest = {k: v for k, v in slots.items()
            if k not in (f"{bare.kind}_request", f"{bare.kind}_limit")}
    return {**rest, fields[0]: bare.value}


def _compared(text: str, value: str) -> bool:
    """Whether `value` stands in `text` after words that compare with it ("same as X")."""
    at = text.lower().find(value.lower())
    return at >= 0 and _COMPARED.search(text[:at].lower()) is not None


def _only_filler(text: str, namespace: str) -> bool:
    """Whether `text` says nothing but `namespace` and follow-up filler words."""
    words = re.findall(r"[\w'-]+", text.lower())
    return all(w == namespace.lower() or w in _FOLLOW_UP_FILLER for w in words)


def _choice(choices: tuple[str, ...], text: str) -> str | None:
    """The choice an answer names, by number, by name, or by words of one choice alone
    ("limit" for "memory limit 256Mi": a user trial)."""
    word = text.strip().strip("`").lower()
    if word.isdigit() and 1 <= int(word) <= len(choices):
        return choices[int(word) - 1]
    # Names are lower-case; a choice with a quantity keeps its unit's case ("256Mi").
    exact = next((choice for choice in choices if choice.lower() == word), None)
    if exact is not None:
        return exact
    words = {w for w in re.split(r"[\s,.!?`]+", word) if w and w not in _CHOICE_FILLER}
    if not words:
        return None
    # Whole words only ("api" is no word of "checkout-api").
    holding = [c for c in choices if words <= set(re.split(r"[\s_]+", c.lower()))]
    return holding[0] if len(holding) == 1 else None


def _with_cronjob_line(replies: list[Reply], cronjob: str) -> list[Reply]:
    """`replies` with, right after a namespace's scan, what it found of `cronjob`. The scan
    shows a cronjob that is not suspended only as counted healthy (a user trial). No scan
    made (asked back, refused): `replies` as they are."""
    scanned = next(((i, r) for i, reply in enumerate(replies) for r in reply.records
                    if isinstance(r, HealthSummary)), None)
    if scanned is None:
        return replies
    at, summary = scanned
    state = next((c for c in summary.cronjob_states if c.name == cronjob.lower()), None)
    said = Reply("answer", cronjob_state_text(summary.namespace, cronjob.lower(), state))
    return [*replies[:at + 1], said, *replies[at + 1:]]


def _made(runs: Iterable[Run], omit: tuple[str, ...] = ()
          ) -> list[tuple[str, str, dict[str, str], str, tuple[str, ...], float]]:
    """Changes made through the bot, as their answers list them: id, runbook, values (but
    those in `omit`, which the answer says once), requester, approvers, when it finished."""
    return [(run.id, run.runbook,
             {k: str(v) for k, v in run.raw_slots.items() if k not in omit},
             run.requester_name, tuple(a.approver_name for a in run.approvals
                                       if a.decision is ApprovalDecision.APPROVE),
             run.updated_at) for run in runs]
