"""Training data for the joint intent/slot model, generated from the runbook catalogue.

Every runbook example utterance (`scale [checkout](deployment) in [prod](namespace) to
[5](replicas)`) is a *template*: its slot values are replaced with names drawn from
realistic lexicons, and the text is augmented the way people type in Slack (casing,
typos, filler words, mentions, backticks, emoji). Meta intents and out-of-scope requests
come from the hand-written lists in `finetune.phrases`.

The dev split holds out whole templates (by template id) and a share of the lexicon
values, so it measures phrasings and names the model has not seen. Everything is
deterministic for a given seed.

Samples are whitespace words with BIO tags (see `intents.text.split_words`); each also
keeps its original text and the character spans of its slots in that text.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from chatops.model import META_INTENTS, OUT_OF_SCOPE, SlotSpan
from chatops.runbook.catalogue import catalogue_fingerprint
from chatops.runbook.markup import parse_markup as catalogue_markup
from finetune.lexicon import Lexicon
from finetune.paraphrase import Paraphraser, Piece
from finetune.phrases import META_PHRASES, OOS_GENERATED, OOS_HARD_NEGATIVES, OOS_PHRASES
from finetune.talk import TalkWriter
from intents.emoji import as_word
from intents.text import normalise, split_words

MarkupParser = Callable[[str], tuple[str, tuple[SlotSpan, ...]]]


class SlotSpecLike(Protocol):
    """The parts of a runbook slot declaration that data generation needs."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def choices(self) -> Sequence[str] | None: ...


class RunbookLike(Protocol):
    """The parts of a runbook that data generation needs."""

    @property
    def name(self) -> str: ...
    @property
    def risk(self) -> object: ...
    @property
    def slots(self) -> Mapping[str, SlotSpecLike]: ...
    @property
    def examples(self) -> Sequence[str]: ...


class CatalogueLike(Protocol):
    """A runbook catalogue (`chatops.runbook.catalogue.Catalogue`)."""

    @property
    def runbooks(self) -> Mapping[str, RunbookLike]: ...


@dataclass(frozen=True)
class Sample:
    """One labelled utterance: words with BIO tags and an intent.

    `text` and `spans` are the utterance as a user would type it (SNIPS/ATIS samples have
    the space-joined words there and no spans).
    """

    words: tuple[str, ...]
    tags: tuple[str, ...]
    intent: str
    text: str = ""
    spans: tuple[SlotSpan, ...] = ()
    template: str = ""


