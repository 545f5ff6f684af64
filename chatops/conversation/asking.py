"""Asking: whether a message read as a change asks for that change.

A message can name a runbook's verb and target without asking for it: "don't drain
node-7 yet", "who scaled api down?", "what happens if I scale checkout to 0?", or a
general question about Kubernetes. It can also ask, in a runbook's words, for a change the
runbook does not make: a cronjob run now or moved read as a suspend or resume, a volume's
size read as a container's memory. The conversation answers these as out of scope, never
with a plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import islice, pairwise

from chatops.conversation.kinds import SCHEDULE_CHANGE, SENTENCE_END, TARGETS, clean_text
from chatops.model import SlotSpan
from intents.spelling import corrected

# Words that open a message without saying anything about it: greetings, fillers, a
# question announced, politeness about the addressee ("if you're around"), an @name.
_OPENER = re.compile(
    r"^(?:\W*(?:hey|hi|hello|yo|hmm+|um+|uh+|ok|okay|so|btw|but|and|also|folks|all|team|guys|"
    r"everyone|y[\u2019']?all|quick q(?:uestion)?|question|q|honest question|curious|"
    r"random thought|sorry|@[\w.-]+|if you[\u2019']?re (?:around|free|there|available|online)|"
    r"if you are (?:around|free|there|available|online)|if you (?:have|got) a (?:sec|second|"
    r"minute|moment)|when you (?:get|have) a (?:chance|sec|second|minute)|"
    # Politeness put as a condition: "if you don't mind", "would be great if you could".
    r"if (?:you|u) (?:don[\u2019']?t|do not) mind|if (?:you|u) (?:could|can|would)|"
    r"if possible|if it[\u2019']?s not too much (?:trouble|bother)|if you get a (?:chance|sec|"
    r"second|minute)|(?:it )?would be (?:great|nice|awesome|good|helpful|amazing) if "
    r"(?:you|u) could|would (?:you|u) mind)\b"
    r"[\s,:;.!\u2013\u2014-]*)+",
    re.IGNORECASE)
# The verbs of the runbooks' changes, as the first word of an order.
CHANGE = (r"restart|bounce|roll|rollback|revert|undo|scale|drain|cordon|uncordon|delete|kill|nuke|"
           r"remove|suspend|pause|resume|unpause|set|bump|raise|lower|increase|decrease|update|"
           r"change|evict|recycle|redeploy|reboot|stop|disable|enable|give|double|halve|reduce|"
           r"grow|shrink|boost")
# A clause that gives an order: "just restart checkout", "whatever, roll back api", "now
# roll back worker", "do it".
_ORDER = re.compile(r"^\W*(?:(?:then|so|ok|okay|pls|plz|please|just|now|whatever|also|and|"
                    r"(?:can|could|would|will) (?:you|u|someone|somebody)|"
                    r"quickly|go ahead and|whatever it is|either way|regardless|anyway|anyhow|"
                    r"in any case)\W+)*(?:(?:" + CHANGE + r")\b|go ahead\b|do it\b)",
                    re.IGNORECASE)
# Where a clause ends: "the rollout failed, roll it back", "... so scale it to 5"; not a
# dot or colon inside a word ("docker.io/library/python:2.22").
_CLAUSE = re.compile(r"[,;.!?:](?=\s|$)|[()\u2013\u2014]|\s-\s|\b(?:so|then|and|but)\b",
                     re.IGNORECASE)


def clauses(cleaned: str) -> list[tuple[int, int]]:
    """Where each clause of `cleaned` is, without the marks and words between them."""
    ends = [(m.start(), m.end()) for m in _CLAUSE.finditer(cleaned)]
    starts = [0, *(end for _, end in ends)]
    stops = [*(start for start, _ in ends), len(cleaned)]
    return list(zip(starts, stops, strict=True))


# A change verb negated: "don't drain node-7", "we should NOT drain", "I'd rather not roll
# back", "stop restarting checkout", "avoid restarting", "under no circumstances scale";
# not what cannot happen ("it won't restart", "we can't scale it by hand"): that is a report.
_NEGATED = re.compile(
    r"\b(?:not|never|avoid|stop|quit|no more|no need to|under no circumstances|don[\u2019']?t|"
    r"dont|shouldn[\u2019']?t|mustn[\u2019']?t|refrain from|nobody|no one|noone)\s+"
    r"(?:\w+\s+|let (?:anyone|anybody|someone|them|it|him|her) )?(?:" + CHANGE + r"|touch|"
    r"rolling|autoscale|"
    r"restarting|bouncing|draining|cordoning|uncordoning|scaling|deleting|killing|suspending|"
    r"resuming|autoscaling)\b|"
    # "skip the rollback of api", "cancel the restart of orders", "leave orders alone"
    # (session 49: each planned the change it calls off)
    r"\b(?:skip|cancel|abort|drop|call off|scrap|hold off on|hold|stop|halt|forget|postpone|"
    r"defer|delay|push back|park|shelve|nix|ditch|put off)\s+"
    r"(?:the|that|this|our|my|your|any)\s+(?:restart|rollback|roll-?back|drain|cordon|"
    r"uncordon|scale-?(?:up|down)?|scaling|redeploy|bounce|deletion|suspension|resume|"
    r"image (?:change|update|bump))s?\b|"
    r"\bleave\s+(?:\S+\s+){1,4}?(?:alone|untouched|as (?:it )?is|be)\b|"
    # "no restart please", "without restarting it"
    r"\b(?:no|without)\s+(?:a\s+)?(?:restart|restarting|bounce|bouncing|rollout|redeploy|"
    r"downtime)\b|"
    # "orders doesn't need a restart", "api can't be restarted right now" (session 48's
    # second attacker review: each planned the change it says is not needed)
    r"\b(?:doesn[\u2019']?t|does not|don[\u2019']?t|do not|won[\u2019']?t|will not) need "
    r"(?:a |an |to (?:be )?)?(?:restart|rollback|roll(?:ed)? ?back|redeploy|bounce|drain|cordon|"
    r"scal|delet|suspen|resum|paus)\w*|"
    r"\b(?:can[\u2019']?t|cannot|can not|mustn[\u2019']?t|must not|shouldn[\u2019']?t|"
    r"should not) be (?:restarted|rolled back|redeployed|bounced|drained|cordoned|scaled|"
    r"deleted|killed|suspended|paused|resumed|touched)\b", re.IGNORECASE)
# Messages about a change that do not ask for it, by their first words: a negation, a
# question about what happened or would happen, a report or a thank-you, a plan of one's
# own or of someone else, a hypothetical or a condition, a quote from a ticket, a doc or a
# commit ("the ticket says roll back api", "PR title: scale api to 6", "feat: bump ...").
_NOT_A_REQUEST = re.compile(
    r"^\W*(?:(?:please )?(?:don[\u2019']?t|do not|never|no need to)\b|"
    r"thanks?(?: you)? for\b|thank you for\b|"
    r"(?:who|why|did|has|have|was|were)\b|how long\b|how come\b|any reason\b|i wonder\b|"
    r"what (?:would|if|happens|happened)\b|would (?!you\b)|should (?:we|i)\b|"
    r"is it (?:safe|ok|okay|possible|wise|a good idea)\b|is there (?:any|a) (?:way|reason)\b|"
    r"if\b|in case\b|fyi\b|heads up\b|note to self\b|reminder\b|remind me\b|til\b|"
    r"later:|eli5\b|(?:i[\u2019']?m|i am|we[\u2019']?re|we are) (?:going|about) to\b|"
    r"going to\b|the (?:runbook|alert|doc|wiki|ticket|plan|postmortem) says\b|"
    r"hold off on\b|(?:nobody|no one|noone) (?:touch|restart|drain|cordon|scale|delete)\b|"
    r"todo\b|"
    # Not sure, asking others, hypotheticals: "not sure if we should", "anyone know if",
    # "does anyone mind if I", "suppose we drain", "say we roll back", "worst case we".
    r"not sure\b|anyone know\b|does anyone\b|"
    r"will (?!you\b)|suppose\b|supposing\b|say we\b|let[\u2019']?s say\b|assuming\b|"
    r"in theory\b|worst case\b|best case\b|plan [a-z]\b|walk me through\b|"
    r"are you able\b|do you (?:know how|support)\b|how do i\b|"
    r"[\w-]+ (?:is|are) going to\b|i[\u2019']?ll (?:have|get|ask) \w+|asking (?:the )?[\w-]+ "
    r"(?:team )?to\b|[\w-]+, when you[\u2019']?re back\b|"
    r"(?:pr|mr) title:|(?:feat|fix|chore|refactor)(?:\([\w-]+\))?:|step \d+\b|"
    r"(?:postmortem )?action item\b|alert\b|"
    # "I just accidentally scaled api to 0", "ugh, we restarted it twice already"
    r"(?:(?:ugh|oops|argh|damn|welp|so|ok|okay)\W+)?(?:i|we) (?:just |already |accidentally |"
    r"just accidentally )?(?:restarted|scaled|drained|cordoned|uncordoned|deleted|rolled|"
    r"killed|suspended|resumed|bumped|changed|updated|bounced)\b)",
    re.IGNORECASE,
)
# A frame for what follows: a condition or hypothetical (an order after it is what to do
# *then*), a note or reminder, a quote ("the ticket says: roll back api"). Only a later
# sentence can give an order of its own.
_FRAMED = re.compile(r"^\W*(?:if|in case|when|once|whenever|suppose|supposing|say we|"
                     r"let[\u2019']?s say|assuming|worst case|best case|in theory|plan [a-z]|"
                     r"note to self|reminder|remind me|later(?=:)|todo|til|"
                     r"the (?:runbook|alert|doc|"
                     r"wiki|ticket|plan|postmortem) says|(?:pr|mr) title:|(?:feat|fix|chore|"
                     r"refactor)(?:\([\w-]+\))?:|step \d+|(?:postmortem )?action item|alert)"
                     r"(?:\b|(?<=:))", re.IGNORECASE)
# Anywhere in a message: a change named as a thing that happened ("the restart of checkout
# fixed it", "yesterday's drain of node-7 went fine", "the cordon on node-3 was
# intentional").
_TALKED_ABOUT = re.compile(
    r"\b(?:the|that|this|our|your|my|[a-z]+[\u2019']s)\s+(?:restart|rollback|roll-?back|drain|"
    r"cordon|uncordon|scale-?(?:up|down)|scaling|deletion|suspension|bounce|rollout)\s+"
    r"(?:of|on|for)\s+(?:\S+\s+){1,4}?(?:was|were|is|went|fixed|worked|did|didn[\u2019']?t|"
    r"broke|helped|failed|caused|took|looks?|seems?)\b",
    re.IGNORECASE,
)
# A change reported as done: kubectl's own output ("deployment.apps/checkout restarted",
# 'pod "api-x" deleted', "evicting pod ..."), or a past participle ("node-4 cordoned since
# tuesday", "checkout was rolled back by bob", "scaled api to 12 earlier").
_DONE = (r"restarted|rolled back|scaled|drained|cordoned|uncordoned|deleted|evicted|patched|"
         r"suspended|resumed|bounced|reverted|killed|configured")
_REPORTED = re.compile(
    r"^\W*(?:[\w.-]+/[\w.-]+|pods?\s+\S+|node/\S+)\s+(?:" + _DONE + r")\b|^\W*evicting pod\b|"
    r"\b(?:was|were|got|been|is being|has been)\s+(?:\w+\s+)?(?:" + _DONE + r")\b|"
    r"^\W*(?:[\w.-]+\s+)?(?:" + _DONE + r")\b",
    re.IGNORECASE)
# A change ordered in a clause of its own, by its verb (and a particle right after it or
# its object, where that makes another change: "roll back" is not "roll the pods"), after
# words that only ask, correct or address: "bounce api first", "team, can we restart
# checkout", "actually cordon node-2", "no, roll it back", "sorry i meant unpause it". Not
# a name that starts with a verb ("scale-api in prod"), nor a report ("we scaled it").
_ORDERED = re.compile(
    r"^[^\w@]*(?:(?:then|so|ok|okay|pls|plz|please|just|now|actually|also|and|first|instead|"
    r"no|nah|wait|hey|hmm+|oh|oops|sorry|rather|better|guys|team|folks|all|quickly|maybe|"
    r"i (?:meant|mean|think|guess)|i[\u2019']?d rather|how about (?:we|you)|let me|"
    r"(?:can|could|would|will|shall|should|must) (?:you|u|we|someone|somebody)|"
    r"(?:we|you|u) (?:should|could|must|can)|let[\u2019']?s|lets|we (?:need|have) to|"
    r"need to|go ahead and|@[\w.-]+)[^\w@]+)*"
    r"(?<![\w.-])(?P<verb>[a-z][a-z-]*(?: rid of)?)(?![\w.-])"
    r"(?:(?:\s+[\w.-]+)?\s+(?P<particle>back|out|off|on|forward|up|down)(?![\w.-]))?",
    re.IGNORECASE)
# The change each verb orders, by kind; a verb and its particle first. Verbs of amounts
# ("lower it to 2", "take it up to 5", "make it 4"), of agreement ("apply it") and of no
# runbook are none: said of the plan being asked about, or of nothing it could be.
_CHANGE_OF = {
    **dict.fromkeys(("restart", "re-start", "bounce", "cycle", "kick", "recycle", "redeploy",
                     "reboot", "recreate", "roll"), "restart"),
    **dict.fromkeys(("roll back", "rollback", "revert", "undo", "downgrade", "take back"),
                    "rollback"),
    **dict.fromkeys(("scale", "scale up", "scale down", "scale out", "scale back"), "scale"),
    "autoscale": "autoscale", "hpa": "autoscale",
    **dict.fromkeys(("deploy", "upgrade", "roll out", "roll forward"), "image"),
    **dict.fromkeys(("delete", "kill", "nuke", "remove", "evict", "terminate", "get rid of"),
                    "delete"),
    "drain": "drain",
    **dict.fromkeys(("cordon", "cordon off", "take out"), "cordon"),
    "uncordon": "uncordon",
    **dict.fromkeys(("suspend", "pause", "disable", "stop", "turn off"), "suspend"),
    **dict.fromkeys(("resume", "unpause", "unsuspend", "enable", "re-enable", "start",
                     "turn on", "kick off"), "resume"),
}
RUNBOOK_CHANGES: dict[str, frozenset[str]] = {
    "restart_deployment": frozenset({"restart"}),
    "rollback_deployment": frozenset({"rollback"}),
    "scale_deployment": frozenset({"scale"}),
    "set_autoscaling": frozenset({"autoscale", "scale", "resume"}),  # "enable an hpa"
    "set_image": frozenset({"image"}),
    "set_resources": frozenset(),
    "delete_pod": frozenset({"delete", "restart"}),  # a pod is restarted by deleting it
    "drain_node": frozenset({"drain"}),
    "cordon_node": frozenset({"cordon"}),
    "uncordon_node": frozenset({"uncordon"}),
    "suspend_cronjob": frozenset({"suspend"}),
    "resume_cronjob": frozenset({"resume"}),
}
"""The kinds of change (`_CHANGE_OF`'s values) each runbook that changes something makes:
what a message may order and still be about that runbook's plan. A test holds every such
runbook of the catalogue to an entry here."""
MAIN_CHANGE = {"set_autoscaling": "autoscale", "delete_pod": "delete",
               **{name: next(iter(kinds)) for name, kinds in RUNBOOK_CHANGES.items()
                  if len(kinds) == 1}}
"""The change each runbook is named for: the one that, ruled out ("don't drain it"), rules
the runbook out ("don't scale it by hand, autoscale it" rules out no autoscaling)."""


CHANGE_WORDS = frozenset(word for phrase in _CHANGE_OF for word in phrase.split())
"""Every word of a change's verb phrase ("roll", "back", "restart", "of", ...)."""
CHANGE_VERBS = frozenset(phrase.split()[0] for phrase in _CHANGE_OF)
"""The verb that opens each change's phrase ("roll", "restart", "get"), no particle."""


_RULED_OUT = re.compile(
    # "I don't want it drained": the state the change would set, wanted not
    r"\b(?:don[\u2019']?t|dont|do\s+not)\s+want\s+(?:it|them|this|that|[\w.-]+)\s+"
    r"(?P<state>[a-z-]+ed)\b|"
    r"\b(?:don[\u2019']?t|dont|do\s+not|never|no\s+need\s+to|without|avoid|"
    r"shouldn[\u2019']?t|mustn[\u2019']?t)\s+"
    r"(?:(?:a|an|the|any|to|be|we|you|need\s+to|want\s+to|bother|bother\s+to|yet|fully|"
    r"really|actually|even|ever|go|start|try\s+to|completely|entirely|immediately)\s+){0,3}"
    r"(?P<verb>[a-z-]+)(?:(?:\s+(?:it|them|this|that))?\s+(?P<particle>back|up|down|out|off|on)\b)?",
    re.IGNORECASE)
"""A change ruled out: a negation, a word or three, a verb ("don't drain it", "without
draining", "no need to restart", "don't roll it back", "don't go draining it"), or the
state it sets not wanted ("I don't want it drained"). Not "just" ("don't just cordon it"
asks for more), nor "not", "won't" or a past form, which report more often than they
rule out ("it won't restart", "told not to roll back", "never re-enabled")."""
_CLAUSE_END = re.compile(r"[,;.!?\n]|\b(?:but|and|just|instead|then|so|only)\b", re.IGNORECASE)
_ANOTHER = frozenset({"anything", "else", "other", "others", "rest", "everything", "all",
                      "one", "ones", "any", "every"})
"""Words by which a change ruled out is of other objects ("don't restart anything else")."""


def _names_another(rest: str, values: Iterable[str]) -> bool:
    """Whether the words of a clause after its verb (`rest`) name an object other than
    `values` (the ones the message is read with): a name (a dash or a digit in it), a
    word after in/on/the ("in prod", "the staging one"), or "anything else"."""
    known = {value.lower() for value in values}
    words = re.findall(r"[a-z0-9][a-z0-9.-]*", rest.lower())
    for before, word in zip(["", *words], words, strict=False):
        if word in known:
            continue
        if (word in _ANOTHER or re.search(r"[-\d]", word)
                or before in ("in", "on", "the", "namespace")):
            return True
    return False


def names_other_than(words: str, values: Iterable[str]) -> bool:
    """Whether `words`, all of them, name an object other than `values` (a name, a count,
    a word after in/on/the): see `_names_another`."""
    return _names_another(clean_text(words), values)


def change_of_form(verb: str, particle: str = "", *, participle: bool = False) -> str | None:
    """The kind of change a verb, bare or in -ing (or, `participle`, in -ed), names
    ("drain", "draining", "scaling up", "stopping", "drained"), or None."""
    if verb in ("roll", "rolling") and not particle:
        return None  # "don't roll the deployment back": a restart's verb only alone
    stems = [verb]
    for ending in ("ing", "ed") if participle else ("ing",):
        if verb.endswith(ending) and len(verb) > len(ending) + 2:
            base = verb[:-len(ending)]
            stems += [base, base + "e"]
            if base[-1] == base[-2]:
                stems.append(base[:-1])  # "stopping", "stopped"
    for stem in stems:
        kind = ((_CHANGE_OF.get(f"{stem} {particle}") if particle else None)
                or _CHANGE_OF.get(stem))
        if kind is not None:
            return kind
    return None


def ruled_out_changes(text: str, values: Iterable[str] = ()) -> set[str]:
    """The kinds of change `text` rules out ("cordon node-2 but don't drain it": a user
    trial planned the drain), of the objects it is read with (`values`) or of none named:
    "restart calc-app, don't restart anything else" or "..., you don't need to restart
    checkout-api" rule out no restart of calc-app (an attacker review)."""
    cleaned = clean_text(text)
    values = tuple(values)
    found = set()
    for match in _RULED_OUT.finditer(cleaned):
        if match.group("state"):
            kind = change_of_form(match.group("state").lower(), participle=True)
        else:
            kind = change_of_form(match.group("verb").lower(),
                                  (match.group("particle") or "").lower())
        if kind is None:
            continue
        end = _CLAUSE_END.search(cleaned, match.end())
        if not _names_another(cleaned[match.end():end.start() if end else len(cleaned)],
                              values):
            found.add(kind)
    return found


def names_another(clause: str, values: Iterable[str]) -> bool:
    """Whether `clause`, after its first change verb, names an object other than `values`
    ("resume it in prod" read with staging): see `_names_another`."""
    verb = _ORDERED.match(clean_text(clause))
    return _names_another(clean_text(clause)[verb.end("verb") if verb else 0:], values)


def clauses_ordering(text: str) -> list[tuple[str, str]]:
    """(the kind of change, the clause) of each clause of `text` that opens with a change
    verb, as `ordered_changes` finds them."""
    cleaned = clean_text(text)
    found: list[tuple[str, str]] = []
    for a, b in clauses(cleaned):
        match = _ORDERED.match(cleaned[a:b])
        if match is None:
            continue
        verb, particle = match.group("verb").lower(), (match.group("particle") or "").lower()
        kind = (_CHANGE_OF.get(f"{verb} {particle}") if particle else None) or _CHANGE_OF.get(verb)
        if kind is not None:
            found.append((kind, cleaned[a:b]))
    return found


def ordered_changes(text: str) -> set[str]:
    """The kinds of change `text` orders, one per clause that opens with a change verb
    ("restart", "rollback", "cordon", ...); amounts and agreement are none."""
    return {kind for kind, _ in clauses_ordering(text)}


# A participle asked for, not reported: "cart-api scaled to 6 in prod asap".
_URGENT_PARTICIPLE = re.compile(r"^\W*[\w.-]+\s+(?:" + _DONE + r")\b[^.?!]*\b(?:asap|now|please|"
                                r"pls|plz|immediately|right away|stat)\b", re.IGNORECASE)
# A change put up for discussion, even in the imperative ("scale api to 10? wdyt"), mocked
# ("... problem solved /s", "oh sure, just restart it again"), or asked and then declined
# ("Restart checkout? Not yet.", "roll back web? I'd rather fix forward": each was planned).
_OPINION = re.compile(r"\b(?:thoughts|objections|opinions)\s*\?|\bwdyt\b|"
                      r"\bwhat do (?:you|y[\u2019']?all|people|folks) think\b|(?:^|\s)/s\s*$|"
                      r"^\W*oh (?:sure|yeah|great)\b|"
                      # weighed against not doing it: "restart it or is that overkill?", "...
                      # or not?", "... or should we wait?" (session 49: each was planned)
                      r"\bor (?:is|would|will|isn[\u2019']?t) (?:that|it|this) (?:be )?(?:just )?"
                      r"(?:overkill|too much|too aggressive|too risky|risky|dumb|stupid|silly|"
                      r"a bad idea|bad|worse|make (?:it|things) worse|too late|too early|"
                      r"premature|unnecessary|pointless|better|enough|wise|safe)\b|"
                      r"\bor (?:not|no|nah|nope|wait|hold off|leave it|let it ride|too soon|"
                      r"better not|rather not)\s*\?|"
                      r"\bor should (?:we|i) (?:just )?(?:wait|hold off|not|leave it)\b|"
                      r"\bor (?:is|would) (?:that|it|this) (?:be )?(?:a bit much|"
                      r"too drastic|heavy-?handed|going too far|crazy|nuts|unwise)\b|"
                      r"\bor am i overreacting\b|\bor are we jumping the gun\b|"
                      r"\b(?:yay or nay|y/n|yes/no)\s*\??\s*$", re.IGNORECASE)
# The declining words after a question of a change, asking words or not ("Could you restart
# it? Not yet."), after a filler ("? Hmm, not yet", "?! -- not yet": an attacker review).
# They decline only alone in their sentence, or before another order: "? No rush.", "? No
# idea why it's stuck", "? Never mind the alert, just do it" ask on (a second review).
_DECLINED = re.compile(
    r"\?[!?]*\s*(?:[-\u2013\u2014]+\s*)?(?:(?:hmm+|um+|uh+|well|actually|ok|okay|"
    r"on second thought)\W+)*(?P<words>no way|not yet|not (?:right )?now|not today|no+|nah+|"
    r"nope|naw|na|negative|probably not|better not|rather not|maybe (?:later|not|tomorrow)|"
    r"not needed|unnecessary|"
    r"later|hold off|hold on|wait|don[\u2019']?t|i don[\u2019']?t think so|never ?mind|"
    r"forget it|scratch that|let me check(?: first)?|let[\u2019']?s (?:not|wait|hold off)|"
    r"(?:i|we)(?:[\u2019']d| would) rather (?:not|wait|hold off|leave it|fix (?:it )?forward|"
    r"roll forward))\b", re.IGNORECASE)
# How to make a change, asked to be written, shown or explained: "please document how to
# drain node-2" (session 46's demo planned the drain), "show me how to roll back api".
_HOW_TO = re.compile(
    r"\b(?:document|write(?: down| up)?|explain|show (?:me|us|them)|tell (?:me|us|them)|"
    r"describe|teach (?:me|us)|remind (?:me|us)|walk (?:me|us) through|figure out|"
    r"look up|google)\s+how\s+(?:to|(?:do|can|should|would) (?:i|we|you|one))\b",
    re.IGNORECASE)
# What may follow the declining words in their sentence: nothing, or a reason after a
# comma ("no, the batch is still running"), unless it asks on ("No, seriously, please").
_ALONE = re.compile(r"\W*(?:[.!?]|$)")
_REASON = re.compile(r"\s*,(?![^.!?]*\b(?:please|pls|plz|go ahead|do it)\b)"
                     # "No, make it 4": a correction of the value, answered as one.
                     r"(?!\s*(?:make (?:it|that)|i meant|instead|rather|actually|use)\b)",
                     re.IGNORECASE)
# A question about how something is doing ("is node-2 ok?", "are the checkout pods running
# again?", "node-2 ok?"): with no order, no asking words and no change named in another
# sentence, it asks for no change, whatever the model matched on the context ("... pods
# scheduled there" read as a cordon). "is it ok (by you) to restart X" asks permission.
_STATUS_WORDS = (r"(?:ok|okay|fine|healthy|unhealthy|up|down|alive|ready|working|broken|sick|"
                 r"degraded|good|alright|all right|full|overloaded|slow|running|stuck|happy|"
                 r"dead|available|reachable|responding|stable|flapping|crashing)")
_STATUS_QUESTION = re.compile(
    r"^\W*(?:(?:hey|so|ok|okay|also|and|but|btw)\W+)*(?:(?:is|are|was|were)\s+"
    r"(?!(?:it|we|i|you)\s+(?:ok|okay|fine|safe|alright|all right|cool|good)\s+"
    r"(?:to|if|by|with|for)\b)"
    r"(?:\S+\s+){0,8}?" + _STATUS_WORDS + r"\b|(?:the\s+)?[\w.-]+(?:\s+pods?)?\s+"
    r"(?:still\s+)?" + _STATUS_WORDS + r"\s*\?)", re.IGNORECASE)
# A change asked for in another sentence: "we need to roll it back", "we need it
# restarted", "we should restart them" (not one reported: "pods keep getting evicted").
_CHANGE_WANTED = re.compile(
    rf"\b(?:need|needs|should|must|have to|has to|gotta|got to|want to|wanna|let[\u2019']?s)"
    rf"\s+(?:to\s+)?(?:(?:it|them|this|that|[\w.-]+)\s+)?(?:{CHANGE})(?:s|d|ed)?\b",
    re.IGNORECASE)
_STATUS_CHARS = 300
"""A sentence is judged on its first characters (the pattern is anchored at its start)."""


def status_question_only(cleaned: str) -> bool:
    """Whether `cleaned` asks how something is doing and names no change outside that
    question ("is checkout broken? we need to roll it back" names one)."""
    sentences = [s for s in SENTENCE_END.split(cleaned) if s.strip()]
    status = {i for i, s in enumerate(sentences)
              if _STATUS_QUESTION.match(s[:_STATUS_CHARS])
              and (s.rstrip().endswith("?") or i == len(sentences) - 1)}
    return bool(status) and not any(_CHANGE_WANTED.search(s) for i, s in enumerate(sentences)
                                    if i not in status)


ASKS_ANYWAY = re.compile(r"\b(?:can|could|would|will) you\b|\bplease (?!don)|\bpl[sz]\b|"
                          # "going to need checkout restarted", "will need a rollback of ..."
                          r"\b(?:going to|gonna|will|[\u2019']ll) need\b|"
                          r"\bneeds (?:another|a|one more|a fresh) (?:restart|bounce|rollback|"
                          r"roll-?back|redeploy|drain|cordon)\b(?![^.?!]*\?)|"
                          r"\bany chance (?:you|u) (?:could|can)\b|"
                          r"\bgo ahead\b|\bi need you to\b", re.IGNORECASE)


# "don't let email-digest run tonight": a negation that asks for a suspend.
_KEEP_FROM_RUNNING = re.compile(r"^\W*(?:please )?(?:don[\u2019']?t|do not|never) let [\w.-]+ "
                                r"(?:(?:in|-n|ns) [\w.-]+ )?"
                                r"(?:run|fire|start|go off|kick off|execute|trigger)\b",
                                re.IGNORECASE)
# Words that open a clause of context after the order: "roll back checkout, v2 was
# deployed for the first time yesterday", "restart checkout, it runs alongside ...".
_CONTEXT_OPENS = re.compile(r"^\W*(?:it|its|it[\u2019']s|we|we[\u2019']ve|they|he|she|i|"
                            r"i[\u2019']m|i[\u2019']ve|there|this|that|these|those|the|our|my|"
                            r"both|which|since|because|as|v?\d[\w.]*)\b", re.IGNORECASE)


def request_text(text: str) -> str:
    """`text` without the clauses of context that follow its last order: a prefix of it, so
    slot spans keep their offsets. The whole text when it gives no order."""
    cleaned = clean_text(text)
    # Each piece with the mark or word that opens it ("and it runs ...").
    bounds = [0, *(stop for _, stop in clauses(cleaned)[:-1]), len(cleaned)]
    pieces = [(a, cleaned[a:b]) for a, b in pairwise(bounds)]
    last = max((i for i, (_, piece) in enumerate(pieces) if _ORDER.search(piece.lstrip(
        ",;.!?:()\u2013\u2014- "))), default=None)
    if last is None:
        return text
    end = len(text)
    for start, piece in pieces[last + 1:]:
        if _CONTEXT_OPENS.search(piece.lstrip(",;.!?:()\u2013\u2014- ")):
            end = start
            break
    return text[:end]


# Where the object of an order ends and its context begins: "suspend it during the
# migration", "scale checkout to handle the traffic".
_HEAD_END = re.compile(r"\b(?:so|because|since|as|after|before|when|while|once|until|then|but|"
                       r"which|that|with|for|due|now|if|to|during|in case|ignoring|where|"
                       r"whose)\b",
                       re.IGNORECASE)


def order_head(text: str) -> tuple[int, int] | None:
    """Where in `text` the head of its order is (the first clause that gives one, up to
    its context); for a one-sentence message without such a clause ("flux suspend
    kustomization payments"), the head of its first clause; None otherwise."""
    cleaned = clean_text(text)
    bounds = clauses(cleaned)
    chosen = next(((a, b) for a, b in bounds if _ORDER.search(cleaned[a:b])), None)
    if chosen is None:
        if SENTENCE_END.search(cleaned.strip()):
            return None
        chosen = bounds[0]
    a, b = chosen
    # The first word is the verb ("to" cannot end the head before it).
    verb = re.match(r"\W*\S+", cleaned[a:b])
    skip = verb.end() if verb else 0
    end = _HEAD_END.search(cleaned, a + skip, b)
    return a, end.start() if end else b


def orders(cleaned: str) -> list[str]:
    """The clauses of `cleaned` that give an order ("just restart checkout")."""
    return [cleaned[a:b] for a, b in clauses(cleaned) if _ORDER.search(cleaned[a:b])]


def later_order(cleaned: str, after: int = 0) -> bool:
    """Whether a sentence that starts after `after` gives an order ("oh great, it's
    crashlooping again. restart it in prod")."""
    later = [cleaned[m.end():] for m in SENTENCE_END.finditer(cleaned, after)]
    return any(orders(sentence) for sentence in later)


def declined(cleaned: str) -> bool:
    """Whether a question of a change is declined after it: its declining words alone in
    their sentence ("Restart it? Not yet.", "...? Hmm, no.") or followed by another order,
    of another change or of another object ("Drain node-1? No, cordon it." planned the
    drain; "Restart orders? No. Please restart cart." the restart of orders: which is
    meant is no guess to make, an attacker review)."""
    # The first few questions only: each costs a read of the whole text, and a message of
    # thousands of "? no" must not cost seconds (an attacker's padding).
    for found in islice(_DECLINED.finditer(cleaned), _DECLINES_READ):
        if not ordered_changes(cleaned[:found.start()]):
            continue  # "is checkout ok? no. restart it": no change was asked
        # Another change ordered after it ("..., restart cart first"); "just do it" and
        # "go ahead" order none.
        if (_ALONE.match(cleaned, found.end()) or _REASON.match(cleaned, found.end())
                or clauses_ordering(cleaned[found.start() + 1:])):
            return True
    return False


_DECLINES_READ = 3

# Words that take an order back after it, alone in their clause or before a reason:
# "restart api in prod. never mind", "..., just kidding", "... lol jk", "scale it to 0.
# scratch that", "ignore that, wrong channel" (each was planned: the decline above reads
# only words after a question, session 49).
_TAKEN_BACK = re.compile(
    r"(?:^|(?<=[\s.,;:!?\u2026\u2013\u2014(\[/-]))(?:(?:lol|lmao|haha|ha|ok|okay|oh|actually|"
    r"wait|hmm+|um+|uh+|well|nah|no|sorry|oops|j/?k)\W+){0,3}"
    r"(?P<words>never ?mind|nvm|jk|j/k|(?:just )?kidding|(?:just )?joking|scratch that|"
    r"ignore (?:that|this|me|the above|my last(?: message)?)|"
    r"disregard(?: that| this| me| the above| my last(?: message)?)?|"
    r"forget (?:it|that|about it|i said that)|cancel that|don[\u2019']?t do (?:it|that)|"
    r"on second thought,? (?:don[\u2019']?t|no|nah|never ?mind|leave it|forget it|not yet|"
    r"not now|let[\u2019']?s not|better not)|"
    # Said after it, alone: "(don't)", "Actually no.", "Cancel.", "Retracted.", "Nah,
    # it's fine.", "Wrong channel, sorry.", "that was meant for Dave", "Just testing."
    # (an attacker review, session 49: each planned the change).
    r"\(?don[\u2019']?t\)?|do not|cancel(?: it| that| this)?|retract(?:ed)?|"
    r"(?:actually|nah|no|nope),? (?:no|nope|don[\u2019']?t|(?:it[\u2019']?s|it is) (?:fine|ok|okay|"
    r"good|all good))|wrong (?:channel|thread|chat|window|room|slack)|"
    r"meant to (?:dm|pm|send|post)\b(?: (?:that|this|it))?|"
    r"(?:(?:that|this) was )?(?:meant|supposed to go|intended) (?:for|to) (?:@?[\w.-]+)|"
    # "just testing", not "... for load testing"
    r"(?:just|only) testing|(?<=[.!?,;:\u2013\u2014-] )testing|test message|"
    r"not approved(?: by (?:the )?[\w.-]+)?|"
    # more of a review's (session 49): "belay that", "I take it back", "false alarm"
    r"(?:belay|strike|scrap) (?:that|it|this)|withdrawn|rescinded|(?:i )?take (?:it|that) back|"
    r"cancell?ed|abort(?: that| it)?|my bad|false alarm|(?:not|no longer) needed(?: anymore)?|"
    r"forget (?:what i said|about (?:it|that|this)|i asked)|"
    r"ignore (?:my (?:previous|last) (?:message|msg)|all (?:that|of that)|everything above)|"
    r"never-mind|this is a test|(?:sorry,? )?(?:that|this) was for @?[\w.-]+|"
    r"wrong (?:convo|conversation|person|workspace)|"
    # alone at the end only (checked below): "..., nah.", "... let's not."
    r"nah|nope|let[\u2019']?s not|better not|maybe not|not really)(?![\w-])",
    re.IGNORECASE)
_NO_KIDDING = re.compile(r"\b(?:no|not|n[\u2019']t)\W+(?:just\W+|really\W+)?(?:kidding|joking)\b",
                         re.IGNORECASE)
_AFTER_ALL = re.compile(r"[^.!?]*\b(?:but|though|still|anyway|urgent|asap)\b", re.IGNORECASE)
"""Words after a reason that ask on ("wrong channel, but it's urgent")."""
_TRAILING_FILLER = re.compile(r"(?:\W+(?:lol|lmao|haha|pls|plz|please|thx|thanks|sorry|"
                              r"ty|oops))+", re.IGNORECASE)
"""Words that may follow the taking back before the sentence ends ("nvm lol")."""
_ALONE_ONLY = frozenset({"nah", "nope", "let's not", "let\u2019s not", "lets not", "better not",
                         "maybe not", "not really"})
"""Words that take an order back only alone at the end ("restart it. nah."), not before more
("nah, restart cart")."""
_TAKEN_BACK_READ = 3
"""How many such words are looked at, at most: a read of the text before each."""


def taken_back(text: str) -> bool:
    """Whether an order is taken back after it in `text`: words that take it back, alone
    in their clause or before a reason after a comma, and no order after them ("... never
    mind, restart cart instead" orders cart; "never mind the alert, restart api" takes
    nothing back)."""
    cleaned = clean_text(text)
    for found in islice(_TAKEN_BACK.finditer(cleaned), _TAKEN_BACK_READ):
        if _NO_KIDDING.search(cleaned, max(0, found.start() - 12), found.end()):
            continue  # "restart it, no kidding", "..., I'm not joking": said in earnest
        before = cleaned[:found.start()]
        if not ordered_changes(before) and ASKS_ANYWAY.search(before) is None:
            continue  # nothing asked before them ("can you switch it to v2? jk" asks)
        end = _TRAILING_FILLER.match(cleaned, found.end())
        alone = _ALONE.match(cleaned, end.end() if end else found.end()) is not None
        if found.group("words").lower() in _ALONE_ONLY and not alone:
            continue
        reason = (not alone and _REASON.match(cleaned, found.end()) is not None
                  and "testing" not in found.group("words").lower()
                  and not _AFTER_ALL.match(cleaned, found.end()))
        if (alone or reason) and not clauses_ordering(cleaned[found.end():]):
            return True
    return False


def negated(text: str) -> bool:
    """Whether `text` negates a change anywhere ("if we did NOT restart it", "no restart")."""
    return _NEGATED.search(clean_text(text)) is not None


def not_a_request(text: str) -> bool:
    """Whether `text` talks about a change without asking for it: a negation, a question
    about what happened or would happen, a report or thanks, a plan of one's own or of
    someone else, a hypothetical, a condition, a quote, or an opinion sought. A clause that
    gives an order makes it a request after all ("don't panic, just restart checkout",
    "FYI checkout is down, restart it"), except after a condition or a negated change, and
    so do asking words ("can you", "please")."""
    cleaned = _OPENER.sub("", clean_text(text).strip(), count=1)
    asks = ASKS_ANYWAY.search(text) is not None
    opinion = _OPINION.search(cleaned)
    # An order after the opinion sought makes a request; one before it is what is put up
    # for discussion.
    if opinion is not None and not asks and not later_order(cleaned, opinion.start()):
        return True
    if declined(cleaned) or taken_back(cleaned) or _HOW_TO.search(cleaned) is not None:
        return True
    ordered = orders(cleaned)
    if not asks and not ordered and status_question_only(cleaned):
        return True
    if (_NEGATED.search(cleaned) and not asks
            and not any(not _NEGATED.search(c) for c in ordered)):
        return True
    found = _NOT_A_REQUEST.search(cleaned)
    if found is not None:
        if re.search(r"don|do not|never|no need", found.group(0), re.IGNORECASE):
            if _KEEP_FROM_RUNNING.search(cleaned):  # "don't let email-digest run tonight"
                return False
            # "don't touch the hpa, just scale search to 4": an order of its own counts.
            return not any(not _NEGATED.search(c) for c in ordered)
        if _FRAMED.search(cleaned):
            later = [cleaned[m.end():] for m in SENTENCE_END.finditer(cleaned)]
            return not asks and not any(_ORDER.search(s) for s in later)
        return not asks and not ordered
    told = _TALKED_ABOUT.search(cleaned) or (_REPORTED.search(cleaned)
                                             and not _URGENT_PARTICIPLE.search(cleaned))
    return not asks and not ordered and bool(told)


# A cronjob runbook suspends or resumes; running one now or changing when it runs is
# neither ("run nightly-report now", "push the export back an hour", "0 3 * * *"), unless
# the message also says to suspend or resume (typos read as meant: "resmue").
_RUN_OR_RETIME = re.compile(
    r"\b(?:run|execute|trigger|kick(?:ed)? off|fire(?: off)?)\b.{0,40}?\b(?:now|immediately|"
    r"right away|asap|once|manually)\b|\bone-?off\b|\bmanual(?:ly)? run\b|"
    r"\bevery \d+|\b(?:hourly|daily|weekly|nightly) instead\b|\brun (?:hourly|daily|weekly)\b|"
    r"\b(?:back|forward|earlier|later) (?:by )?(?:an? |\d+ )?(?:hour|hours|minutes?|mins?)\b|"
    r"\bby \d+ ?(?:minutes?|mins?|hours?|h)\b|\bfrom now on\b|"
    r"(?:^|\s)(?:[\d*/,-]+\s+){4}[\d*/,-]+(?:\s|$)", re.IGNORECASE)
_SUSPEND_RESUME = re.compile(
    r"\b(?:suspend|unsuspend|pause|unpause|resume|disable|enable|re-?enable|stop|halt|freeze|"
    r"hold|turn (?:it )?(?:off|on)|switch (?:it )?(?:off|on)|reactivate|continue|skip|"
    r"not (?:run|happen|fire)|back on|on again|(?:don[\u2019']?t|do not|never) let|"
    r"(?:let|allow) [\w.-]+ (?:run|fire|go)\b[^.?!]*\bagain)", re.IGNORECASE)


# Pausing a rollout, or restarting, scaling or changing a cronjob, is no suspend or resume:
# "pause the checkout-api rollout halfway", "restart the nightly-report cronjob".
# (Not "restart the schedule of etl-hourly", the resume runbook's own words, nor a
# namespace called "canary".)
_NOT_SUSPENDING = re.compile(r"(?<![\w-])(?:rollouts?|roll-outs?)(?![\w-])|"
                             r"^\W*(?:(?:pls|please|can you|could you|just)\s+)*(?:restart|bounce|"
                             r"redeploy|roll back|rollback|scale|delete|kill|update|upgrade|"
                             r"set|bump|change)\b(?!\s+(?:the\s+|its\s+)?(?:schedul|cron|timer))",
                             re.IGNORECASE)


_ROLLOUT_PAUSE = re.compile(r"\b(?:pause|resume|halt|stop)\b[^.?!]{0,40}(?<![\w-])(?:rollout|"
                            r"roll-out)(?![\w-])", re.IGNORECASE)


def cronjob_other_change(text: str) -> bool:
    """Whether a request read as a cronjob suspend or resume asks to run it now, to move
    its schedule, to pause a rollout or to restart or change it, and says nothing of
    suspending or resuming."""
    if _NOT_SUSPENDING.search(clean_text(text)):
        words = " ".join(corrected(w, lambda _: False) for w in text.split())
        return _SUSPEND_RESUME.search(words) is None or _ROLLOUT_PAUSE.search(text) is not None
    if _RUN_OR_RETIME.search(text) is None and SCHEDULE_CHANGE.search(text) is None:
        return False
    words = " ".join(corrected(w, lambda _: False) for w in text.split())
    return _SUSPEND_RESUME.search(words) is None


# "run ..." in plain words: what follows "run" must name the change of the runbook read,
# by a change word (`_CHANGE_OF`) or the thing it sets. "run nightly-report in prod" (its
# job, now) is no resume, "run maintenance on node-7" no uncordon, "run the smoke tests
# against api" no restart; "run a rollback of api", "run 3 replicas of api" and "run
# kubectl delete pod x" say theirs.
_RUN_ORDER = re.compile(r"^\W*(?:(?:hey|hi|ok|okay|so|please|pls|plz|kindly|just|then|and|"
                        r"also|now|can|could|would|will|you|u|go|ahead)\W+)*run\b",
                        re.IGNORECASE)
_SETS: dict[str, str] = {
    "scale_deployment": r"replicas?|instances?|copies|pods",
    "set_autoscaling": r"hpa|autoscal\w*|min(?:imum)?|max(?:imum)?",
    "set_image": r"image|tag|version",
    "set_resources": r"memory|mem|ram|cpu|cpus|cores?|millicores|requests?|limits?",
}


def run_without_its_change(intent: str, text: str) -> bool:
    """Whether a clause of `text` orders "run" ("run ...", "please run ...", "can you run
    ...") and the message names no change that the runbook `intent` makes (none of
    `RUNBOOK_CHANGES`' kinds, nor what it sets): the model's nearest runbook for a request
    no runbook makes."""
    if intent not in RUNBOOK_CHANGES:
        return False
    cleaned = clean_text(text)
    if not any(_RUN_ORDER.match(cleaned[a:b]) for a, b in clauses(cleaned)):
        return False
    cleaned = cleaned.lower()
    words = " ".join(corrected(w, lambda _: False) for w in cleaned.split())
    named = {kind for phrase, kind in _CHANGE_OF.items()
             if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", words)}
    if named & RUNBOOK_CHANGES[intent]:
        return False
    sets = _SETS.get(intent)
    return sets is None or re.search(rf"\b(?:{sets})\b", words) is None


# Storage asked for in a resources change: a volume's size, not a container's memory.
_STORAGE = re.compile(r"\b(?:storage|disk|disks|volume(?! of)|volumes|pvc|pvcs|size|retention|"
                      r"ephemeral|emptydir|shm|tsdb|iops|space)\b", re.IGNORECASE)
_COMPUTE = re.compile(r"\b(?:memory|mem|ram|cpu|cpus|cores?|millicores|oom)\b",
                      re.IGNORECASE)


# A size only a disk has: a hundred gigabytes or more, or terabytes ("give elasticsearch
# another 200Gi"). A container's memory that large is said to be memory.
_DISK_SIZE = re.compile(r"(?<![\w.])(?:(\d{3,}(?:\.\d+)?)\s*(?:gi|gib|gb|g)|\d+(?:\.\d+)?\s*"
                        r"(?:ti|tib|tb|t|pi|pib|pb))(?![\w])", re.IGNORECASE)


def storage_not_memory(text: str) -> bool:
    """Whether a resources request's order speaks of storage, or asks for a disk's size,
    and never of CPU or memory ("give elasticsearch 1Ti of storage", "set the size of
    data-pg-0 to 100Gi", "give elasticsearch another 200Gi"); context after the order
    ("..., payload size doubled") does not count."""
    order = _order_clause(clean_text(text).strip())
    if _COMPUTE.search(order) is not None:
        return False
    return _STORAGE.search(order) is not None or _DISK_SIZE.search(order) is not None


# Taking a workload away: no runbook deletes a deployment or uninstalls a release, and a
# restart, rollback or image change is not what "remove the old api-v1 deployment" asks.
_TAKE_AWAY = re.compile(r"^\W*(?:(?:please|pls|can you|could you)\W+)?(?:uninstall|delete|remove|"
                        r"decommission|tear down|teardown|destroy|get rid of|purge|nuke)\b",
                        re.IGNORECASE)
# "remove the bad release from checkout by rolling back to revision 41": the runbook's way.
_BY_A_RUNBOOK = re.compile(r"\bby (?:rolling|restarting|scaling|reverting|setting|changing)\b",
                           re.IGNORECASE)
# What a take-away names when it takes back a version: "v2.3.1", "the broken release", "the
# bad deploy"; not "the old api-v1 deployment".
_A_VERSION = re.compile(r"\s+(?:the\s+|this\s+|that\s+|today[\u2019']?s\s+)?(?:v?\d+(?:\.\d+)+\S*|"
                        r"(?:(?:broken|bad|new|newest|latest|last|faulty|buggy|current|recent|"
                        r"botched|failed|busted)\s+)?(?:release|build|image|tag|deploy|version|"
                        r"change|rollout|update|push))\b", re.IGNORECASE)
# Runbooks whose every slot is one of these change a deployment as a whole.
_WHOLE_DEPLOYMENT = frozenset({"deployment", "namespace", "revision", "image", "container"})


def takes_back_a_version(after_verb: str) -> bool:
    """Whether what follows a take-away verb names a version ("v2.3.1", "the bad
    deploy"): taken back, that is a rollback."""
    return _A_VERSION.match(after_verb) is not None


def takes_away(slots: Iterable[str], text: str) -> bool:
    """Whether a request read as a restart, rollback or image change asks to delete or
    uninstall the workload, with no later clause giving another order."""
    names = set(slots)
    if "deployment" not in names or not names <= _WHOLE_DEPLOYMENT:
        return False
    cleaned = clean_text(text).strip()
    taken = _TAKE_AWAY.search(cleaned)
    if taken is None or _BY_A_RUNBOOK.search(cleaned):
        return False
    if takes_back_a_version(cleaned[taken.end():]):
        return False  # "get rid of v2.3.1 on checkout-api": a version taken back, a rollback
    return not orders(cleaned[clauses(cleaned)[0][1]:])


# What the request's first words ask to change, when no runbook changes it: a deployment's
# other fields ("set maxSurge to 50% on api", "add an env var to checkout"), a node's taints
# ("untaint worker-12"), annotations. Not labels, ports or commands: those words name pods
# and containers in everyday requests too.
_OTHER_FIELD = re.compile(
    r"\b(?:max ?surge|max ?unavailable|(?:rollout|update) strategy|env(?:ironment)? ?vars?|"
    r"env(?:ironment)? variables?|annotations?|annotate|tolerations?|node ?selectors?|"
    r"(?:anti-?)?affinity|(?:un)?taints?|(?:un)?tainted|image ?pull ?secrets?|pull ?secrets?|"
    r"(?:image ?)?pull ?policy|(?:jobs? )?history ?limits?|(?:termination )?grace ?period|"
    r"service ?account(?: ?name)?|priority ?class(?: ?name)?|security ?context|"
    r"backoff ?limit|concurrency ?policy|starting ?deadline|ttl(?: ?seconds)?|parallelism|"
    r"completions|revision ?history|min ?ready ?seconds|progress ?deadline|dns ?policy|"
    r"host ?network|host ?pid|run ?as ?(?:user|group|non-?root)|fs ?group|"
    r"read-?only ?root ?filesystem|capabilities|seccomp|apparmor|sysctls?|ulimits?|"
    r"(?:pod )?disruption ?budget|topology ?spread|"
    # Settings of the program inside, not of the container: "sidekiq concurrency", "a 16g
    # heap", "redis maxmemory", "gunicorn workers per pod".
    r"concurrency|heap|maxmemory|xmx|xms|gomemlimit|gomaxprocs|per pod|pool ?size|"
    r"max ?connections|worker ?processes|threads|"
    # An autoscaler's behaviour, not its bounds.
    r"(?:cpu|memory|utili[sz]ation) target|target (?:cpu|utili[sz]ation)|"
    r"scale-?(?:up|down) (?:policy|behaviou?r|rate|faster|slower)|stabili[sz]ation window|"
    r"scale (?:up|down) (?:faster|slower|quicker))\b",
    re.IGNORECASE)
# A field by its own spelling: lowerCamel ("successfulJobsHistoryLimit", "imagePullSecrets";
# not a unit such as "kWh"), a dotted path ("resources.limits.memory" in Helm values), or an
# environment variable ("GOMAXPROCS=4", "JAVA_OPTS"). The runbooks set only `_OWN_FIELDS`.
_FIELD_NAME = re.compile(r"(?<![\w./-])[a-z]{2,}(?:[A-Z][a-z0-9]+)+(?![\w-])|"
                         r"(?<![\w./-])[a-z]+(?:\.[a-z][a-zA-Z]*){2,}(?![\w./-])|"
                         r"(?<![\w./-])[A-Z][A-Z0-9]*_[A-Z0-9_]+(?![\w-])|"
                         r"(?<![\w./-])[A-Z][A-Z0-9_]{2,}\s*=")
# A setting of the program inside, anywhere in the order: "scale gunicorn workers on
# reports-api to 8 per pod".
_APP_SETTING = re.compile(r"\bper (?:pod|container|process|replica)\b|\b(?:gunicorn|uwsgi|puma|"
                          r"unicorn|php-fpm|celery|sidekiq|nginx) (?:workers?|threads?|"
                          r"processes|concurrency)\b", re.IGNORECASE)
# An environment variable set anywhere in the message: "..., REDIS_URL=redis://cache-v2".
_ENV_SET = re.compile(r"(?<![\w./-])[A-Z][A-Z0-9]*_[A-Z0-9_]*\s*=\s*\S")
_OWN_FIELDS = frozenset({"replicas", "minreplicas", "maxreplicas", "targetcpuutilizationpercentage",
                         "averageutilization", "targetaverageutilization", "image", "memory",
                         "cpu", "limits", "requests", "suspend", "unschedulable"})
# A cron expression ("0 3 * * *") asks for a schedule, which no runbook sets.
_CRON = re.compile(r"(?:^|\s)(?:[\d*/,-]+\s+){4}[\d*/,-]+(?:\s|$)")


def _order_clause(cleaned: str) -> str:
    """The clause that gives the order ("env vars were updated, restart checkout": the
    restart), else the sentence that asks, else the first."""
    bounds = [0, *(m.end() for m in SENTENCE_END.finditer(cleaned)), len(cleaned)]
    sentences = [cleaned[a:b] for a, b in pairwise(bounds) if cleaned[a:b].strip()]
    asking = [s for s in sentences if ASKS_ANYWAY.search(s)]
    return (orders(cleaned) or asking or sentences or [cleaned])[0]


def other_field(text: str) -> bool:
    """Whether the words before a request's first context marker name a field or property
    no runbook changes (`_OTHER_FIELD`, or a field or variable by its spelling), or the
    request gives a cron expression."""
    if _CRON.search(text) or _ENV_SET.search(text):
        return True
    cleaned = clean_text(text).strip()
    request = _order_clause(cleaned)
    head = re.split(r"\b(?:to|so|because|since|after|before|with|for|from|but|then)\b|"
                    r"[,;:!?()\u2013\u2014]|\.(?=\s|$)", request, maxsplit=1,
                    flags=re.IGNORECASE)[0]
    if _OTHER_FIELD.search(head) is not None or _APP_SETTING.search(request) is not None:
        return True
    # Read in the text as written: cleaning takes underscores for markdown ("LOG_LEVEL").
    start = cleaned.find(request) + len(clean_text(text)) - len(clean_text(text).lstrip())
    written = text[start:start + len(head)]
    return any(m.group(0).rstrip("= ").lower() not in _OWN_FIELDS
               for m in _FIELD_NAME.finditer(written))


# A node put back into rotation or service in words no verb list holds ("You can put it
# back in rotation" read as a drain at 0.82: the opposite change, session 49). Not the other
# way: "it was taken out of rotation yesterday" is the context of many an uncordon.
_INTO_ROTATION = re.compile(
    r"\b(?:put|bring|add|let|get|move|place)\s+(?:\S+\s+){1,3}?back\s+(?:in|into|to)\s+"
    r"(?:the\s+)?(?:rotation|service|pool|node ?pool|scheduling)\b|"
    r"\breturn\s+(?:\S+\s+){1,3}?to\s+(?:the\s+)?(?:rotation|service|pool|node ?pool)\b|"
    r"\bback (?:in|into) (?:rotation|service)\b", re.IGNORECASE)
_OUT_OF_ROTATION = re.compile(
    r"\b(?:out of|from) (?:the\s+)?(?:rotation|service|pool|node ?pool|scheduling)\b",
    re.IGNORECASE)


def wrong_rotation(intent: str, text: str) -> bool:
    """Whether a drain or a cordon (`intent`) is read from words that put the node back
    into rotation or service, and none that take it out."""
    return (intent in ("drain_node", "cordon_node") and _INTO_ROTATION.search(text) is not None
            and _OUT_OF_ROTATION.search(text) is None)


def other_change(slots: Iterable[str], text: str) -> bool:
    """Whether a request read as the runbook with `slots` asks for a change it does not
    make (`cronjob_other_change`, `storage_not_memory`, `takes_away`, `other_field`)."""
    names = set(slots)
    if "cronjob" in names:
        return cronjob_other_change(text)
    if names & {"memory_limit", "memory_request", "cpu_limit", "cpu_request"}:
        return storage_not_memory(text) or other_field(text)
    return takes_away(names, text) or other_field(text)


# "how does a PodDisruptionBudget interact with kubectl drain?": a question about
# Kubernetes that mentions a runbook's verb, not a request to run it.
_GENERAL_QUESTION = re.compile(
    r"^\W*(?:how (?:does|do|is|are|would|should|can)|what (?:is|are|does|do|happens)|"
    r"what's (?:a|an|the difference)|why (?:does|do|would|is|are)|explain|"
    r"(?:is|are) there a way|difference between|when should|"
    # "does a rolling restart cause downtime?"; not "does it need a restart?"
    r"does (?!(?:it|this|that|he|she|they)\b)|is it (?:safe|ok|okay|possible|true)|"
    r"(?:can|will|would|should) (?:a|an) )\b",
    re.IGNORECASE,
)


# A question about the bot or a command, not a request: "can you roll back deployments or
# only restart?", "do you support draining?", "kubectl rollout restart syntax?", "what's
# the flag for a graceful drain?".
_ABOUT_THE_BOT = re.compile(
    r"^\W*(?:can|could|do|will) you (?:\w+ ){1,3}(?:deployments|pods|nodes|cronjobs|"
    r"statefulsets|things|stuff|workloads)\b.*\?\s*$|\bor (?:only|just) \w+\s*\?\s*$|"
    r"\b(?:syntax|usage|flags?|options?|docs|documentation|man page|example|cheat ?sheet|"
    r"command for|equivalent)\b[^.!]*\?\s*$", re.IGNORECASE)


def general_question(text: str, spans: Iterable[SlotSpan]) -> bool:
    """Whether `text` is a general question ("how does X work?", "kubectl drain syntax?",
    "can you roll back deployments or only restart?") naming no target: then a runbook the
    model matched on a word in it is not what was asked for."""
    if any(span.slot in (*TARGETS, "node") for span in spans):
        return False
    cleaned = clean_text(text).strip()
    return (_GENERAL_QUESTION.search(cleaned) is not None
            or _ABOUT_THE_BOT.search(cleaned) is not None)


# A message addressed to someone else: "@sarah can you restart checkout", "dave, when
# you're back pls roll back api", "sarah: could you bounce orders". The bot was not asked;
# the conversation answers nothing with a plan. Not "@here" or "@oncall" (the bot is one of
# them), nor a name the model took for a slot ("checkout, please restart"), nor a word
# called out with "!": "Diego! please ..." cannot be told from "Morning! can you ..." (an
# attacker review of session 46: read as an address, such requests got no answer at all).
_ADDRESSED = re.compile(
    # An @handle addresses its person whatever follows ("@dave restart it pls", a user
    # trial); a name only with words that ask "you" after it ("dave, can you ...").
    r"^\W*(?:(?:hey|hi|hello|yo|ok|okay|so)\W+)?(?:@(?P<handle>[\w.-]+)(?![\w.-])|"
    r"(?:(?P<name>[a-z][a-z.-]*)\s*[,:]\s*|(?P<bare>[a-z][a-z.-]*)\s+(?=(?:can|could|would|"
    r"will) (?:you|u)\b|when you\b))(?=(?:pls|plz|please|when|once|if|can|could|would|will|"
    r"mind|do)\b.{0,30}?\b(?:you|u)\b|you\b|pls\b|plz\b|please\b))", re.IGNORECASE)
# Words that open a message like a name and a comma, but address nobody in particular.
_NOBODY = frozenset({"hey", "hi", "hello", "yo", "ok", "okay", "so", "team", "folks", "all",
                     "guys", "everyone", "everybody", "anyone", "anybody", "someone", "bot",
                     "chatops", "sorry", "thanks", "thx", "ty", "also", "btw", "fyi", "ugh",
                     "urgent", "asap", "quick", "question", "update", "again", "yes", "no",
                     "yeah", "yep", "nope", "right", "well", "alright", "sure", "oh", "hmm",
                     "now", "then", "pls", "please", "plz", "ops", "oncall", "sre", "sres",
                     "incident", "sev1", "sev2", "sev3", "p1", "p2", "prod", "production",
                     "staging", "request", "ask", "task", "help", "important", "note",
                     "context", "summary", "tldr", "status", "ping", "heads-up",
                     # Words that come before "can you" without naming anyone.
                     "quickly", "honestly", "seriously", "actually", "anyway", "anyways",
                     "um", "uh", "basically", "really", "urgently", "still", "lastly",
                     "finally", "next", "first", "and", "but", "or", "cool", "great", "nice",
                     "perfect", "awesome", "how", "what", "where", "why", "when",
                     "who", "which", "it", "this", "that", "there", "here", "maybe",
                     "perhaps", "possibly", "kindly", "i", "we", "wondering",
                     # Cries that open a message as a name would ("emergency, please
                     # restart ...": an attacker set's request was refused).
                     "wtf", "omg", "wow", "whoa", "damn", "dang", "crap", "oops", "argh",
                     "aargh", "sos", "yikes", "ouch", "jeez", "gosh", "ah", "aw", "phew",
                     "boom", "alert", "emergency", "mayday", "ack"})


# Handles a team gives a bot or a rota, which the bot answers to: "@ops", "@oncall".
_GROUPS = frozenset({"here", "channel", "everyone", "oncall", "on-call", "chatops", "bot", "ops",
                     "sre", "sres", "devops", "platform", "infra", "k8s", "kube", "team",
                     "ops-bot", "opsbot", "kubebot", "k8s-bot", "helpdesk", "support"})


_TO_SOMEONE = re.compile(r"^\W*(?:(?:hey|hi|yo|ok|so)\W+)?(?:@[\w.-]+|<@\w+(?:\|[^>]*)?>)")
MENTIONED_AS_SUBJECT = re.compile(
    # The rest of the mention ("|carol>", ">") is matched whole or not at all: an optional
    # label then optional spaces could take the same characters (an attacker review: 40,000
    # spaces after "<@U1>|" took 139 s).
    r"(?:\|[^>]*>|>)?\s*(?:says|said|finished|thinks|reports|reported|wants|asked|"
    r"mentioned|noted|checked|verified|reviewed)\b", re.IGNORECASE)
"""What follows a person's mention that makes them the sentence's subject, not the one it
is said to ("<@U1> says it's safe now, restart orders-worker"). Not a decision of theirs
("<@U1> approved"): that is no decision of the writer's either, and stays theirs."""


_OPENING_MENTION = re.compile(r"^\W*(?:(?:hey|hi|hello|yo|ok|okay|so)\W+)?<[@!][^>]*>",
                              re.IGNORECASE)


def opens_with_a_mention(text: str) -> bool:
    """Whether `text` opens by mentioning someone (`<@U1> can you ...`), who is not the
    sentence's subject ("<@U1> says it's safe, restart ..."): a surface that cannot tell
    the bot's own mention from others' (the console) leaves such a message to them."""
    found = _OPENING_MENTION.match(text)
    return found is not None and MENTIONED_AS_SUBJECT.match(text, found.end()) is None


def said_to_someone_else(text: str, spans: Iterable[SlotSpan]) -> bool:
    """Whether `text` opens by addressing a person other than the bot, by a Slack mention
    left in it (the surface takes the bot's own off), an @handle or a name that asks
    "you" (`addressed_elsewhere`)."""
    mention = _TO_SOMEONE.match(text)
    if mention is not None and MENTIONED_AS_SUBJECT.match(text, mention.end()) is None:
        handle = re.findall(r"@([\w.-]+)", mention.group(0))[-1].lower()
        if handle not in _NOBODY | _GROUPS:
            return True
    return addressed_elsewhere(text, spans)


def addressed_elsewhere(text: str, spans: Iterable[SlotSpan]) -> bool:
    """Whether `text` opens by addressing a person other than the bot: an @handle, or a
    name (and a comma) then words that ask "you". A Slack mention that opens a message is
    judged by the surface, which knows the bot's own (`slack.listeners.events`, and
    `opens_with_a_mention` for the console, which has no bot of its own)."""
    found = _ADDRESSED.search(clean_text(text))
    if found is None:
        return False
    name = found.group("name") or found.group("handle") or found.group("bare")
    if name.lower() in _NOBODY or name.lower() in _GROUPS or re.fullmatch(CHANGE, name,
                                                                           re.IGNORECASE):
        return False
    start = found.start(next(g for g in ("name", "handle", "bare") if found.group(g)))
    return not any(span.start <= start < span.end for span in spans)


# Many objects at once: "restart all deployments in payments", "drain every node in pool-b",
# "roll back everything in payments". Each runbook changes one object, and picking one of
# them would be a guess: the bot asks the person to name it instead. The noun counts only
# when it is what the runbook changes ("restart checkout, it fails on all nodes" is one
# restart); "all pods of checkout" is one deployment's restart.
_NOUNS = (r"deployments?|deploys?|apps?|services?|workloads?|pods?|replicas?|nodes?|cronjobs?|"
          r"crons?|jobs?")
_BULK = re.compile(
    r"\b(?:all|every|each|both)\s+(?:\d+\s+)?(?:of\s+)?(?:the\s+|our\s+|my\s+|these\s+|"
    r"those\s+)?(?:[a-z-]+\s+)?(" + _NOUNS + r")\b|"
    # "the deployments in payments", "nodes 3 through 7"
    r"\bthe (deployments|pods|nodes|cronjobs|workloads|apps|services) (?:in|of|on|matching|"
    r"with|labell?ed)\b|\b(deployments|pods|nodes|cronjobs) \S+ (?:through|thru|to|-) \S+|"
    # "make both 1Gi", "both the request and the limit": a plan's two fields, no objects.
    r"\b(everything|every ?thing|all of|both(?!\s+(?:(?:to|at|=)\s*)?[\d.]+\s*(?:[kmgt]i?b?|"
    r"cores?)\b|\s+(?:the\s+|its\s+)?(?:requests?|"
    r"limits?|fields|values)\b)|the whole|cluster-?wide|fleet-?wide|"
    r"across the (?:cluster|board|fleet)|everywhere)\b|"
    # "the three services that went out", "the 4 nodes in pool-b"
    r"\bthe (?:two|three|four|five|six|seven|eight|nine|ten|\d+) (deployments|services|apps|"
    r"workloads|nodes|pods|cronjobs)\b",
    re.IGNORECASE)
# A selector instead of a name, or a kind with no name: "--all", "-l app=api", "matching
# app=api", "--field-selector ...", "kubectl rollout restart deployment -n payments".
_SELECTOR = re.compile(
    r"--all\b|--field-selector\b|--selector\b|(?:^|\s)-l\s+\S+|\bmatching [\w./-]+=|"
    # A range instead of a name: "node-3..node-7".
    r"\b[a-z][\w-]*\.\.[a-z][\w-]*\b|"
    r"\bkubectl\s+[\w-]+(?:\s+[\w-]+)?\s+(?:deployments?|deploy|pods?|po|nodes?|no|"
    r"cronjobs?|cj)\s+(?:-n|--namespace)[\s=]+[\w-]+(?=\s*$|\s+--?[a-z])", re.IGNORECASE)
# Several names in a row: "api, checkout and cart", "node-3, node-4 and node-5". Two
# names need "and" and a dash each ("api-v1 and api-v2"): two plain words are not enough
# ("restart checkout and wait"), nor a name and a quantity ("ledger-api and 2Gi"), and
# "name, name" is as often a name and its namespace ("checkout-api, shop-prod").
_LIST = re.compile(r"(?<![\w.-])[a-z][\w.-]*(?:\s*,\s*[a-z][\w.-]*)+,?\s+(?:and|&)\s+[a-z][\w.-]*|"
                   r"(?<![\w.-])[a-z][\w.]*-[\w.-]*(?:\s*[&+]|\s+and)\s*[a-z][\w.]*-[\w.-]*",
                   re.IGNORECASE)
# Two plain names joined, the second ending the object: "scale api and worker to 0",
# "restart cart & checkout". Not a second order ("restart checkout and wait").
_PAIR = re.compile(r"(?<![\w.-])[a-z][\w.-]*\s+(?:and|&|\+)\s+([a-z][\w.-]*)(?=\s+(?:to|in|on|"
                   r"down|up|back|now|asap|please|pls)\b|\s*[,.!?;]|\s*$)", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"(?:" + CHANGE + r"|wait|watch|see|check|tell|let|report|confirm|"
                         r"verify|post|show|ping|notify|monitor|keep|make|then|also|thanks|"
                         r"thx|ty|retry|try|go|it|them|that|this|everything|done|more|so|"
                         r"again|quickly|fast|hurry|move|proceed|continue|carry|lmk|"
                         r"report back|follow up)s?", re.IGNORECASE)
# A name with a wildcard, as written (cleaning takes "*" for markdown): "api-*".
_WILDCARD = re.compile(r"[\w][-_.]\*(?![\w*])")
_VERB_THEN = re.compile(r"\W*(?:(?:pls|please|can you|could you|just)\s+)*(?:" + CHANGE
                        + r")(?:\s+(?:down|up|back|the|all|of|everything in))*\s+",
                        re.IGNORECASE)
_MANY = {
    "deployment": ("deployment", "deploy", "app", "service", "workload", "pod", "replica"),
    "pod": ("pod", "replica"),
    "node": ("node",),
    "cronjob": ("cronjob", "cron", "job"),
}


def bulk_request(text: str, spans: Iterable[SlotSpan], slots: Iterable[str]) -> str | None:
    """The kind a request asks to change many of at once ("all deployments", "node-3,
    node-4 and node-5", "--all"), when the runbook with `slots` changes one; None
    otherwise."""
    names = set(slots)
    target = next((slot for slot in TARGETS if slot in names), None)
    if target is None:
        return None
    spans = list(spans)
    cleaned = clean_text(text)
    if _SELECTOR.search(cleaned) or _WILDCARD.search(text):
        return target
    targets = [span for span in spans if span.slot == target]
    others = [span for span in spans if span.slot != target]
    for listed in _LIST.finditer(cleaned):
        if not any(listed.start() <= span.start < listed.end() for span in targets):
            continue
        # Items the model tagged as something else are no second target: "checkout-api,
        # shop-prod" is a deployment and its namespace.
        items = [m for m in re.finditer(r"[\w.-]+", listed.group(0))
                 if m.group(0).lower() not in ("and",)
                 and not any(o.start < listed.start() + m.end() and
                             listed.start() + m.start() < o.end for o in others)]
        if len(items) >= 2:
            return target
    if not targets and any(span.slot == "namespace" and _VERB_THEN.fullmatch(
            cleaned[:span.start]) for span in others):
        return target  # "scale staging down to zero overnight": a whole namespace
    for pair in _PAIR.finditer(cleaned):
        second = pair.group(1)
        if (any(pair.start() <= span.start < pair.start(1) for span in targets)
                and not _NOT_A_NAME.fullmatch(second)
                and not any(o.start < pair.end(1) and pair.start(1) < o.end for o in others)):
            return target
    for match in _BULK.finditer(cleaned):
        # A target named on its own is what the request changes ("restart all pods of
        # checkout", "raise checkout's max like all our other services"); one the model
        # tagged inside the phrase ("all deployments") is no name.
        noun = next((g for g in (*match.groups()[:3], match.group(5)) if g),
                    "").lower().rstrip("s")
        # "all of payments", "the whole payments stack": the name right after is the group.
        reach = match.end() + (0 if noun else 1)
        named = [span for span in targets if not match.start() <= span.start <= reach]
        if named or (noun and noun not in _MANY[target]):
            continue
        return target
    return None
