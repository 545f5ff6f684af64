"""Other verbs: an order whose verb is no runbook's.

"flush redis for the session store", "retire the old worker deployment", "shift 10% of
traffic to checkout-v2", "move checkout off node-9 onto pool-a", "fail over the redis
master": the model matches the object (a deployment, a node) and reads the message onto
the runbook that most often goes with it. But the verb asks for something no runbook does,
so the conversation answers it as out of scope, never with a plan.

The verb is the first word of the first clause that gives an order, after politeness ("can
you", "please", "just"); a runbook's own verb earlier ("restart api, then flush redis")
makes the message that runbook's request.
"""

from __future__ import annotations

import re

from chatops.conversation.asking import CHANGE, clauses
from chatops.conversation.kinds import SENTENCE_END, clean_text

# Verbs that ask for something no runbook does. Not those that are also a runbook's words
# in everyday requests: "kill" (a pod), "evict", "reset", "refresh", "reload", "clean",
# "clear", "run", "sync", "upgrade", "deploy", "release", "freeze", "isolate", "resize",
# "restore" (a revision), "unblock" (scheduling on a node),
# "drop" (to 2 replicas), "point" (at an image), "tag" (an image's); nor those that open
# a clause as a noun as often as a verb: "ack, restart api", "page went off", "trace
# shows ...", "copy that".
_FOREIGN = (
    r"flush|retire|sunset|decommission|deprecate|shift|migrate|relocate|failover|"
    # "move checkout off node-9"; not "move the accounts deployment to image 1.12.1".
    r"move(?=\s+(?:the\s+)?[\w.-]+\s+(?:off|onto|out of|away from)\b)|"
    r"fail (?:over|back)|failback|switch ?over|cut ?over|promote|demote|rotate|renew|reissue|"
    r"truncate|vacuum|reindex|re-index|compact|rebalance|reassign|replay|requeue|re-queue|"
    r"rerun|re-run|retrigger|exec|ssh|port-?forward|backup|back up|snapshot|"
    r"label|relabel|annotate|taint|untaint|edit|apply|install|uninstall|merge|"
    r"mount|unmount|attach|detach|invalidate|prune|rename|whitelist|allowlist|"
    r"blacklist|denylist|grant|revoke|provision|reconcile|resync|re-sync|notify|silence|"
    r"mute|unmute|snooze|escalate|expire|rebuild|recompile|publish|unlock|thaw|throttle|"
    r"rate-?limit|redirect|reroute|purge|replicate|reclaim|defrag|defragment|reimage|"
    r"re-image|reprovision|re-provision|send|hot-reload|warm")
# Verbs that only read: an order that opens with one asks to see, not to change ("show the
# pods on node-9 before anyone drains it"), unless a later clause opens with a change.
_READ = re.compile(r"(?:show|list|describe|print|display|give me|tell me|find|look up|fetch|"
                   r"get(?=\s+(?:me\s+)?(?:the\s+|all\s+)?(?:logs?|pods?|events?|status|list|"
                   r"details?|images?|history|yaml|info|output|nodes?|deployments?)\b))"
                   r"(?![\w-])(?=\s+\S)", re.IGNORECASE)
# Politeness and openers before the verb: "can you please", "just", "go ahead and".
_BEFORE_VERB = re.compile(
    r"^\W*(?:(?:hey|hi|hello|yo|ok|okay|so|also|and|then|now|pls|plz|please|just|kindly|"
    r"quickly|go ahead and|can (?:you|u|we|someone)|could (?:you|u|we|someone)|"
    r"would you|will you|i need you to|i(?:[\u2019']d| would) like you to|we need to|"
    r"need to|we should|let[\u2019']?s|time to|gotta|we have to|have to|try to|"
    r"help me|help us)\W+)*", re.IGNORECASE)
# A verb with an object after it; not a noun that a clause opens with ("label is wrong").
_VERB = re.compile(r"(?:(" + CHANGE + r")|(" + _FOREIGN + r"))(?![\w-])(?=\s+\S)"
                   r"(?!\s+(?:is|was|are|were|went|shows?|says?|has|had|looks?|seems?|"
                   r"failed|fails|broke|did|does|of)\b)", re.IGNORECASE)
# Moving the pods of a node is a drain: "move everything off node-9", "migrate the pods
# off worker-3", "move them off".
_MOVE_WHAT = re.compile(r"^\W*(?:move|migrate|relocate|shift)\s+(?:(?:all|every|the|of|"
                        r"its|their)\s+)*(?:pods?|workloads?|everything|every ?thing|stuff|"
                        r"things|containers?|it|them)\b", re.IGNORECASE)


def foreign_verb(text: str) -> str | None:
    """The verb no runbook does that opens the first order in `text` ("flush" in "can you
    flush redis"), when no runbook's verb opens an earlier one, or a verb that only reads
    when no clause opens with a change; None otherwise."""
    cleaned = clean_text(text)
    read: str | None = None
    for sentence in SENTENCE_END.split(cleaned):
        for a, b in clauses(sentence):
            clause = sentence[a:b]
            rest = clause[_BEFORE_VERB.match(clause).end():]  # type: ignore[union-attr]
            verb = _VERB.match(rest)
            if verb is None:
                if read is None and (seen := _READ.match(rest)) is not None:
                    read = seen.group(0).lower()
                continue
            if verb.group(1) is not None or _MOVE_WHAT.match(rest):
                return None  # a runbook's verb, or a node's pods moved (a drain)
            return read or verb.group(2).lower()
    return read