@dataclass(frozen=True)
class Template:
    """A phrasing to fill: plain text, its slot spans, and the slot types to draw from."""

    id: str
    intent: str
    text: str
    spans: tuple[SlotSpan, ...]
    slot_types: Mapping[str, str] = field(default_factory=dict)
    slot_choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class GenerationConfig:
    """How much data to generate and how noisy to make it."""

    seed: int = 13
    per_intent_train: int = 280
    per_intent_dev: int = 60
    meta_train: int = 160
    meta_dev: int = 40
    oos_train: int = 2400
    oos_dev: int = 400
    dev_template_share: float = 0.2
    augment_prob: float = 0.55
    paraphrase_prob: float = 0.6
    """Share of the augmented samples also paraphrased (`finetune.paraphrase`): synonyms,
    name references, context sentences and politeness leads."""
    long_prob: float = 0.1
    """Share of the paraphrased samples wrapped into a long message (45-95 words)."""
    antecedent_prob: tuple[float, float] = (0.0, 0.0)
    """Share of the paraphrased runbook samples (short, long) whose target (or only its
    namespace) is named in a context sentence before the request, which refers back to it
    ("We paused nightly-export on Friday. Please resume the cronjob in billing"). Off: at
    (0.08, 0.5) four seeds gained 9-12 points on long messages but not enough overall to
    pass the rule set for shipping (BENCHMARKS.md, "NLU: antecedents")."""
    composed_durations: bool = False
    """Durations also written as any number with any unit spelling ("45 minutes", "3hrs")
    besides the listed ones. Off: tried with antecedents, see above."""
    meta_context_prob: float = 0.3
    """Share of the meta samples (confirm, cancel, deny, undo) given context sentences."""
    force_long: bool = False
    """Every sample (first pass included) is a long message: a long-text test set."""
    rounds: int = 1
    """The training samples are drawn this many times over, each round with its own names,
    paraphrases and noise (the counts above are per round): training for one pass over
    three rounds costs what three epochs over one round cost, and shows the model three
    times as many different messages."""
    train_on_dev_templates: bool = False
    """Also train on the held-out templates (for the shipped model: every phrasing the
    catalogue has is worth learning). The dev set then measures unseen *names* only."""
    talk: int = 0
    """Per round: this many out-of-scope messages that talk about a change the catalogue can
    make without asking for it (`finetune.talk`), and `talk_requests` times as many requests
    with talk or a remark around them (they keep their runbook). Training only (dev is
    unchanged), drawn with their own random stream after everything else, so the rest of
    the data is the same as without. None here; the shipped recipe has some
    (`finetune.recipe.TALK`, what `chatops nlu train` uses), as it has three rounds where
    this has one."""
    talk_requests: float = 1.0
    """Requests written around talk, per talk message (see `talk`)."""
    talk_status: float = 0.0
    """Share of those requests that follow a report of something else ("env vars were
    updated, restart checkout"). At 0 no draw is made, so the data is as before it
    existed."""
    talk_replies: float = 0.0
    """Replies to a waiting plan (confirm, cancel, deny) after talk that says what happened
    ("Priya restarted checkout an hour ago. go ahead"), per talk message: without them,
    talk teaches the model that a report of a change is all a message says. At 0 no draw
    is made, so the data is as before it existed."""

    def __post_init__(self) -> None:
        if self.rounds < 1:
            raise ValueError(f"rounds must be at least 1, not {self.rounds}")
        if (self.talk < 0 or self.talk_requests < 0 or self.talk_replies < 0
                or not 0 <= self.talk_status <= 1):
            raise ValueError("talk, talk_requests and talk_replies must not be negative and "
                             f"talk_status must be a share, not {self.talk}, "
                             f"{self.talk_requests}, {self.talk_replies} and "
                             f"{self.talk_status}")


@dataclass(frozen=True)
class Dataset:
    """Generated train/dev samples and the label vocabularies."""

    train: tuple[Sample, ...]
    dev: tuple[Sample, ...]
    intents: tuple[str, ...]
    slot_labels: tuple[str, ...]
    risks: Mapping[str, str]
    fingerprint: Mapping[str, tuple[str, ...]]
    all_templates: bool = False
    rounds: int = 1
    antecedent_prob: tuple[float, float] = (0.0, 0.0)
    composed_durations: bool = False
    talk: int = 0
    talk_requests: float = 1.0
    talk_status: float = 0.0
    talk_replies: float = 0.0


