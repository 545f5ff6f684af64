"""Talk around a change: messages that name a change the bot can make without asking for it.

In an incident channel most sentences that name a restart, a rollback or a drain are not
requests to the bot: the writer's own plans ("I'll bounce checkout after lunch"), reports
("the HPA scaled it to 10 overnight"), questions to people ("should we roll back?", "who
drained node-3?"), prohibitions ("nobody restart ledger until the migration is done"),
words for a colleague ("dave, can you ..."), quoted commands and runbook steps,
hypotheticals, relays and timelines. A model trained only on imperative requests (and on
out-of-scope messages about other things) reads all of them as the runbook. The word rules
in `chatops/conversation/` catch the shapes they spell; four attackers showed that shapes
they do not spell get through, and that rules fitted to one attacker barely transfer to the
next (BENCHMARKS.md, "the guards against a fourth attacker").

This module writes that talk as out-of-scope training data, for every runbook that changes
something: the same verbs, targets and names as the requests, in frames that do not ask
(`TalkWriter.talk`). So that the model learns the difference and not the words, it also
writes the contrast: the same kind of talk used as *context* before a real request, which
keeps the runbook's label (`TalkWriter.context`: "we bounced it an hour ago and it is
crashlooping again. restart checkout in prod").

The frames are generic incident-channel English written from the product's policy (what
the guards' docstrings say is talk), never from an evaluation or review set.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from finetune.lexicon import Lexicon
from finetune.paraphrase import Piece


@dataclass(frozen=True)
class Verb:
    """One way to say a change: base, past, participle and gerund forms ("roll back",
    "rolled back", "rolled back", "rolling back"). `passive`: whether "X was <participle>"
    reads naturally (not for "set the image of")."""

    base: str
    past: str
    participle: str
    gerund: str
    passive: bool = True


def _v(base: str, past: str, gerund: str, participle: str | None = None,
       passive: bool = True) -> Verb:
    return Verb(base, past, participle or past, gerund, passive)


@dataclass(frozen=True)
class Change:
    """A runbook that changes something: how to say it and what it is done to."""

    intent: str
    verbs: tuple[Verb, ...]
    target: str
    """The slot that names the object (deployment, pod, node, cronjob)."""
    tails: tuple[str, ...] = ("",)
    """What follows the object, with `{slot}` fields ("to {replicas}")."""
    namespaced: bool = True


CHANGES: tuple[Change, ...] = (
    Change("restart_deployment", (
        _v("restart", "restarted", "restarting"), _v("bounce", "bounced", "bouncing"),
        _v("recycle", "recycled", "recycling"), _v("kick", "kicked", "kicking"),
        _v("cycle", "cycled", "cycling"), _v("reboot", "rebooted", "rebooting"),
        _v("do a rolling restart of", "did a rolling restart of", "doing a rolling restart of",
           "", passive=False),
    ), "deployment"),
    Change("scale_deployment", (
        _v("scale", "scaled", "scaling"), _v("resize", "resized", "resizing"),
    ), "deployment", (" to {replicas}", " up to {replicas}", " down to {replicas}",
                      " to {replicas} replicas", " to {replicas} pods")),
    Change("rollback_deployment", (
        _v("roll back", "rolled back", "rolling back"), _v("revert", "reverted", "reverting"),
        _v("rollback", "rolled back", "rolling back"),
    ), "deployment", ("", "", " to revision {revision}", " to the previous version")),
    Change("set_image", (
        _v("bump", "bumped", "bumping"), _v("update", "updated", "updating"),
        _v("upgrade", "upgraded", "upgrading"), _v("move", "moved", "moving"),
        _v("set the image of", "set the image of", "setting the image of", "", passive=False),
        _v("pin", "pinned", "pinning"),
    ), "deployment", (" to {image}",)),
    Change("set_resources", (
        _v("raise the memory limit of", "raised the memory limit of",
           "raising the memory limit of", "", passive=False),
        _v("bump the memory of", "bumped the memory of", "bumping the memory of", "",
           passive=False),
    ), "deployment", (" to {memory_limit}",)),
    Change("set_resources", (
        _v("lower the cpu request of", "lowered the cpu request of",
           "lowering the cpu request of", "", passive=False),
        _v("give more cpu to", "gave more cpu to", "giving more cpu to", "", passive=False),
    ), "deployment", (" to {cpu_request}", "")),
    Change("set_autoscaling", (
        _v("set the hpa of", "set the hpa of", "setting the hpa of", "", passive=False),
        _v("change the autoscaling of", "changed the autoscaling of",
           "changing the autoscaling of", "", passive=False),
        _v("cap the hpa of", "capped the hpa of", "capping the hpa of", "", passive=False),
    ), "deployment", (" to max {max_replicas}", " to min {min_replicas} max {max_replicas}")),
    Change("delete_pod", (
        _v("delete", "deleted", "deleting"), _v("kill", "killed", "killing"),
        _v("evict", "evicted", "evicting"), _v("nuke", "nuked", "nuking"),
        _v("remove", "removed", "removing"),
    ), "pod"),
    Change("cordon_node", (_v("cordon", "cordoned", "cordoning"),), "node", namespaced=False),
    Change("uncordon_node", (_v("uncordon", "uncordoned", "uncordoning"),), "node",
           namespaced=False),
    Change("drain_node", (_v("drain", "drained", "draining"),), "node", namespaced=False),
    Change("suspend_cronjob", (
        _v("suspend", "suspended", "suspending"), _v("pause", "paused", "pausing"),
        _v("disable", "disabled", "disabling"),
    ), "cronjob"),
    Change("resume_cronjob", (
        _v("resume", "resumed", "resuming"), _v("unpause", "unpaused", "unpausing"),
        _v("re-enable", "re-enabled", "re-enabling"), _v("unsuspend", "unsuspended",
                                                         "unsuspending"),
    ), "cronjob"),
)

# Fields: {do} {did} {doing} (verb + object + tail in that form), {obj} (object and tail
# for passives, as "{obj} was {pp}" cannot keep the tail after the object: see _passive),
# {who} {ctl} {later} {ago} {cond} {time} {why}.
_FRAMES: Mapping[str, tuple[str, ...]] = {
    "plan": (
        "I'll {do} {later}", "gonna {do} {later}", "I'm going to {do} {later}",
        "planning to {do} {later}", "we'll {do} once {cond}", "about to {do}, heads up",
        "heads up: {doing} in 5 min", "I'm {doing} now, will report back",
        "{who} will {do} {later}", "{who} is {doing} right now", "we plan to {do} {later}",
        "my plan is to {do} {later}", "going to {do} after the standup",
        "fyi I'm about to {do}", "I was thinking of {doing} {later}",
        "tomorrow we {do} as part of the maintenance", "objections to {doing} {later}?",
        "will {do} myself {later}", "{who} and I are {doing} in a bit",
        "next I'm {doing}, then checking the dashboards",
    ),
    "report": (
        "{who} {did} {ago}", "I {did} {ago}", "we {did} {ago} and it helped",
        "just {did}, watching it now", "already {did}", "fyi {did} {ago}",
        "{passive} {ago}", "{passive} by {who} {ago}", "{passive} by the {ctl}",
        "the {ctl} {did} {ago}", "looks like the {ctl} {did}", "{ctl} keeps {doing}",
        "{who} {did} {ago}, that's why the alerts stopped",
        "we {did} {ago} but it didn't fix anything", "ok so {who} already {did}",
        "for the record: I {did} at {time}", "the {ctl} must have {did_pp}",
        "someone {did} without telling anyone", "{who} has {did_pp}",
        "I think someone {did} {ago}", "done - {did} {ago}", "that was me, I {did}",
        "the last time we {did} was {ago}", "nope, {who} {did} {ago}",
    ),
    "question": (
        "should we {do}?", "should I {do}?", "is it worth {doing}?", "why did {who} {do}?",
        "who {did}?", "when did we last {do}?", "did anyone {do}?", "did the {ctl} {do}?",
        "what happens if we {do}?", "would {doing} help?", "does {doing} drop connections?",
        "how long does {doing} usually take?", "any reason not to {do}?",
        "has anyone tried {doing}?", "do we really need to {do}?",
        "was it a good idea to {do}?", "why would anyone {do}?",
        "is {doing} safe during peak?", "who decided to {do}?",
        "what did {doing} fix last time?", "which version did we get after {doing}?",
        "wait, {passive}?", "is it normal that {passive} {ago}?",
    ),
    "negated": (
        "don't {do}", "do not {do}", "no need to {do}", "please don't {do} until {cond}",
        "let's not {do}", "hold off on {doing}", "we shouldn't {do}", "nobody {do} please",
        "never {do} during business hours", "stop {doing}, it makes it worse",
        "I would not {do} right now", "no one should {do} until {cond}",
        "we agreed not to {do}", "don't even think about {doing}",
        "under no circumstances {do}", "avoid {doing} until {cond}",
        "DO NOT {do}", "pls no {doing} today", "we are NOT {doing}",
    ),
    "addressed": (
        "{who}, can you {do}", "{who}: please {do}", "@{who_handle} could you {do} {later}",
        "{who} pls {do} when you're back", "{who} would you {do}?",
        "hey {who}, mind {doing}?", "{who} - {do} when you get a sec",
        "{who}, you have access, can you {do}?", "@{who_handle} {do} pls",
    ),
    "quoted": (
        "> {do}", "the runbook says: {do}", "step 3 in the doc: {do}",
        "{who} wrote \"{do}\" in the other channel", "the alert suggests {doing}",
        "pasting from the wiki: \"{do}\"", "old note in the doc says '{do}'",
        "the playbook's last step is {doing}", "someone in #general said \"just {do}\"",
        "the ticket title is \"{do}\"", "copying the checklist: 1. {do} 2. verify",
        "from the postmortem action items: {do}",
    ),
    "hypothetical": (
        "if {cond}, we might have to {do}", "we could {do} but {why}",
        "maybe {doing} would help, not sure", "in theory we could {do}",
        "worst case we {do}", "if I were you I'd {do}", "{doing} might be an option later",
        "one option is {doing}, another is waiting", "if this keeps up {who} will {do}",
        "we may end up {doing} {later}", "if it gets worse I'd {do}, but not yet",
        "imagine we {did}, would it even help?", "had we {did}, we'd be fine now",
    ),
    "relay": (
        "{who} said to {do}", "{who} wants us to {do}", "the IC asked {who} to {do}",
        "according to {who} we need to {do}", "{who} suggested {doing}",
        "{who} mentioned {doing} {later}", "the vendor told us to {do}",
        "{who}'s proposal is to {do}", "support is asking whether we can {do}",
    ),
    "timeline": (
        "{time} {who} {did}", "- {time}: {did}", "postmortem: at {time} we {did}",
        "timeline: {time} {passive}", "{time} - {did}, errors dropped",
        "{time} {passive}; {time2} alerts resolved", "at {time} the {ctl} {did}",
    ),
    "sarcasm": (
        "sure, let's just {do} again, what could go wrong",
        "yeah because {doing} fixed it so well last time lol",
        "classic, someone {did} and now everything is on fire",
        "oh great, the {ctl} {did} again :upside_down_face:",
        "let me guess, we're {doing} again", "ah yes, the ancient ritual of {doing}",
    ),
    "status": (
        "{doing} is done, all green", "{doing} is still in progress",
        "{doing} finished {ago}", "{doing} failed {ago}, looking into it",
        "the {ctl} is {doing}", "{passive} and everything looks fine now",
        "status: {did}, monitoring", "update: we {did}, errors are down",
    ),
}

# Talk used as context before a real request: the request keeps its runbook label. `it`
# refers to the request's target (or to nothing the model should tag).
_CONTEXT: tuple[str, ...] = (
    "we {did_it} an hour ago and it's crashlooping again",
    "{who} {did_it} this morning, didn't help",
    "I was going to {do_it} myself but I'm on my phone",
    "the {ctl} {did_it} overnight and now it's stuck",
    "I {did_it} earlier but that was before the config change", "{who} said we should {do_it}",
    "the runbook says to {do_it}", "it was {pp} at {time} and it's still broken",
    "we should have {did_pp_it} yesterday", "I know we {did_it} last week",
    "don't worry, {who} approved it", "not sure {doing_it} will help, but let's try",
    "nobody has {did_pp_it} yet", "{who} asked me to sort it out",
    "I can't {do_it} myself, I'm not on the admin group",
    "last time {doing_it} fixed it", "we were going to {do_it} tomorrow but it can't wait",
)
_JOINS = (". ", ", so ", " - ", ". ok, ", "\n", ". anyway, ", "; ", ". please ")
# The kinds of talk that say what happened, without a plan or a question of their own:
# what may come before a reply to a waiting plan (`TalkWriter.told`).
_TOLD = ("report", "status", "timeline")

# Requests with a remark around them that is no request itself: a reason after the request
# ("restart checkout, it's holding a lock"), a remark before it, negated or not ("don't
# panic, just restart checkout"), or the change said as a need ("going to need checkout
# restarted"). Without them, talk teaches the model that any second clause is talk.
_REASONS = (
    "it's stuck on an old config", "traffic is spiking", "it's holding a lock",
    "the config changed", "it's been flapping all morning", "we need the capacity back",
    "the new secret is in", "the last deploy broke it", "customers are seeing 500s",
    "it leaks memory since the last release", "the queue lag is at 2M",
    "the node has a bad disk", "the upstream api is down", "the schedule was wrong",
    "latency is through the roof", "the db just failed over", "the cache is poisoned",
    "the redis statefulset is fine", "the pvc is almost full", "the hpa is maxed out",
    "the configmap was updated", "the certs were rotated", "it's not data loss",
    "we're bisecting the build", "nobody is using it right now", "the vendor confirmed the fix",
    "the load test starts at 5", "it's quota-bound", "the incident doc has the details",
    "the error budget is gone", "it keeps timing out on the health check",
)
_REASON_JOINS = (", ", " - ", " \u2014 ", ". ", " because ", ", since ", " as ", "; ")
_REMARKS = (
    "don't panic,", "no need to page anyone,", "not urgent but", "whatever it is,",
    "either way,", "forget the dashboard,", "don't bother with the logs,", "no idea why, but",
    "long story short,", "no rush,", "not sure it helps, but", "ok never mind the graphs,",
    "don't ask,", "nothing else to change,", "we don't need a postmortem for this,",
    "whoever approved the last deploy,", "no, not the db -", "never mind what I said,",
    "ignore the noise above,", "i don't care about the root cause yet,",
)
# Something else that happened or holds, said before the request: a report that is not
# about the change asked for ("env vars were updated, restart checkout"). Talk reports
# changes in the same tenses, so without these a report before a request reads as talk.
_STATUS = (
    "the new secret is in", "env vars were updated {ago}", "the configmap was changed {ago}",
    "the new build leaks sockets", "{who} attached a new volume to the node",
    "the db failed over at {time}", "the certs were rotated {ago}",
    "{who} flipped the feature flag back", "the vendor pushed a fix {ago}",
    "v42 went out at {time}", "the annotations look wrong since the last release",
    "the 14:05 deploy was rolled out to every region", "the kafka statefulset looks fine",
    "{who} already checked the logs", "the alert fired again at {time}",
    "traffic doubled {ago}", "memory has been climbing since {time}",
    "the pipeline finished {ago}", "{who} approved it in the incident doc",
    "the quota was raised {ago}", "the upstream api recovered", "it has to happen now",
)
_STATUS_JOINS = (". ", ", ", " - ", "; ", ". so ", "\n", ". ok ")
_NEEDS = ("going to need", "I need", "we need", "need", "I'll need", "gonna need", "we'll need",
          "I want", "I'd like")

# Teams and rotas too, in every frame: talk addressed to a person only (the guards' policy
# reads "team, can we ..." and "@oncall" as addressing the bot) let more talk past the
# guards on a ninth attacker's set (BENCHMARKS.md, rule 7).
_PEOPLE = ("Sarah", "dave", "Priya", "marco", "Chen", "fatima", "Tom", "jonas", "Aiko", "Lena",
           "Raj", "mike", "Ola", "Kenji", "Noor", "ben", "Ines", "the IC", "the on-call",
           "Alex", "sam", "Yuki", "the db team", "platform", "the SRE on shift")
_CONTROLLERS = ("HPA", "autoscaler", "cluster-autoscaler", "operator", "argo rollout",
                "argocd sync", "flux", "CI pipeline", "deploy pipeline", "keda scaler",
                "descheduler", "chaos job", "nightly job", "spot interruption handler",
                "karpenter", "release bot", "github action", "kured")
_LATER = ("tonight", "after lunch", "in 10 min", "tomorrow morning", "later today",
          "after the freeze", "once traffic drops", "at 18:00", "on monday", "in a bit",
          "after the deploy", "during the maintenance window", "when the batch finishes",
          "after standup", "next week", "")
_AGO = ("an hour ago", "this morning", "yesterday", "at 03:12", "last night", "earlier",
        "10 min ago", "twice today", "on friday", "right before the alert", "just now",
        "a few minutes ago", "last week")
_COND = ("the migration is done", "traffic drops", "the freeze lifts", "the IC says so",
         "we have a root cause", "the batch finishes", "payments signs off",
         "the error rate is below 1%", "it happens again", "the vendor confirms")
_WHY = ("it won't fix the root cause", "it drops in-flight requests", "the cache is cold",
        "the db is still migrating", "we tried that already", "it's peak traffic")

_FIELD = re.compile(r"\{(\w+)\}")


def _with_fields(text: str, fill: Callable[[str], list[Piece]]) -> list[Piece]:
    """`text` cut at its `{field}`s, each replaced by what `fill` gives for it."""
    out: list[Piece] = []
    pos = 0
    for match in _FIELD.finditer(text):
        out.append(Piece(text[pos:match.start()]))
        out.extend(fill(match.group(1)))
        pos = match.end()
    out.append(Piece(text[pos:]))
    return [p for p in out if p.text]


class TalkWriter:
    """Writes talk around the changes the catalogue can make, with names from `lexicon`.

    `slot_types` maps each slot of the catalogue to its type (as the runbooks declare it),
    so values are drawn the way the requests' values are.
    """

    def __init__(self, rng: random.Random, lexicon: Lexicon, slot_types: Mapping[str, str],
                 intents: Sequence[str]) -> None:
        self._rng = rng
        self._lexicon = lexicon
        self._types = dict(slot_types)
        self._changes = tuple(c for c in CHANGES if c.intent in set(intents))
        self._intents = tuple(dict.fromkeys(c.intent for c in self._changes))
        self._kinds = tuple(sorted(_FRAMES))

    @property
    def intents(self) -> tuple[str, ...]:
        """The runbooks this writer talks about (those of the catalogue it was given)."""
        return self._intents

    def _value(self, slot: str) -> Piece:
        slot_type = self._types.get(slot, slot)
        return Piece(self._lexicon.value(slot, slot_type), slot)

    def _object(self, change: Change) -> list[Piece]:
        r = self._rng
        pieces = [self._value(change.target)]
        if change.namespaced and r.random() < 0.75:
            form = r.choice((" in {}", " in {}", " in the {} namespace", " -n {}", " ({})",
                             " on {}"))
            head, _, tail = form.partition("{}")
            pieces += [Piece(head), self._value("namespace"), Piece(tail)]
        return pieces

    def _tail(self, change: Change) -> list[Piece]:
        return self._fields_of(self._rng.choice(change.tails))

    def _fields_of(self, text: str) -> list[Piece]:
        """`text` with its `{slot}` fields as tagged values."""
        return _with_fields(text, lambda slot: [self._value(slot)])

    def _people(self) -> dict[str, str]:
        r = self._rng
        who = r.choice(_PEOPLE)
        t1, t2 = sorted(r.randint(0, 23) * 60 + r.randint(0, 59) for _ in range(2))
        return {
            "who": who, "who_handle": who.split()[-1].lower(), "ctl": r.choice(_CONTROLLERS),
            "later": r.choice(_LATER), "ago": r.choice(_AGO), "cond": r.choice(_COND),
            "why": r.choice(_WHY), "time": f"{t1 // 60:02d}:{t1 % 60:02d}",
            "time2": f"{t2 // 60:02d}:{t2 % 60:02d}",
        }

    def _render(self, frame: str, forms: Callable[[str], list[Piece] | None]) -> list[Piece]:
        words = self._people()

        def fill(field: str) -> list[Piece]:
            pieces = forms(field)
            return pieces if pieces is not None else [Piece(words[field])]

        # An empty {later}/{ago} leaves a double or trailing space.
        merged: list[Piece] = []
        for piece in _with_fields(frame, fill):
            if piece.slot is None and merged and merged[-1].slot is None:
                merged[-1] = Piece(merged[-1].text + piece.text)
            else:
                merged.append(Piece(piece.text, piece.slot))
        for piece in merged:
            if piece.slot is None:
                piece.text = re.sub(r" {2,}", " ", piece.text)
        if merged and merged[0].slot is None:
            merged[0].text = merged[0].text.lstrip()
        if merged and merged[-1].slot is None:
            merged[-1].text = re.sub(r"\s+([?.,!])?$", r"\1", merged[-1].text)
            merged[-1].text = merged[-1].text.rstrip()
        return [p for p in merged if p.text]

    def _pick(self) -> tuple[Change, Verb]:
        change = self._rng.choice(self._changes)
        return change, self._rng.choice(change.verbs)

    def talk(self, kind: str | None = None) -> tuple[str, list[Piece]]:
        """One message that talks about a change without asking for it: (intent talked
        about, pieces with the names tagged)."""
        r = self._rng
        kind = kind or r.choice(self._kinds)
        change, verb = self._pick()
        frames = _FRAMES[kind]
        frame = r.choice(frames)
        if not verb.passive:
            # "{passive}" needs "X was <participle>": another verb of the change, or
            # another frame.
            passive = [v for v in change.verbs if v.passive]
            if "{passive}" in frame and passive:
                verb = r.choice(passive)
            while "{passive}" in frame and not passive:
                frame = r.choice(frames)
        obj = self._object(change)
        tail = self._tail(change)

        def forms(field: str) -> list[Piece] | None:
            phrase = {"do": verb.base, "did": verb.past, "doing": verb.gerund,
                      "did_pp": verb.participle}.get(field)
            if phrase is not None:
                return [Piece(phrase + " "), *obj, *tail]
            if field == "passive":
                aux = r.choice((" was ", " got ", " has been ", " was just ", " was already "))
                return [*obj, Piece(aux + verb.participle), *tail]
            return None

        return change.intent, self._render(frame, forms)

    def told(self) -> list[Piece]:
        """Something that happened to a change, said before a reply to a waiting plan
        ("Priya restarted checkout an hour ago. go ahead"): a report, a status or a
        timeline line, with a join after it."""
        r = self._rng
        _intent, pieces = self.talk(r.choice(_TOLD))
        return [*pieces, Piece(r.choice(_JOINS[:5]))]

    def reason(self) -> list[Piece]:
        """A reason to put after a request ("..., it's holding a lock")."""
        r = self._rng
        return [Piece(r.choice(_REASON_JOINS) + r.choice(_REASONS))]

    def remark(self) -> list[Piece]:
        """A remark to put before a request that asks nothing itself ("don't panic,")."""
        r = self._rng
        return [Piece(r.choice(_REMARKS) + r.choice((" just ", " ", " please ")))]

    def status(self) -> list[Piece]:
        """Something else that happened, to put before a request ("env vars were updated,")."""
        r = self._rng
        pieces = self._render(r.choice(_STATUS), lambda _field: None)
        return [*pieces, Piece(r.choice(_STATUS_JOINS))]

    def need(self, intent: str) -> list[Piece] | None:
        """The change `intent` makes said as a need: "going to need X restarted (to 3)";
        None when it has no such form."""
        r = self._rng
        changes = [c for c in self._changes if c.intent == intent]
        verbs = [(c, v) for c in changes for v in c.verbs if v.passive]
        if not verbs:
            return None
        change, verb = r.choice(verbs)
        return [Piece(r.choice(_NEEDS) + " "), *self._object(change),
                Piece(" " + verb.participle), *self._tail(change)]

    def context(self, intent: str) -> list[Piece] | None:
        """Talk about the change `intent` makes, said of "it", to put before a request for
        that change; None when the catalogue has no such change."""
        r = self._rng
        changes = [c for c in self._changes if c.intent == intent]
        if not changes:
            return None
        change = r.choice(changes)
        verb = r.choice([v for v in change.verbs if v.passive] or change.verbs)
        frame = r.choice(_CONTEXT)

        def forms(field: str) -> list[Piece] | None:
            phrase = {"do_it": verb.base, "did_it": verb.past, "doing_it": verb.gerund,
                      "did_pp_it": verb.participle}.get(field)
            if phrase is not None:
                return [Piece(f"{phrase} it")]
            if field == "pp":
                return [Piece(verb.participle)]
            return None

        pieces = self._render(frame, forms)
        pieces.append(Piece(r.choice(_JOINS)))
        return pieces
