"""A change asked for in part, beside another, or on a condition.

User trials: "drain node-2 but leave the prod pods alone" planned a full drain, which
evicts the prod pods too, with no word about the condition it dropped (a drain evicts
every pod on its node, so one that spares some is refused with what comes close);
"suspend nightly-report and resume it monday 09:00" scheduled the suspend for Monday (two
changes: one plan would drop the other, so neither is planned); "check calc-app in prod and
restart it if it looks bad" planned the restart and dropped the check (the check, a
diagnosis, answers first and offers the fix).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from chatops.conversation.asking import (
    MAIN_CHANGE,
    clauses,
    clauses_ordering,
    names_another,
    names_other_than,
    ruled_out_changes,
)
from chatops.conversation.kinds import SENTENCE_END, TARGETS, clean_text
from chatops.runbook.schema import Runbook

WHOLE = frozenset({"drain_node"})
"""Runbooks that act on everything their object holds: a part cannot be spared."""

_SPARES = re.compile(
    r"\b(?:but|except|excluding|other than|apart from|besides|without)\b[^.?!\n]{0,60}?"
    r"\b(?:leave|leaving|keep|keeping|skip|skipping|spare|sparing|alone|untouched|evict|"
    r"evicting|moving|touch|touching|not)\b"
    r"|\b(?:except|excluding|other than|apart from)\s+(?:for\s+)?(?:the\s+|any\s+)?[\w.-]+",
    re.IGNORECASE)


_IMPLIED: dict[str, frozenset[str]] = {"drain_node": frozenset({"cordon"})}
"""Changes a runbook makes on its way: a drain cordons first ("cordon node-2 and drain
it" is one drain)."""


_SENTENCE = re.compile(r"[.!?\n]+")
_CLAUSE = re.compile(r"[,;:]|\b(?:and|then|so|but)\b", re.IGNORECASE)
_SUBJECT = re.compile(r"^\W*(?:we|i|they|he|she|someone|somebody|you guys|the team)\s+"
                      r"(?:can|could|should|might|may|will|would|need to|have to|'ll|can't)\b",
                      re.IGNORECASE)


# A list item's mark: "1.", "2)", "(a)", "b:" (a dash or a bullet is skipped as any mark
# before the first word is).
_ITEM_MARK = re.compile(r"^\W*\(?(?:\d{1,2}|[a-h])[.):]\s+", re.IGNORECASE)
# Words that put an item in a sequence, before its order: "then scale it to 4", "and also
# cordon node-1", "after that, drain it", "2nd: restart web".
_SEQUENCE = re.compile(r"^\W*(?:(?:and|then|also|next|plus|finally|afterwards|after that|"
                       r"first(?:ly)?|second(?:ly)?|third(?:ly)?|lastly|[23]nd|[23]rd|step \d)"
                       r"\W+)+", re.IGNORECASE)
# An order taken back by the one after it: "restart api. no wait, restart web".
_CORRECTION = re.compile(r"^\W*(?:no|nah|nope|wait|actually|sorry|oops|rather|instead|or|"
                         r"i meant|i mean|scratch that|correction|make that|never ?mind|nvm|"
                         r"forget (?:that|it)|disregard that|ignore that)\b", re.IGNORECASE)
# An order in other words: "we need to cordon node-1", "we have to restart it too".
_WANTED = re.compile(r"^\W*(?:we|i|you)\s+(?:need to|have to|should|must|gotta|got to)\s+",
                     re.IGNORECASE)
# A change verb that is the subject of what happened, not an order: "rollback didn't
# help", "deploy went out at 10", "upgrade to 2.4 broke it", "kill switch is off".
_HAPPENED = re.compile(
    # Not after a determiner: "remove the broken release" is an order (an attacker set).
    r"^\W*(?:\S+\s+){1,3}?(?<!\bthe )(?<!\ba )(?<!\ban )(?<!\bits )(?<!\bour )(?<!\bmy )"
    r"(?<!\bthis )(?<!\bthat )(?:didn[\u2019']?t|did|doesn[\u2019']?t|does|is|isn[\u2019']?t|"
    r"was|wasn[\u2019']?t|were|weren[\u2019']?t|has|hasn[\u2019']?t|had|have|failed|fails|"
    r"worked|works|helped|helps|won[\u2019']?t|will|would|went|goes|took|takes|seems?|"
    r"looks?|fixed|broke|broken|caused|causes|introduced|happened|finished|completed|"
    r"made|changed|succeeded|got|gets|never|already)\b", re.IGNORECASE)


# A subject saying what could or will be done by someone ("we can take it back into
# service now", "I'll restart it later"): no order. "we need to", "we have to", "we
# should" put the order in other words, and count.
_ITEM_SUBJECT = re.compile(r"^\W*(?:we|i|they|he|she|someone|somebody|you guys|the team)\s+"
                           r"(?:can|could|might|may|will|would|'ll|can't|won't)\b|"
                           r"^\W*(?:we|i|they)'ll\b", re.IGNORECASE)
# Another object of the same change, said without its name being one: "restart redis too".
_ANOTHER_TOO = re.compile(r"\b(?:too|as well|also)\b", re.IGNORECASE)
# Items within a line: "restart a; restart b", "restart a \u2022 restart b", "1) restart a
# 2) restart b".
_INLINE_ITEM = re.compile(r";\s*|\s[\u2022\u00b7\u25aa\u2023]\s|\s(?=\(?\d{1,2}\)\s)")


def _items(text: str) -> list[str]:
    """The sentences, lines and list items of `text`."""
    return [item for sentence in SENTENCE_END.split(text)
            for item in _INLINE_ITEM.split(sentence) if item.strip()]


def opening_orders(text: str) -> set[str]:
    """The kinds of change the first clause of `text` opens with ("cordon it, we're
    swapping a disk": the cordon), whatever it goes on to say."""
    cleaned = clean_text(text)
    spans = clauses(cleaned)
    if not spans:
        return set()
    return {kind for kind, _ in clauses_ordering(cleaned[spans[0][0]:spans[0][1]])}


_COMMAND_HAPPENED = re.compile(
    r"^\W*(?:(?:i|we)\s+(?:already\s+)?(?:ran|tried|did|used)\s+)?`*kubectl\s[^.?!`\n]*?`*\s+"
    r"(?:didn[\u2019']?t|did|doesn[\u2019']?t|does|isn[\u2019']?t|wasn[\u2019']?t|was|"
    r"hasn[\u2019']?t|has|had|failed|fails|worked|works|helped|helps|won[\u2019']?t|seems?|"
    r"fixed|broke|changed|succeeded|errored|errors|returned|returns|says|said|gave|gives|"
    r"hangs|hung|timed|times|just|only|still|never|already)\b", re.IGNORECASE)
"""A kubectl command as the subject of what happened ("kubectl rollout restart deploy/api
-n prod didn't help, any idea?": a probe planned the restart)."""


COMMAND_REPORT = 400
"""How many characters of a message a kubectl command and its report are read from."""


def tells_what_happened(text: str) -> bool:
    """Whether `text` opens with a change as the subject of what happened ("rollback didn't
    help", "restart fixed it last time", a kubectl command that "didn't help"), not as an
    order."""
    # The command's report is in its first words; read only those, spaces collapsed (an
    # attacker review: a command padded with 16,000 spaces took 50 s).
    return (bool(opening_orders(text)) and _HAPPENED.match(clean_text(text)) is not None
            ) or _COMMAND_HAPPENED.match(" ".join(text[:COMMAND_REPORT].split())) is not None


def takes_back(text: str, values: Iterable[str]) -> bool:
    """Whether a later sentence or item of `text` takes back what an earlier one asked
    ("restart calc-app in prod. no wait, restart checkout-api", "... sorry, I meant
    calc-app") and names an object other than `values`, those the message is read with:
    the reading is of the part taken back (an attacker review: the restart of calc-app was
    planned). "no wait, also restart web" adds, and counts as another order instead."""
    values = tuple(values)
    for item in _items(text)[1:]:
        cleaned = clean_text(_ITEM_MARK.sub("", item, count=1))
        if (_CORRECTION.match(cleaned) and not _ANOTHER_TOO.search(cleaned[:40])
                and names_other_than(_CORRECTION.sub("", cleaned, count=1), values)):
            return True
    return False


def _orders_elsewhere(sentences: list[str], values: Iterable[str]) -> list[set[str]]:
    """The kinds each sentence or list item of `sentences` orders by opening with a change
    verb ("restart checkout-api in prod", "2. then scale calc-app to 4"), with the own kind
    marked `""` where the item names another object than `values` ("- restart web" after
    "- restart api"); not an order taken back, ruled out or reported."""
    found = []
    for sentence in sentences:
        item = _SEQUENCE.sub("", _ITEM_MARK.sub("", sentence, count=1), count=1)
        cleaned = clean_text(item)
        adds = _CORRECTION.match(cleaned) is not None and _ANOTHER_TOO.search(cleaned[:40])
        if adds:
            # "wait, also restart checkout-api": an order added, not one taken back.
            cleaned = _SEQUENCE.sub("", _CORRECTION.sub("", cleaned, count=1), count=1)
        spans = clauses(cleaned)
        if not spans or _CORRECTION.match(cleaned):
            continue
        opening = cleaned[spans[0][0]:spans[0][1]]
        wanted = _WANTED.match(opening)
        if wanted is not None:
            opening = opening[wanted.end():]  # "we need to cordon node-1 as well"
        kinds = {kind for kind, _ in clauses_ordering(opening)} - ruled_out_changes(item)
        if not kinds or _HAPPENED.match(opening) or _ITEM_SUBJECT.match(opening):
            continue
        another = names_another(opening, values) or _ANOTHER_TOO.search(cleaned)
        found.append(kinds | ({""} if another else set()))
    return found


def orders_by_item(text: str) -> list[frozenset[str]]:
    """The kinds of change each sentence, line or list item of `text` that opens with an
    order orders ("1. show me the pods\n2. restart calc-app": one, the restart), as
    `other_orders` counts them; the reads and the context say none."""
    return [frozenset(kinds - {""}) for kinds in _orders_elsewhere(_items(text), ())]


def other_orders(intent: str, text: str, ordered: Callable[[str], set[str]],
                 makes: dict[str, frozenset[str]],
                 values: Iterable[str] = ()) -> tuple[str, ...]:
    """The kinds of change ordered besides those the runbook `intent` makes (`makes`:
    `asking.RUNBOOK_CHANGES`) in a sentence of `text` that orders one of those too
    (`ordered`: `asking.ordered_changes`): "suspend nightly-report and resume it monday"
    read as the suspend (a user trial scheduled the suspend for Monday); none otherwise.
    Within a sentence: context before the order ("we can take it back into service now.
    please uncordon it") orders nothing of its own.

    Across sentences, lines and list items, each that opens with an order counts:
    "restart checkout-api in prod\nscale calc-app in prod to 4" was planned as a scale of
    checkout-api, a change nobody asked for, and "- restart api\n- restart web" as one of
    the two. An item of the runbook's own kind that names another object than `values`
    (the ones the message is read with) is another change of that kind."""
    own = makes.get(intent, frozenset())
    found: set[str] = set()
    implied = _IMPLIED.get(intent, frozenset())
    items = _orders_elsewhere(_items(text), values)
    if len(items) > 1:
        first = next((kinds for kinds in items if kinds & own), items[0])
        for kinds in items:
            if kinds is first:
                continue
            named = kinds - {""}
            # Of another kind, or of the same (or one the runbook makes on its way: "*
            # cordon node-1\n* drain node-2") on another object.
            found |= (named - own - implied) or (named if "" in kinds else set())
    for sentence in _SENTENCE.split(text):
        # "scale api to 5, no need to restart it": a change ruled out is not ordered.
        kinds = ordered(sentence) - ruled_out_changes(sentence)
        if not kinds & own:
            continue
        # A clause with a subject of its own ("we can take it back into service now")
        # says what could be done, and orders nothing.
        said = {kind for part in _CLAUSE.split(sentence) if _SUBJECT.match(part)
                for kind in ordered(part)}
        found |= kinds - own - said - _IMPLIED.get(intent, frozenset())
    return tuple(sorted(found))


_ON_A_CONDITION = re.compile(
    r"\b(?:if|unless|in case)\s+(?:needed|necessary|required|so|need be)\b"
    r"|\b(?:if|unless|in case|when)\s+(?:it|they|that|this|the\s+[\w.-]+|[\w.-]+)"
    r"(?:\s+(?:in|on)\s+[\w.-]+)?"
    r"(?:['\u2019]s|\s+(?:is|are|still|looks?|seems?|keeps?|stays?))*\s+(?:(?:not|n't)\s+)?"
    r"(?:bad|broken|unhealthy|healthy|down|stuck|crash\w*|fail\w*|wrong|off|weird|flaky|"
    r"flapping|ok|okay|fine|erroring|hung|wedged|slow|dead|borked|busted)\b",
    re.IGNORECASE)


def on_a_condition(text: str) -> bool:
    """Whether `text` asks for its change only if something is so ("if it looks bad", "if
    needed", "if api is down"), not "if you can"."""
    return _ON_A_CONDITION.search(text) is not None


# A change put off to no time the bot can keep, or to the next time something happens:
# "restart orders in shop later", "let's kick it next time", "please restart it if it
# happens again", "should it crash again, roll it back" (each was planned at once, session
# 49). "later today" and "tomorrow" are the time phrases' (`chatops.schedules.timing`).
_PUT_OFF = re.compile(
    r"\b(?:next time|whenever(?! (?:you|u|ready|possible|convenient|there)\b)|at some point|"
    r"eventually|some ?day|one of these days|at some stage|sooner or later|in due course|"
    r"at a later (?:date|point|stage|time)|(?:some )?other time|another (?:time|day)|l8r|"
    r"later this (?:week|month)|next (?:window|release|sprint|maintenance window)|"
    r"post-?incident|after hours|off-?hours|off-?peak|(?:during )?quiet hours|"
    r"once things (?:settle|calm down|quiet down)|when things (?:settle|calm down|quiet down)|"
    # the trouble going on, or the fix failing: "if it keeps crashing", "as a last resort"
    r"(?:if|when|once) (?:it|this|that|they) (?:keeps?|continues?) (?:\w+ing|to \w+)|"
    r"(?:if|when) (?:it|this|that|they) (?:persists?|doesn[\u2019']?t (?:recover|self-heal|help))|"
    r"unless (?:it|this|that|they) (?:recovers?|comes back|gets better)|"
    r"if (?:that|this|the fix|it) (?:doesn[\u2019']?t|does not|won[\u2019']?t) (?:work|help)|"
    r"failing that|as a last resort|if all else fails|"
    r"in (?:the )?future|down the (?:road|line)|"
    r"(?:if|should|when) (?:it|this|that|they|he|she|the [\w.-]+|[\w.-]+) "
    r"(?:[\w\u2019'-]+ ){0,3}?again|"
    r"(?:if|when|whenever|if/when|if or when) (?:it|this|that|they) (?:ever )?"
    r"(?:happens|recurs|comes back|returns|"
    r"repeats|acts up|starts|breaks|fails|crashes|dies|hangs|spikes|goes down|pages|"
    r"alerts|ooms?|flaps)|"
    # a change of a metric no plan can wait for: "if errors climb", "if latency spikes",
    # "when the error rate goes up"
    r"(?:if|when|once|whenever|should) (?:the )?(?:errors?|error rate|latency|traffic|load|"
    r"cpu|memory|p99|p95|5xxs?|queue|lag|alerts?|pager|it|things|[\w.-]+) "
    r"(?:\w+ )?(?:climbs?|spikes?|rises?|goes up|increases?|gets? worse|worsens|fires?|"
    r"pages?|jumps?|grows?|explodes?|degrades?|regresses?|flaps?)(?![\w-])|"
    # a quiet time no plan can wait for: "when it's quiet", "once traffic drops"
    r"(?:when|once|after|whenever) (?:it|things|(?:the )?traffic|(?:the )?load)"
    r"(?:(?:[\u2019']s| is| are| gets?) (?:quiet|quieter|calm|calmer|low|lower)|"
    r" (?:calms?|dies|quiets?) down| drops?)(?![\w-])|"
    r"should (?:it|this|that|they) (?:ever )?(?:happen|recur|come back|return|repeat|act up|"
    r"start|break|fail|crash|die|hang|spike|go down|page|alert|oom|flap)|"
    r"(?<!than )(?<!not )(?:a (?:bit|little) )?later(?: on)?(?=\s*(?:$|[.!?,;:)]|\s+(?:please|"
    r"pls|plz|thanks|thx|ty|if|when|once|after|ok|okay|maybe|perhaps)\b)))(?![\w-])",
    re.IGNORECASE)


def put_off(text: str) -> bool:
    """Whether a clause of `text` that orders a change puts it off to no time the bot can
    keep ("later", "at some point") or to the next time something happens ("next time", "if
    it happens again"), in the clause or in a condition right before or after it; not a
    clause of its own ("restart it, we'll dig into the logs later")."""
    cleaned = clean_text(text)
    bounds = clauses(cleaned)
    for i, (a, b) in enumerate(bounds):
        if not clauses_ordering(cleaned[a:b]):
            continue
        before = cleaned[bounds[i - 1][0]:bounds[i - 1][1]] if i else ""
        after = cleaned[bounds[i + 1][0]:bounds[i + 1][1]] if i + 1 < len(bounds) else ""
        then = cleaned[bounds[i + 2][0]:bounds[i + 2][1]] if i + 2 < len(bounds) else ""
        # "restart it so next time it starts clean": the purpose, not a condition.
        purpose = (i + 1 < len(bounds)
                   and _REASON_OPENS.search(cleaned, b, bounds[i + 1][0]) is not None)
        # Not in the order's reason ("restart it since it eventually OOMs", "... because it
        # fails whenever traffic spikes": a review of session 49's first version).
        reason = _REASON_OPENS.search(cleaned, a, b)
        if (_PUT_OFF.search(cleaned, a, reason.start() if reason else b)
                or _FRAMES_ORDER.match(before)
                or (not purpose and _CONDITION_OPENS.match(after) and _PUT_OFF.search(after)
                    # "...; if it happens again we'll roll back", "... If it breaks again,
                    # page me.": a condition with a consequence of its own
                    and not _OWN_CONSEQUENCE.search(after)
                    and not _OWN_CONSEQUENCE.search(then))):
            return True
    return False


_REASON_OPENS = re.compile(r"\b(?:because|since|as(?= (?:it|the|we|they|this|that|its|our)\b)|so|"
                           r"cause|cuz|bc|to (?:stop|prevent|avoid))\b", re.IGNORECASE)
"""Words that open the reason or purpose of an order: its put-off words are not the order's."""
_OWN_CONSEQUENCE = re.compile(
    r"\b(?:i|we|you|u)(?:[\u2019']ll| will| should| can| could| need to| must)\b|"
    r"\b(?:page|ping|call|tell|notify|alert|message|dm|wake|text|email)\s+(?:me|us|someone|"
    r"the (?:team|on-?call|channel|ic)|@[\w.-]+)\b|\blet[\u2019']?s\b|\bplease\b|\bpls\b|"
    r"\bopen\b|\bescalate\b",
    re.IGNORECASE)
"""A consequence of its own in a condition after an order ("if it fails, ping me")."""


# A put-off phrase that opens the clause before the order: "next time, just restart it",
# "whenever it flaps, cordon node-2", "should it crash again, roll it back", "Should node-1
# report disk pressure. Drain it." (not "should we", which asks, nor "should be fine at 6,
# scale api to 6").
_FRAMES_ORDER = re.compile(r"^\W*(?:next time(?! (?:i|we)\b)|"
                           r"whenever(?! (?:you|u|ready|possible|convenient|there)\b)|"
                           r"should (?:it|this|that|they|the [\w.-]+|"
                           r"[a-z]+[-.\d][\w.-]*) (?:ever )?[a-z]+|"
                           r"if (?:it|this|that|they) .*\bagain)\b", re.IGNORECASE)
# A condition clause after the order: "restart it, if it happens again".
_CONDITION_OPENS = re.compile(r"^\W*(?:if|should|when|whenever|next time)\b",
                              re.IGNORECASE)


# An event the change is to wait for: "after the deploy finishes", "once the migration is
# done", "when the rollout completes", "as soon as the backup job is over". The bot plans
# a change now or at a time, never on something happening (a user trial planned "after the
# deploy finishes, restart web-frontend" at once). A time ("after 6pm") is no event.
_AFTER_EVENT = re.compile(
    r"\b(?:after|once|when|as soon as|whenever)\s+(?:the\s+|our\s+|my\s+|this\s+|"
    r"that\s+|its\s+|it\s+|[\w.-]+\s+)(?:[\w.-]+\s+){0,3}?"
    # What is yet to happen: "finishes", "is done", "has finished", "gets merged"; a past
    # form alone tells what happened ("after the deploy finished, restart it": now).
    r"(?:finishes|completes|lands|ends|merges|passes|succeeds|recovers|rolls out|goes out|"
    r"goes live|comes back|comes up|wraps up|settles|stabili[sz]es|"
    r"(?:is|are|has|have|gets?|has been|have been|will be)\s+"
    r"(?:finished|done|complete|completed|over|landed|merged|deployed|rolled out|live|"
    r"back up|back|green|through|drained|recovered|healthy|up|wrapped up|settled|stable))\b",
    re.IGNORECASE)


def waits_for_event(text: str) -> bool:
    """Whether `text` asks for its change once something has happened ("after the deploy
    finishes, restart web-frontend"), which no plan can wait for."""
    return _AFTER_EVENT.search(text) is not None


# A count now and another later: "scale it to 6 for the sale, back to 3 at 6pm", "bump it
# to 5 and then back down to 3 after lunch" (a user trial; the model read the first count,
# and the plan dropped the second without a word).
_BACK_TO = re.compile(r"\bback\s+(?:down\s+|up\s+)?to\s+\d+\b", re.IGNORECASE)
_TO_COUNT = re.compile(r"\bto\s+\d+\b", re.IGNORECASE)


COUNTED = ("scale_deployment", "set_autoscaling")
"""The changes that set a replica count."""


def count_and_back(text: str) -> bool:
    """Whether `text` asks for a count and then a return to another ("... to 6, then back to
    3"): two changes, one of them later."""
    # Two searches, not one pattern with a lazy gap: "to 1 " 8,000 times took 3.6 s (an
    # attacker review).
    back = _BACK_TO.search(text)
    return back is not None and _TO_COUNT.search(text, 0, back.start()) is not None


_PART_OF = re.compile(r"(?<![\w.:-])\d+\s*(?:of|out of|/)\s*(?:the\s+|its\s+|all\s+)?\d+"
                      r"(?![\w.:-])", re.IGNORECASE)


def part_of_a_count(text: str, read_at: Iterable[int] = ()) -> str | None:
    """The count given as a part of another ("scale 3 of 5 checkout-api pods", "to 2/4")
    when no other count is the new one ("2/4 ready, scale it to 6" has one), or the count
    read (at an offset of `read_at`) is in it ("scale it to 4, 1 of 3 pods is crashing"
    read as 1): two counts, neither said to be the new one (a user trial planned the scale
    to 5). None otherwise."""
    parts = list(_PART_OF.finditer(text))
    if not parts:
        return None
    inside = [at for at in read_at if any(p.start() <= at < p.end() for p in parts)]
    if not inside and any(not any(p.start() <= m.start(1) < p.end() for p in parts)
                          for m in _TO_A_COUNT.finditer(text)):
        return None
    return parts[0].group(0)


_TO_A_COUNT = re.compile(r"\bto\s+(\d+)\b", re.IGNORECASE)


def spares_part(text: str) -> bool:
    """Whether `text` asks to leave part of the change's object as it is ("but leave the
    prod pods alone", "except the ledger pods", "without evicting the db")."""
    return _SPARES.search(text) is not None


def ruled_out(intent: str, text: str, slots: Mapping[str, str]) -> str | None:
    """The change of runbook `intent` when `text` rules it out for the objects it is read
    with (`slots`) or for none named ("cordon node-2 but don't drain it" read as a drain: a
    user trial planned it), else None."""
    main = MAIN_CHANGE.get(intent)
    ruled = ruled_out_changes(text, slots.values()) if main is not None else set()
    return main if main in ruled else None


def ordered_instead(intent: str, text: str, slots: Mapping[str, str],
                    runbooks: Mapping[str, Runbook]) -> tuple[str, dict[str, str]] | None:
    """The runbook and values of the one change `text` orders besides the one it rules out
    (the cordon of "cordon node-2 but don't drain it"), when exactly one runbook is named for
    it, the values of `slots` (read as `intent`) name its object, and its clause names no
    other ("don't suspend it in staging, resume it in prod": the values are of the change
    ruled out, an attacker review); else None."""
    ruled = ruled_out_changes(text, slots.values())
    ordering = [(kind, clause) for kind, clause in clauses_ordering(text) if kind not in ruled]
    named = [name for name, main in MAIN_CHANGE.items()
             if main in {kind for kind, _ in ordering} and name in runbooks and name != intent]
    if len(named) != 1:
        return None
    runbook = runbooks[named[0]]
    values = {k: v for k, v in slots.items() if k in runbook.slots and v}
    if not any(spec.type in TARGETS and values.get(name)
               for name, spec in runbook.slots.items()):
        return None
    main = MAIN_CHANGE[runbook.name]
    if any(kind == main and names_another(clause, values.values())
           for kind, clause in ordering):
        return None
    return runbook.name, values