def _stable_fraction(key: str, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def templates_from_catalogue(
    catalogue: CatalogueLike, parse_markup: MarkupParser
) -> list[Template]:
    """One template per runbook example utterance, ids `runbook#index`."""
    templates: list[Template] = []
    for name in sorted(catalogue.runbooks):
        runbook = catalogue.runbooks[name]
        types = {slot: spec.type for slot, spec in runbook.slots.items()}
        choices = {
            slot: tuple(spec.choices) for slot, spec in runbook.slots.items() if spec.choices
        }
        for i, example in enumerate(runbook.examples):
            text, spans = parse_markup(example)
            templates.append(Template(f"{name}#{i}", name, text, tuple(spans), types, choices))
    return templates


def phrase_templates() -> list[Template]:
    """Templates for the meta intents and the out-of-scope class."""
    templates: list[Template] = []
    for intent in META_INTENTS:
        for i, phrase in enumerate(META_PHRASES[intent]):
            text, spans = catalogue_markup(phrase)
            templates.append(Template(f"{intent}#{i}", intent, text, spans))
    for i, phrase in enumerate((*OOS_PHRASES, *OOS_HARD_NEGATIVES, *OOS_GENERATED)):
        text, spans = catalogue_markup(phrase)
        templates.append(Template(f"{OUT_OF_SCOPE}#{i}", OUT_OF_SCOPE, text, spans))
    return templates


def split_templates(
    templates: Sequence[Template], share: float, seed: int
) -> tuple[list[Template], list[Template]]:
    """Hold out about `share` of each intent's templates (at least one when it has 3+)."""
    by_intent: dict[str, list[Template]] = {}
    for template in templates:
        by_intent.setdefault(template.intent, []).append(template)
    train: list[Template] = []
    dev: list[Template] = []
    for intent in sorted(by_intent):
        group = sorted(by_intent[intent], key=lambda t: _stable_fraction(t.id, seed))
        n_dev = round(len(group) * share)
        if n_dev == 0 and len(group) >= 3:
            n_dev = 1
        dev.extend(group[:n_dev])
        train.extend(group[n_dev:])
    return train, dev


_TYPOS: dict[str, tuple[str, ...]] = {
    "restart": ("restrat", "rstart", "retsart", "restar"),
    "deployment": ("deploymnet", "deployemnt", "deploy", "depl", "dep"),
    "namespace": ("namesapce", "ns", "namepsace"),
    "please": ("pls", "plz", "pleas"),
    "logs": ("lgos", "log"),
    "status": ("stauts", "statsu"),
    "scale": ("sclae", "scael"),
    "rollback": ("rollbak", "roll back", "rolback"),
    "not": ("nto", "nt", "not"),
    "healthy": ("helathy", "healty", "healthy"),
    "working": ("wokring", "workign", "workin"),
    "images": ("imgaes", "imags", "image"),
    "revert": ("rever", "revret"),
    "delete": ("delte", "deleet"),
    "pods": ("pdos", "pod"),
    "events": ("evnets", "event"),
    "node": ("ndoe",),
    "describe": ("descrbe", "desribe"),
    "history": ("hisotry", "histroy"),
    "replicas": ("replics", "repliacs", "instances"),
    "image": ("imgae", "img"),
    "cordon": ("cordn",),
    "drain": ("drian",),
    "what": ("wat", "waht"),
    "the": ("teh", ""),
    "show": ("shwo", "sho"),
}
# Generic ops vocabulary, swapped inside runbook phrasings only (in meta phrases "stop"
# means cancel). Deliberately generic: it was not tuned against dev-set errors.
_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("restart", "bounce", "recycle", "kick"),
    ("show", "list", "get", "display", "give me"),
    ("show me", "give me", "let me see"),
    ("delete", "kill", "remove", "nuke"),
    ("logs", "log output"),
    ("status", "state", "health"),
    ("suspend", "pause", "stop", "halt"),
    ("resume", "unpause", "unsuspend"),
    ("scale", "resize"),
    ("namespace", "ns"),
    ("deployment", "deploy", "app", "service"),
    ("node", "host", "machine"),
    ("check", "look at", "inspect"),
    ("what's", "what is"),
    ("please", "pls"),
    ("cronjob", "cron job", "cron", "scheduled job"),
)
_SYNONYM_OF = {word: group for group in _SYNONYMS for word in group}
_PREFIXES = (
    "pls ", "please ", "can you ", "could you ", "hey ", "hey bot, ", "yo ", "hi, ",
    "ok ", "so ", "i need you to ", "can you please ", "quick one: ", "@ops ", "bot ",
    "could you please ", "urgent: ", "hey can you ", "would you ", "need to ",
)
_SUFFIXES = (
    " pls", " please", " thanks", " thx", " asap", " now", "!", "?", " :pray:", " :fire:",
    " when you get a chance", " real quick", " ty", " :eyes:", " right now", "??", ".",
    " :rotating_light:", " please and thanks",
)
_MENTIONS = ("<@U0123ABCD> ", "<@U02HX7Q9K1Z> ", "<@W0ABCDEF1> ")


