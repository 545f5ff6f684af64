"""A question about what changed on a deployment, answered with its rollout history.

A user trial: "what changed on web-frontend in prod in the last hour?", "who changed
web-frontend in prod", "was web-frontend rolled back?", "did someone restart checkout-api
in prod?" got "I'm not sure" or "outside what I can do": the model reads most of them out
of scope (questions about people and the past are not in the catalogue's phrasings). The
rollout history answers them: each revision's image, when it was made, and for changes made
through the bot, who asked and who approved. A question in those words, about a deployment
the message names, is answered with that read; nothing is changed.
"""

from __future__ import annotations

import re

from chatops.conversation.asking import said_to_someone_else
from chatops.model import SlotSpan

HISTORY = "rollout_history"
"""The read that answers: a deployment's revisions."""

_CHANGED = (r"(?:changed|touched|modified|edited|updated|deployed|redeployed|released|"
            r"shipped|pushed|rolled(?:\s+(?:it\s+)?(?:back|out))?|reverted|restarted|bounced|"
            r"scaled|bumped|patched|upgraded|downgraded)")
_CHANGE = (r"(?:change|touch|modify|edit|update|deploy|redeploy|release|ship|push|roll(?:\s+"
           r"(?:it\s+)?(?:back|out))?|revert|restart|bounce|scale|bump|patch|upgrade|downgrade)")
_ASKS = re.compile(
    r"^\W*(?:(?:hey|hi|so|ok|okay|hmm+|quick question|qq|btw|also|and|any idea)\W+)*(?:"
    # who changed it; what changed on it, what's been changed
    rf"(?:who|what|which\s+\w+)(?:'s|\s+(?:has|have|had|was|were))?\s+(?:been\s+)?"
    rf"(?:just\s+|recently\s+|last\s+)?{_CHANGED}\b"
    # was it rolled back, has it been redeployed, did anyone restart it
    rf"|(?:was|were|has|have|had)\b(?:\s+\S+){{1,5}}?\s+(?:been\s+)?{_CHANGED}\b"
    rf"|(?:did|didn'?t)\b(?:\s+\S+){{1,5}}?\s+{_CHANGE}\b"
    # when was it last deployed, when did it change
    rf"|when\s+(?:was|were|did|has)\b(?:\s+\S+){{0,6}}?\s+(?:last\s+)?(?:{_CHANGED}|{_CHANGE})\b"
    # any changes to it
    r"|any(?:thing)?\s+(?:recent\s+|new\s+)?(?:changes?|deploys?|deployments?|rollouts?|"
    r"releases?)\b"
    r")",
    re.IGNORECASE)
_NOT_THE_PAST = re.compile(r"\b(?:would|will|could|should|if\s+(?:i|we|you)|gonna)\b",
                           re.IGNORECASE)
_EFFECT = re.compile(r"\b(?:fix|fixed|help|helped|work|worked|solve|solved|resolve|resolved)\b",
                     re.IGNORECASE)
"""Whether a change had an effect ("did the restart fix it?") is no question of history."""
_OWNS = re.compile(r"^\W*who\s+(?:owns|runs|maintains|is)\b", re.IGNORECASE)


def asks_what_changed(text: str) -> bool:
    """Whether `text` asks who changed, what changed, or whether or when a change was made,
    in the past ("was it rolled back?"), not what a change would do ("what would change
    if ...") nor who owns something."""
    if _OWNS.match(text) or _NOT_THE_PAST.search(text) or _EFFECT.search(text):
        return False
    return _ASKS.match(text) is not None


def history_values(text: str, slots: dict[str, str], spans: tuple[SlotSpan, ...]
                   ) -> dict[str, str] | None:
    """The rollout history's values for a question of what changed on the deployment the
    model tagged (and the namespace, when tagged); None when `text` is no such question,
    names no deployment, or is said to someone else."""
    deployment = slots.get("deployment")
    if not deployment or not asks_what_changed(text) or said_to_someone_else(text, spans):
        return None
    values = {"deployment": deployment}
    if slots.get("namespace"):
        values["namespace"] = slots["namespace"]
    return values
