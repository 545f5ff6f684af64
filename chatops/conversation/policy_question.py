"""A question about who may ask for or approve a change: the policy's answer, and for a
namespace the cluster's, for the person asking.

A user trial: "who can approve prod restarts?", "what am I allowed to do in staging?",
"how many approvals does a drain need?" got "outside what I can do" (the model reads them
out of scope, rightly: no runbook answers them). The bot holds the answer: the policy says
who may ask for each risk and who approves it, and the cluster, asked with a
SubjectAccessReview about the person's own identity, says what a change run as them may do
in a namespace. A question in those words is answered from both; nothing is planned.

Only the asker's own rights are checked: "is mallory allowed to drain?" is no question of
theirs to ask the cluster about, and the policy's principals are what a plan card already
shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from chatops.conversation.asking import said_to_someone_else
from chatops.conversation.base import Collaborators, Turn
from chatops.conversation.runbook_words import runbooks_asked_about
from chatops.errors import ClusterError
from chatops.messages.rights import (
    ClusterRights,
    rights_overview_text,
    runbook_rights_text,
    waiting_rights_line,
)
from chatops.model import ParsedIntent, Risk, Step
from chatops.policy import Requester
from chatops.replies import Reply
from chatops.runs import Run, RunState

_APPROVE = (r"(?:approve|approves|approving|sign(?:s|ing)?[\s-]*off|okays?|"
            r"green-?lights?|authori[sz]es?|\+1s?)")
_RIGHTS = r"(?:rights?|permissions?|perms|access|privileges?|roles?)"
_OF_APPROVAL = re.compile(
    # who can approve it, who approves drains, who's signing off on this
    rf"\bwho(?:'s|\s+is|\s+are)?\s+(?:else\s+)?(?:\w+\s+){{0,4}}?{_APPROVE}\b"
    # how many approvals does a drain need
    r"|\bhow\s+many\s+(?:approvals?|approvers?|people|persons|sign[\s-]*offs?|reviewers?|"
    r"reviews?|\+1s|votes|eyes|clicks)\b",
    re.IGNORECASE)
# Approval asked about in a question's words ("does a restart need approval?", "can I
# approve my own scale?"): a statement ("this needs approval from sre") is talk.
_QUESTION_FORM = re.compile(r"\?|^\W*(?:do|does|is|are|will|would|must|should|can|"
                            r"could|may)\b", re.IGNORECASE)
_NEEDS_APPROVAL = re.compile(
    r"\b(?:need|needs|require|requires|required|take|takes|want|wants|get|gets)\s+(?:an?\s+|"
    r"any\s+|one\s+|two\s+|\d+\s+|a\s+second\s+|another\s+|more\s+than\s+one\s+|"
    r"somebody(?:'s)?\s+|someone(?:'s)?\s+)?(?:approvals?|approvers?|sign[\s-]*offs?|"
    r"reviews?|second\s+(?:person|pair\s+of\s+eyes|approver|approval)|(?:four|4)[\s-]eyes|"
    r"two\s+people|2\s+people)\b"
    rf"|\bself[\s-]?approv\w*|\b{_APPROVE}\s+(?:my|our)\s+own\b", re.IGNORECASE)
_WHO_MAY = re.compile(
    # who can restart things, who is allowed to drain nodes
    r"\bwho(?:'s|\s+is|\s+are)?\s+(?:else\s+)?(?:can|may|(?:is|are)\s+(?:allowed|"
    rf"permitted|authori[sz]ed)\s+to|has\s+(?:the\s+)?{_RIGHTS}\s+to)\b", re.IGNORECASE)
_MINE = re.compile(
    # am I allowed to drain, are we permitted to scale in prod
    r"\b(?:am\s+i|are\s+we)\s+(?:even\s+|actually\s+)?(?:allowed|permitted|"
    r"authori[sz]ed|entitled)\s+to\b"
    r"|\bwhat\s+(?:am\s+i|are\s+we)\s+(?:even\s+)?(?:allowed|permitted|authori[sz]ed)\b"
    rf"|\b(?:do|does)\s+(?:i|we)\s+(?:even\s+)?have\s+(?:the\s+)?(?:right\s+)?{_RIGHTS}\b"
    r"|\bwhat\s+(?:can|may)\s+(?:i|we)\s+(?:change|approve|ask\s+(?:you\s+)?for|request)\b"
    rf"|\b(?:my|our)\s+(?:own\s+)?(?:{_RIGHTS}|access\s+level)\b"
    r"|\bwhich\s+(?:runbooks?|changes|actions|commands)\s+(?:can|may)\s+(?:i|we)\b"
    # "why can't I restart things in prod?" (a user trial got the namespace's diagnosis)
    r"|\bwhy\s+(?:can'?t|cannot|can\s+not|couldn'?t)\s+(?:i|we)\b"
    r"|\bwhy\s+(?:am\s+i|are\s+we)\s+not\s+(?:allowed|permitted|authori[sz]ed)\b",
    re.IGNORECASE)
# The past is the audit's ("who approved the restart?", "did anyone sign off?"); a request
# to someone ("can you approve it", "could someone sign off") is a decision asked for.
_NOT_RIGHTS = re.compile(r"\b(?:approved|signed[\s-]*off|okayed|did|didn'?t)\b|"
                         r"\b(?:can|could|would|will)\s+(?:you|u|someone|somebody|anyone|"
                         r"y'?all)\b", re.IGNORECASE)

APPROVAL = "approval"
"""Who approves, how many approvals: answered for the runbooks named, else the thread's
waiting plan, else every risk."""
WHO_MAY = "who_may"
"""Who may ask for a change: answered only for a runbook or risk the question names ("who
can help?" is no question of rights)."""
MINE = "mine"
"""What the asker may do: answered for the runbooks named, else for every risk, and in a
namespace for every runbook."""


def rights_question(text: str) -> str | None:
    """Which question of rights `text` asks (`APPROVAL`, `WHO_MAY`, `MINE`), or None: not
    who approved something (the past), nor asking anyone to approve ("can you approve
    it?")."""
    if _NOT_RIGHTS.search(text):
        return None
    if _OF_APPROVAL.search(text) or (_QUESTION_FORM.search(text) is not None
                                     and _NEEDS_APPROVAL.search(text) is not None):
        return APPROVAL
    if _MINE.search(text):
        return MINE
    if _WHO_MAY.search(text):
        return WHO_MAY
    return None


_RISK_WORD = re.compile(r"\b(read|write|critical)\s+(?:changes?|runbooks?|ones|stuff|level|"
                        r"risk|actions?)\b|\b(reads|writes)\b", re.IGNORECASE)


def risk_asked_about(text: str) -> str | None:
    """A risk level the question names ("who approves critical changes?"), or None."""
    found = _RISK_WORD.search(text)
    if found is None:
        return None
    word = (found.group(1) or found.group(2)).lower()
    return word.removesuffix("s")


_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_OBJECT = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")
OBJECT_SLOTS = ("deployment", "pod", "node", "cronjob")
"""The slots that name the object a runbook's requests are about (the executor's access
table reads these and the namespace)."""


def checked_values(slots: Mapping[str, str]) -> dict[str, str]:
    """The namespace and object names of `slots` that are Kubernetes names (a namespace a
    DNS label, an object a DNS subdomain), lower-cased: only those go into a review."""
    values: dict[str, str] = {}
    namespace = slots.get("namespace", "").lower()
    if _LABEL.match(namespace):
        values["namespace"] = namespace
    for slot in OBJECT_SLOTS:
        value = slots.get(slot, "").lower()
        if _OBJECT.match(value):
            values[slot] = value
    return values


def rights_answer(parts: Collaborators, turn: Turn, text: str, parsed: ParsedIntent
                  ) -> list[Reply] | None:
    """The answer to a question of rights (`rights_question`), or None when `text` is none
    or is said to someone else. Runbooks named are answered each; else a risk named; else,
    for a question of approval, the plan waiting in the thread; else every risk. With a
    namespace (the message's, else the channel's), the cluster is asked what a run as the
    asker may do there. Nothing is planned or changed."""
    kind = rights_question(text)
    if kind is None or said_to_someone_else(text, parsed.spans):
        return None
    policy, catalogue, requester = parts.policy, parts.catalogue, turn.requester
    values = checked_values(parsed.slots)
    namespace = values.get("namespace") or parts.policy.default_namespace(turn.message.channel)
    named = runbooks_asked_about(text, catalogue.runbooks)[:_MOST_NAMED]
    if named:
        answers = []
        for name in named:
            rights = policy.rights(requester, catalogue.get(name).risk)
            # A change they may not ask for is no question for the cluster.
            cluster = (_cluster(parts, requester, (name,), values, namespace)
                       if rights.may_ask else None)
            answers.append(runbook_rights_text(name, rights, cluster))
        return [Reply("answer", "\n".join(answers))]
    risk = risk_asked_about(text)
    if risk is not None:
        return [Reply("answer", _overview(parts, requester, (Risk(risk),), namespace))]
    if kind == WHO_MAY:
        return None  # "who can help?": no question of rights
    if kind == APPROVAL:
        waiting = _waiting_in_thread(parts, turn)
        if waiting is not None:
            line = waiting_rights_line(waiting.id, waiting.requester_name or "an alert",
                                       len(parts.valid_approvals(waiting)), waiting.needed)
            return [Reply("answer", runbook_rights_text(
                waiting.runbook, policy.rights(requester, waiting.risk), None, line))]
    return [Reply("answer", _overview(parts, requester, tuple(Risk), namespace))]


_MOST_NAMED = 4
"""A question naming more runbooks than this is answered for the first four."""


def _overview(parts: Collaborators, requester: Requester, risks: tuple[Risk, ...],
              namespace: str | None) -> str:
    by_risk = [(parts.policy.rights(requester, risk),
                tuple(rb.name for rb in parts.catalogue if rb.risk is risk)) for risk in risks]
    askable = tuple(name for rights, names in by_risk if rights.may_ask for name in names)
    cluster = (_cluster(parts, requester, askable, {}, namespace)
               if askable else None)
    return rights_overview_text(requester.name, by_risk, cluster)


def _cluster(parts: Collaborators, requester: Requester, runbooks: tuple[str, ...],
             values: Mapping[str, str], namespace: str | None) -> ClusterRights | None:
    """What the cluster lets the asker's own identity do with each runbook's requests in
    `namespace` (SubjectAccessReviews the executor creates as the bot), on the objects
    `values` name; None without a namespace."""
    if not namespace:
        return None
    params = {**values, "namespace": namespace}
    allowed: list[str] = []
    denied: list[tuple[str, str]] = []
    for name in runbooks:
        runbook = parts.catalogue.get(name)
        steps = tuple(Step(t.verb, {k: v for k, v in params.items()
                                    if k == "namespace" or k in runbook.slots})
                      for t in runbook.steps)
        try:
            refused = parts.executor.first_denied(requester.identity, steps)
        except ClusterError:
            return ClusterRights(namespace, requester.identity.user, unchecked=True)
        if refused is None:
            allowed.append(name)
        else:
            denied.append((name, refused))
    return ClusterRights(namespace, requester.identity.user, tuple(allowed), tuple(denied))


def _waiting_in_thread(parts: Collaborators, turn: Turn) -> Run | None:
    """The newest plan waiting for approval in this thread, unexpired."""
    now = parts.clock()
    return next((run for run in parts.store.runs_in_thread(turn.message.channel,
                                                           turn.message.thread)
                 if run.state is RunState.PROPOSED and run.expires_at > now), None)