def _typo(word: str, rng: random.Random) -> str:
    known = _TYPOS.get(word.lower())
    if known and rng.random() < 0.7:
        return rng.choice(known)
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _fill(template: Template, lexicon: Lexicon) -> list[Piece]:
    pieces: list[Piece] = []
    pos = 0
    for span in sorted(template.spans, key=lambda s: s.start):
        if span.start > pos:
            pieces.append(Piece(template.text[pos : span.start]))
        slot_type = template.slot_types.get(span.slot, span.slot)
        value = lexicon.value(
            span.slot, slot_type, template.slot_choices.get(span.slot, ()), span.text
        )
        pieces.append(Piece(value, span.slot))
        pos = span.end
    if pos < len(template.text):
        pieces.append(Piece(template.text[pos:]))
    return pieces


def _swap_synonyms(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    out = []
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2]).lower()
        if pair in _SYNONYM_OF and rng.random() < 0.5:
            out.append(rng.choice(_SYNONYM_OF[pair]))
            i += 2
            continue
        word = words[i]
        if word.lower() in _SYNONYM_OF and rng.random() < 0.35:
            word = rng.choice(_SYNONYM_OF[word.lower()])
        out.append(word)
        i += 1
    return " ".join(out)


def _drop_word(pieces: list[Piece], rng: random.Random) -> None:
    """Drop one filler word (people type telegraphically: "logs checkout prod")."""
    candidates = [
        (k, j) for k, p in enumerate(pieces) if p.slot is None
        for j, w in enumerate(p.text.split(" ")) if w
    ]
    if len(candidates) < 3:
        return
    k, j = rng.choice(candidates)
    words = pieces[k].text.split(" ")
    del words[j]
    pieces[k].text = " ".join(words)


def _augment(
    pieces: list[Piece], rng: random.Random, prob: float, runbook: bool = True,
    wrap: bool = True,
) -> list[Piece]:
    """Slack-style noise. Slot values keep their letters (names are typed exactly);
    their casing and backticks may change. `wrap=False`: no request leads or tails
    ("can you", "asap"): they would turn talk into a request, or a context into nonsense."""
    if rng.random() > prob:
        return pieces
    out = [Piece(p.text, p.slot) for p in pieces]
    if runbook and rng.random() < 0.5:
        for piece in out:
            if piece.slot is None:
                piece.text = _swap_synonyms(piece.text, rng)
    if runbook and rng.random() < 0.15:
        _drop_word(out, rng)
    if rng.random() < 0.3:
        for piece in out:
            if piece.slot is None:
                words = piece.text.split(" ")
                piece.text = " ".join(
                    _typo(w, rng) if w and rng.random() < 0.25 else w for w in words
                )
    if rng.random() < 0.25:
        for piece in out:
            if piece.slot is not None and rng.random() < 0.6:
                piece.text = f"`{piece.text}`"
    if wrap and rng.random() < 0.35:
        out.insert(0, Piece(rng.choice(_PREFIXES)))
    if wrap and rng.random() < 0.3:
        out.append(Piece(rng.choice(_SUFFIXES)))
    if rng.random() < 0.15:
        out.insert(0, Piece(rng.choice(_MENTIONS)))
    roll = rng.random()
    if roll < 0.2:
        first = next((p for p in out if p.text.strip() and not p.text.startswith("<")), None)
        if first is not None and first.slot is None:
            first.text = first.text[:1].upper() + first.text[1:]
    elif roll < 0.25:
        for piece in out:
            if not piece.text.startswith("<"):
                piece.text = piece.text.upper()
    return out


def _to_sample(pieces: Sequence[Piece], intent: str, template_id: str) -> Sample | None:
    """Join pieces into text, strip backticks from slot spans, and derive BIO tags."""
    text = ""
    spans: list[SlotSpan] = []
    after_slot = False
    for piece in pieces:
        if ((piece.slot is not None or after_slot) and text[-1:].isalnum()
                and piece.text[:1].isalnum()):
            # A rewrite that dropped the words around a name ("suspend the cronjob X") must
            # not glue the name to its neighbour: the name would be no word of its own.
            text += " "
        after_slot = piece.slot is not None
        start = len(text)
        text += piece.text
        if piece.slot is not None:
            value = piece.text.strip("`")
            value_start = start + piece.text.index(value) if value else start
            if value:
                spans.append(SlotSpan(piece.slot, value_start, value_start + len(value), value))
    text = re.sub(r"\s+$", "", text)
    norm = normalise(text)
    words = split_words(norm.text)
    if not words:
        return None
    tags: list[str] = []
    for word in words:
        orig_start = norm.offsets[word.start]
        tag = "O"
        for span in spans:
            if span.start <= orig_start < span.end:
                tag = ("B-" if orig_start == span.start else "I-") + span.slot
                break
        if tag.startswith("I-") and (not tags or tags[-1] == "O"):
            tag = "B-" + tag[2:]
        tags.append(tag)
    return Sample(
        # Read as the parser reads them (intents/emoji.py): a thumb is a yes.
        words=tuple(as_word(w.text) for w in words),
        tags=tuple(tags),
        intent=intent,
        text=text,
        spans=tuple(spans),
        template=template_id,
    )


def _generate(
    templates: Sequence[Template],
    counts: Mapping[str, int],
    lexicon: Lexicon,
    rng: random.Random,
    config: GenerationConfig,
    paraphraser: Paraphraser,
) -> list[Sample]:
    by_intent: dict[str, list[Template]] = {}
    for template in templates:
        by_intent.setdefault(template.intent, []).append(template)
    samples: list[Sample] = []
    for intent in sorted(by_intent):
        group = by_intent[intent]
        total = counts[intent]
        for k in range(total):
            template = group[k % len(group)]
            # The first pass over a template stays clean, so every phrasing is seen as written.
            first = k < len(group) and not config.force_long
            prob = 0.0 if first else config.augment_prob
            runbook = intent != OUT_OF_SCOPE and intent not in META_INTENTS
            pieces = _fill(template, lexicon)
            if intent not in META_INTENTS and (
                config.force_long or (not first and rng.random() < config.paraphrase_prob)
            ):
                long = config.force_long or rng.random() < config.long_prob
                # No draw when off, so the data is the same as before the option existed.
                share = config.antecedent_prob[long]
                antecedent = runbook and share > 0 and rng.random() < share
                pieces = paraphraser.paraphrase(pieces, intent, runbook=runbook, long=long,
                                                antecedent=antecedent)
            elif intent in META_INTENTS and intent != "help" and not first \
                    and rng.random() < config.meta_context_prob:
                # "Yes, I checked with the Payments team, go ahead": context around a reply.
                pieces = paraphraser.meta_context(pieces)
            pieces = _augment(pieces, rng, prob, runbook)
            sample = _to_sample(pieces, intent, template.id)
            if sample is not None:
                samples.append(sample)
    return samples


def build_dataset(
    templates: Sequence[Template],
    risks: Mapping[str, str],
    fingerprint: Mapping[str, tuple[str, ...]],
    config: GenerationConfig | None = None,
    *,
    extra: Sequence[Template] = (),
) -> Dataset:
    """Fill, augment and split `templates` (runbook + meta + out-of-scope) into a Dataset.

    `extra` templates (reviewed user messages, say) are always trained on and never in dev.
    """
    config = config or GenerationConfig()
    train_t, dev_t = split_templates(templates, config.dev_template_share, config.seed)
    # Reviewed messages first: generation walks each intent's templates in order, so a
    # count smaller than the number of templates still draws every one of them.
    train_t = [*extra, *train_t]
    intents = sorted({t.intent for t in [*templates, *extra]})

    def counts(train: bool) -> dict[str, int]:
        out: dict[str, int] = {}
        for intent in intents:
            if intent == OUT_OF_SCOPE:
                out[intent] = config.oos_train if train else config.oos_dev
            elif intent in META_INTENTS:
                out[intent] = config.meta_train if train else config.meta_dev
            else:
                out[intent] = config.per_intent_train if train else config.per_intent_dev
        rounds = config.rounds if train else 1
        return {intent: count * rounds for intent, count in out.items()}

    rng = random.Random(config.seed)
    train = _generate(
        [*train_t, *dev_t] if config.train_on_dev_templates else train_t,
        counts(True),
        Lexicon(rng, dev=False, seed=config.seed, composed_durations=config.composed_durations),
        rng, config,
        Paraphraser(rng, dev=False, seed=config.seed),
    )
    dev_rng = random.Random(config.seed + 1)
    dev = _generate(
        dev_t, counts(False),
        Lexicon(dev_rng, dev=True, seed=config.seed,
                composed_durations=config.composed_durations),
        dev_rng, config,
        Paraphraser(dev_rng, dev=True, seed=config.seed),
    )
    if config.talk:
        train += _talk(
            [*train_t, *dev_t] if config.train_on_dev_templates else train_t, risks, config
        )
    rng.shuffle(train)
    slot_names = sorted({span.slot for t in [*templates, *extra] for span in t.spans})
    slot_labels = ["O"] + [f"{p}-{s}" for s in slot_names for p in ("B", "I")]
    return Dataset(
        train=tuple(train),
        dev=tuple(dev),
        intents=tuple(intents),
        slot_labels=tuple(slot_labels),
        risks=dict(risks),
        fingerprint=dict(fingerprint),
        all_templates=config.train_on_dev_templates,
        rounds=config.rounds,
        antecedent_prob=config.antecedent_prob,
        composed_durations=config.composed_durations,
        talk=config.talk,
        talk_requests=config.talk_requests,
        talk_status=config.talk_status,
        talk_replies=config.talk_replies,
    )


_REPLIES = ("confirm", "cancel", "deny")
"""The replies to a waiting plan that talk may come before (`GenerationConfig.talk_replies`);
not "undo", which is a request of its own, nor "help"."""


def _talk(templates: Sequence[Template], risks: Mapping[str, str],
          config: GenerationConfig) -> list[Sample]:
    """`config.talk` talk messages (out of scope) per round, and `config.talk_requests` as
    many requests around talk or remarks, from their own random stream (see
    `GenerationConfig.talk`)."""
    rng = random.Random(f"talk|{config.seed}")
    lexicon = Lexicon(rng, dev=False, seed=config.seed,
                      composed_durations=config.composed_durations)
    types = {slot: kind for t in templates for slot, kind in t.slot_types.items()}
    changes = sorted(name for name, risk in risks.items() if risk != "read")
    writer = TalkWriter(rng, lexicon, types, changes)
    requests: dict[str, list[Template]] = {}
    for template in templates:
        if template.intent in writer.intents:
            requests.setdefault(template.intent, []).append(template)
    samples: list[Sample] = []
    for _ in range(config.talk * config.rounds):
        intent, pieces = writer.talk()
        pieces = _augment(pieces, rng, config.augment_prob, runbook=False, wrap=False)
        sample = _to_sample(pieces, OUT_OF_SCOPE, f"{OUT_OF_SCOPE}#talk-{intent}")
        if sample is not None:
            samples.append(sample)
    for _ in range(round(config.talk * config.rounds * config.talk_requests)):
        if not requests:
            break
        intent = rng.choice(sorted(requests))
        template = rng.choice(requests[intent])
        roll = rng.random()
        # Noise on the request only: a dropped "not" or "it" would change what the talk
        # around it says.
        request = _augment(_fill(template, lexicon), rng, config.augment_prob,
                           runbook=True, wrap=False)
        kind = "context"
        if config.talk_status and rng.random() < config.talk_status:
            kind, pieces = "status", [*writer.status(), *request]
        elif roll < 0.3:
            pieces = [*(writer.context(intent) or []), *request]
        elif roll < 0.6:
            kind, pieces = "reason", [*request, *writer.reason()]
        elif roll < 0.8:
            kind, pieces = "remark", [*writer.remark(), *request]
        else:
            need = writer.need(intent)
            kind, pieces = "need", (need or request) + (writer.reason()
                                                        if rng.random() < 0.5 else [])
        sample = _to_sample(pieces, intent, f"{template.id}#talk-{kind}")
        if sample is not None:
            samples.append(sample)
    replies = [t for t in templates if t.intent in _REPLIES]
    for _ in range(round(config.talk * config.rounds * config.talk_replies)):
        if not replies:
            break
        template = rng.choice(replies)
        reply = _augment(_fill(template, lexicon), rng, config.augment_prob, runbook=False,
                         wrap=False)
        # A reply has no slots: the names in the talk before it are not tagged.
        told = [Piece(piece.text) for piece in writer.told()]
        sample = _to_sample([*told, *reply], template.intent,
                            f"{template.id}#talk-told")
        if sample is not None:
            samples.append(sample)
    return samples


def dataset_from_catalogue(
    catalogue: CatalogueLike,
    parse_markup: MarkupParser | None = None,
    config: GenerationConfig | None = None,
    *,
    extra: Sequence[Template] = (),
) -> Dataset:
    """Generate the ops training data from a runbook catalogue plus the phrase lists.

    Out-of-scope phrases that mention a slot the catalogue does not have keep it as plain
    words (tagged `O`). `extra` templates are always in training, never in dev (reviewed
    messages from `chatops nlu feedback`); their intents must be catalogue runbooks, meta
    intents or `oos`, and slots the catalogue lacks are dropped like the phrases' ones.
    """
    runbook_templates = templates_from_catalogue(catalogue, parse_markup or catalogue_markup)
    known_slots = {span.slot for t in runbook_templates for span in t.spans}
    known_slots |= {slot for rb in catalogue.runbooks.values() for slot in rb.slots}
    types: dict[str, str] = {}
    for runbook in catalogue.runbooks.values():
        for slot, spec in runbook.slots.items():
            types.setdefault(slot, spec.type)
    phrases = [
        Template(
            t.id, t.intent, t.text,
            tuple(s for s in t.spans if s.slot in known_slots),
            types,
        )
        for t in phrase_templates()
    ]
    always = [
        Template(
            t.id, t.intent, t.text,
            tuple(s for s in t.spans if s.slot in known_slots),
            {**types, **t.slot_types}, t.slot_choices,
        )
        for t in extra
    ]
    risks = {
        name: str(getattr(rb.risk, "value", rb.risk)) for name, rb in catalogue.runbooks.items()
    }
    return build_dataset(
        [*runbook_templates, *phrases], risks, catalogue_fingerprint(catalogue.runbooks), config,
        extra=always,
    )


def read_seq_dataset(directory: Path) -> list[Sample]:
    """Read a SNIPS/ATIS split in the JointBERT layout (`seq.in`, `seq.out`, `label`)."""
    words_lines = (directory / "seq.in").read_text(encoding="utf-8").splitlines()
    tag_lines = (directory / "seq.out").read_text(encoding="utf-8").splitlines()
    labels = (directory / "label").read_text(encoding="utf-8").splitlines()
    samples: list[Sample] = []
    for words_line, tag_line, label in zip(words_lines, tag_lines, labels, strict=True):
        words = tuple(words_line.split())
        tags = tuple(tag_line.split())
        if len(words) != len(tags):
            raise ValueError(f"{directory}: words and tags differ in length: {words_line!r}")
        samples.append(Sample(words, tags, label.strip(), text=" ".join(words)))
    return samples


def vocab_from(samples: Sequence[Sample]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Intent labels (`UNK` first) and slot labels (`O`, then sorted) seen in `samples`."""
    intents = sorted({s.intent for s in samples})
    slots = sorted({t for s in samples for t in s.tags} - {"O"})
    return ("UNK", *intents), ("O", "UNK", *slots)
