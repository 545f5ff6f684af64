"""Serve the joint intent/slot model with ONNX Runtime: free text -> `ParsedIntent`.

No torch here: only onnxruntime, tokenizers and numpy, so the bot's image stays small and
a message is understood in a few milliseconds on CPU.

Safety rule: a *mutating* intent (a runbook whose risk is not `read`, or the `confirm` /
`undo` meta intents) below the confidence threshold is never returned as the answer; a
read-only runbook below the (lower) read threshold is not either.
The parser returns `oos` instead, with the candidate first in `alternatives`, so the
conversation asks or offers the closest runbooks rather than guessing.

A runbook's risk comes from the live catalogue passed in (`catalogue=`), not from the risks
recorded in the model's meta.json at training time: raising a runbook from read to write
raises its bar at once, without a retrain.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from chatops.model import META_INTENTS, OUT_OF_SCOPE, ParsedIntent, Risk, SlotSpan
from intents.about_the_bot import asks_what_the_bot_does
from intents.emoji import as_word
from intents.encoding import DEFAULT_MAX_LENGTH, encode_words, load_tokenizer, pad_batch
from intents.health_question import one_name_asked_after
from intents.kubectl import read_kubectl
from intents.names import name_shaped, names_a_role
from intents.slots import Decoded, SlotLabels, bio_runs, decode_slots
from intents.spelling import corrected
from intents.text import Normalised, Word, normalise, split_words

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.8
"""Used when the model's meta.json names none."""

DEFAULT_READ_THRESHOLD = 0.7
"""Read-only runbooks are held to a lower bar: a wrong one only shows the wrong thing, but
answering small talk with a pod list is still a false accept. 0.6 was tried (BENCHMARKS.md,
"read bar"): better on the development sets, no better on the blind ones, so 0.7 stays."""

GUARDED_META_INTENTS = frozenset({"confirm", "undo"})
"""Meta intents that make something happen, so they are held to the threshold too."""

ALTERNATIVES = 3

TROUBLE = "diagnose"
"""The read that answers trouble reported in Kubernetes' own words (`ModelParser._trouble`)."""
NODE_READ = "node_status"
"""The read of one node, for a health question naming one ("node pool-x8a2k ok?")."""
TROUBLE_FLOOR = 0.2
"""The least the model must give the diagnosis for trouble to be read as its; a change
given this much keeps it from being read so."""
_K8S_TROUBLE = re.compile(
    r"\b(?:crash-?loop(?:ing|s|backoff)?|imagepullbackoff|errimagepull|image ?pull ?back ?off|"
    r"oom-?kill(?:ed|s|ing)?|oom(?:s|ed)?|evicted|createcontainer(?:config)?error|"
    r"runcontainererror|containercannotrun|pending|not ?ready|notready|unhealthy|failing|"
    r"crashing|keeps? (?:crashing|restarting|dying)|backoff|back-off|"
    r"broken|busted|borked|hosed|fubar|on fire|down|dead|wedged|stuck|hung|flaky|flapping|"
    r"erroring|throwing errors|timing out|misbehaving|acting up|5xx|50[0234]s|"
    r"(?:won'?t|doesn'?t|does not|will not|isn'?t|is not|not) "
    r"(?:start(?:ing)?|work(?:ing)?|respond(?:ing)?|come up|coming up|ready|serving))\b",
    re.IGNORECASE)
"""States Kubernetes reports trouble in, and the plainest words people report it in."""
_HEALTH = re.compile(r"\b(?:healthy|health|sanity[- ]check|(?:in )?good shape)\b",
                     re.IGNORECASE)
"""Words that ask after health ("is platform in good shape", "sanity check team-growth"):
trouble's words when the model leans out of scope or to the diagnosis, not when another
read is likelier ("is calc-app healthy?": a deployment's status)."""

SENTENCES_READ = 3
"""How many sentences that ask an unsure long message is read again from, at most."""

_OBJECT_TYPES = frozenset({"deployment", "pod", "cronjob", "node"})
"""Slot types that name the object a runbook is about (a namespace is its scope)."""

LONG_TEXT_STRATEGIES = ("whole", "sentence")
"""How a message of several sentences is read: `whole` (the default) gives the encoder the
whole message (up to `DEFAULT_MAX_LENGTH` sub-words), so context and request are read
together, and falls back on the sentence that asks for a read (`_ASKS`) only when that
reading is unsure; `sentence` reads each sentence on its own and answers from the one the
model is surest carries a request (measured in BENCHMARKS.md, "NLU: ops dev set")."""

_CALLED_NAMESPACE = re.compile(r"^\W*(?:namespace|ns)\b", re.IGNORECASE)
"""A name's next word that calls it a namespace ("the payments namespace")."""
# Words that make a sentence a request put to someone: "can you ...", "could someone ...",
# "please ...", "go ahead"; a question asks too ("what's wrong with it?"). Read alone, such
# a sentence may give a read only (`ModelParser._or_the_request`).
_ASKS = re.compile(
    r"\b(?:can|could|would|will) (?:you|u|someone|somebody|anyone|we)\b|"
    r"\b(?:please|pls|plz)\b|^\W*(?:go ahead|let'?s)\b|"
    # a read's own imperative opens the sentence: "list images cluster-wide"
    r"^\W*(?:list|show|get|check|give me|tell me|describe|find|display|scan|audit|pull|"
    r"grab|fetch)\b", re.IGNORECASE)


class ModelNotFound(FileNotFoundError):
    """The model directory lacks a file the parser needs."""


class SlotDeclaration(Protocol):
    """The part of a runbook's slot declaration the parser needs."""

    @property
    def required(self) -> bool: ...

    @property
    def type(self) -> str: ...


class RunbookRisk(Protocol):
    """The part of a runbook the parser needs: its risk level, its slots, and the reads
    that answer for it when asked about a whole namespace or about one deployment."""

    @property
    def risk(self) -> Risk: ...

    @property
    def slots(self) -> Mapping[str, SlotDeclaration]: ...

    @property
    def namespace_wide(self) -> str | None: ...

    @property
    def one_workload(self) -> str | None: ...


class RiskCatalogue(Protocol):
    """The runbook catalogue as the parser sees it (`chatops.runbook.catalogue.Catalogue`)."""

    @property
    def runbooks(self) -> Mapping[str, RunbookRisk]: ...


@dataclass(frozen=True)
class _Loaded:
    session: onnxruntime.InferenceSession
    tokenizer: Tokenizer
    intents: tuple[str, ...]
    slots: SlotLabels
    threshold: float
    read_threshold: float
    trained_risks: Mapping[str, str]
    """meta.json's risks: used only when no catalogue was given."""
    trained_slots: Mapping[str, tuple[str, ...]]
    """meta.json's slots per runbook: used only when no catalogue was given."""
    vocabulary: frozenset[str]
    """The words the encoder has whole: a misspelling is never one of them."""


@dataclass(frozen=True)
class _Declared:
    """What a runbook declares about its slots, as slot decoding uses it."""

    slots: frozenset[str] | None
    required: frozenset[str] = frozenset()
    types: Mapping[str, str] = field(default_factory=dict)


_SENTENCE_END = re.compile(r"[.?!](?:\s|$)")


def _one_sentence(text: str, spans: Sequence[SlotSpan], slots: Sequence[str]) -> bool:
    """Whether the spans of `slots` lie in one sentence of `text` (no ".", "?" or "!"
    and a space between any two of them)."""
    found = [span for span in spans if span.slot in slots]
    if len(found) < 2:
        return True
    start = min(span.start for span in found)
    end = max(span.end for span in found)
    return _SENTENCE_END.search(text, start, end) is None


_NO_ORDER = frozenset({
    "in", "of", "for", "at", "from", "the", "a", "an", "my", "our", "cronjob",
    "cronjobs", "cron", "job", "deployment", "deploy", "deployments", "pod", "pods", "node",
    "nodes", "namespace", "ns", "-n", "--namespace", "pls", "please", "plz", "thanks", "thx",
    "ty", "hi", "hey", "hello", "chatops", "bot", "cluster", "svc", "service", "app",
})
"""Words that name or address, and say nothing of what to do."""
_NAMED = frozenset({"deployment", "pod", "cronjob", "node", "namespace", "container"})
"""Slots that name what a change is about, not what it sets."""


def _names_only(words: Sequence[Word], norm: Normalised, spans: Sequence[SlotSpan]) -> bool:
    """Whether every word of the message is in a slot's span or only names or addresses
    (`_NO_ORDER`): the message names objects and no change ("nightly-report in batch")."""
    if any(span.slot not in _NAMED for span in spans):
        return False  # a value to set says what to do ("checkout-api prod 3")
    held = [norm.original_span(word.start, word.end) for word in words]
    for word, (start, end) in zip(words, held, strict=True):
        text = word.text.lower().lstrip("@")
        if not any(c.isalnum() for c in text) or text in _NO_ORDER:
            continue
        if any(span.start <= start and end <= span.end for span in spans):
            continue
        return False
    return True


def _softmax(logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Softmax over the last axis (one intent row, or sub-words x slot labels)."""
    shifted = logits.astype(np.float64) - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    result: npt.NDArray[np.float64] = exp / exp.sum(axis=-1, keepdims=True)
    return result


def decode_spans(
    tags: Sequence[str], words: Sequence[Word], norm: Normalised, original: str
) -> tuple[SlotSpan, ...]:
    """Turn per-word BIO tags into slot spans over the *original* text, every span kept
    (the serving path chooses among them with `intents.slots.decode_slots`).

    Lenient like conlleval: an `I-x` that does not continue an `x` span starts one.
    """
    spans = []
    for slot, first, last in bio_runs(tags):
        start, end = norm.original_span(words[first].start, words[last].end)
        spans.append(SlotSpan(slot, start, end, original[start:end]))
    return tuple(spans)


def sentences(words: Sequence[Word]) -> list[tuple[int, int]]:
    """Word ranges `[first, last)` of the sentences: a `.`, `?` or `!` word ends one when
    a space follows it (the dot in `app.prod` does not)."""
    ranges: list[tuple[int, int]] = []
    start = 0
    for i, word in enumerate(words):
        end_of_text = i + 1 == len(words)
        if word.text in {".", "?", "!"} and (end_of_text or words[i + 1].start > word.end):
            if i + 1 > start:
                ranges.append((start, i + 1))
            start = i + 1
    if start < len(words):
        ranges.append((start, len(words)))
    return ranges


class ModelParser:
    """The NLU model behind the `IntentParser` seam.

    `model_dir` holds `model.onnx`, `tokenizer.json`, `labels.json` and `meta.json` (see
    `finetune.export`). Nothing is read until the first `parse` (or `load`); loading is
    guarded by a lock, and ONNX Runtime sessions are safe to run from several threads.

    `catalogue` is the runbook catalogue the bot serves; each runbook's confidence bar
    follows its risk there. Without one, the risks recorded at training time are used (and
    a warning says so), which keeps a stale bar when a runbook's risk has changed since.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        catalogue: RiskCatalogue | None = None,
        threads: int = 2,
        threshold: float | None = None,
        max_length: int = DEFAULT_MAX_LENGTH,
        long_text: str = "whole",
    ) -> None:
        if long_text not in LONG_TEXT_STRATEGIES:
            raise ValueError(f"long_text must be one of {LONG_TEXT_STRATEGIES}, not {long_text!r}")
        self.long_text = long_text
        self.model_dir = Path(model_dir)
        self.catalogue = catalogue
        self.threads = threads
        self._threshold = threshold
        self._max_length = max_length
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    def load(self) -> None:
        """Load the model now (otherwise the first `parse` does)."""
        self._model()

    @property
    def meta(self) -> dict[str, Any]:
        """The model's `meta.json` (catalogue fingerprint, metrics, training details)."""
        return self._read_json("meta.json")

    @property
    def intents(self) -> tuple[str, ...]:
        """Every intent the model can answer with, in logit order."""
        return self._model().intents

    @property
    def threshold(self) -> float:
        """Confidence below which a mutating intent is not returned."""
        return self._model().threshold

    def threshold_for(self, intent: str) -> float | None:
        """The confidence `intent` needs to be answered, or None when any will do.

        Mutating runbooks and the `confirm` / `undo` meta intents need `threshold`,
        read-only runbooks the lower read threshold; the other meta intents and `oos` need
        none. A runbook the catalogue does not know is held to the mutating bar.
        """
        model = self._model()
        if intent in GUARDED_META_INTENTS:
            return model.threshold
        if intent in META_INTENTS or intent == OUT_OF_SCOPE:
            return None
        if self.catalogue is not None:
            runbook = self.catalogue.runbooks.get(intent)
            risk = None if runbook is None else str(runbook.risk)
        else:
            risk = model.trained_risks.get(intent)
        return model.read_threshold if risk == Risk.READ else model.threshold

    def _reads(self, intent: str) -> bool:
        """Whether `intent` is a read-only runbook of the catalogue."""
        runbook = self.catalogue.runbooks.get(intent) if self.catalogue is not None else None
        return runbook is not None and runbook.risk == Risk.READ

    def _answered(self, probs: npt.NDArray[np.float64]) -> str | None:
        """The intent `probs` answers with, or None when it is out of scope, a meta intent
        or under its bar."""
        model = self._model()
        top = int(np.argmax(probs))
        intent = model.intents[top]
        if intent == OUT_OF_SCOPE or intent in META_INTENTS:
            return None
        bar = self.threshold_for(intent)
        return intent if bar is None or float(probs[top]) >= bar else None

    def _or_the_request(self, probs: npt.NDArray[np.float64], words: Sequence[Word],
                        seen: Sequence[str], norm: Normalised) -> npt.NDArray[np.float64]:
        """The intent probabilities of the whole message, or, when they answer with no
        runbook, those of the sentence that asks for a read.

        Read whole, a long message's context can drown its request ("we got paged about
        latency ten minutes ago. Grafana shows checkout-api in payments with p99 at 4s. Can
        someone figure out what's wrong with it?" was out of scope). Then each sentence is
        read alone, and one that asks (`_ASKS`, or a question) and that the model answers
        with a read-only runbook over its bar gives the intent (the surest, if several).
        Slots are still read from the whole message, where the names are.

        Never a change: a sentence read alone loses what the others say of it ("Retro
        notes. Let's restart orders next time.", "Thanks all. Dave! Could you restart
        orders?", "Never touch checkout-api. Can you restart orders?" with the object of
        the other sentence: an attacker review). Each sentence is read in a batch of its
        own: the int8 model's activations are quantised over the batch, so a sentence's
        reading must not depend on its neighbours (the same review lifted a change over
        its bar by adding "ok." before it).
        """
        if self._answered(probs) is not None:
            return probs
        parts = sentences(words)
        if len(parts) < 2:
            return probs
        model = self._model()
        asking = [(first, last) for first, last in parts
                  if _ASKS.search(said := norm.text[words[first].start:words[last - 1].end])
                  or said.rstrip().endswith("?")]
        best: tuple[float, npt.NDArray[np.float64]] | None = None
        # The last few only: each is a run of the model, and "please." three thousand times
        # must not cost seconds (a request comes last more often than first).
        for first, last in asking[-SENTENCES_READ:]:
            ids, mask = pad_batch([encode_words(model.tokenizer, seen[first:last])])
            logits = model.session.run(
                None, {"input_ids": ids, "attention_mask": mask,
                       "token_type_ids": np.zeros_like(ids)})[0]
            candidate = _softmax(logits[0])
            intent = self._answered(candidate)
            if intent is None or not self._reads(intent):
                continue  # out of scope, unsure, a meta intent, or a change
            sure = float(np.max(candidate))
            if best is None or sure > best[0]:
                best = (sure, candidate)
        return probs if best is None else best[1]

    def _read_instead(self, intent: str, text: str, spans: Sequence[SlotSpan],
                      anything: Callable[[], Sequence[SlotSpan]]) -> str | None:
        """The read that answers for read `intent`, as the catalogue says, when the
        message is about something else than the read takes; None to keep it. `spans`
        are the slots read for `intent`, `anything()` every word's own best label with
        every slot allowed (not a slot a word takes when its best is taken: "compliance
        wants to know which builds are live in identity" read "compliance" as a namespace,
        then as a deployment; an attacker set's request).

        - asked about one deployment, a read of a namespace (`one_workload`: "which image
          is inventory-sync running in warehouse" read as the namespace's image list);
        - asked about a namespace and none of its own objects, a read of one deployment
          (`namespace_wide`: "is prod healthy?" read as `deployment_status`);
        - asked about a node, a namespaced read with no namespace nor object of its own
          (the one read that takes a node: "ip-10-0-1-2.ec2.internal went NotReady
          earlier, is it healthy now?" read as a diagnosis asked which namespace).

        The conversation makes the first two too (with notes, and with the cluster's
        names where the model tagged none); made here, a reading is what the bot does.
        """
        runbooks = self.catalogue.runbooks if self.catalogue is not None else {}
        if not self._reads(intent):
            return None
        runbook = runbooks[intent]
        read = {span.slot for span in spans}
        objects = {name for name, spec in runbook.slots.items()
                   if spec.type in _OBJECT_TYPES}
        spans_anywhere = anything()
        everything = {span.slot for span in spans_anywhere}
        # Not a word the words around it call the namespace ("the payments namespace",
        # tagged a deployment): that word is no object.
        called = [span for span in spans if runbook.slots[span.slot].type == "namespace"
                  and _CALLED_NAMESPACE.search(text[span.end:span.end + 12])]
        elsewhere = {span.slot for span in spans_anywhere
                     if not any(c.start < span.end and span.start < c.end for c in called)}
        wide = runbooks.get(runbook.namespace_wide or "")
        if (wide is not None and wide.risk == Risk.READ and "namespace" in read
                and not (read | elsewhere) & (objects | _OBJECT_TYPES)):
            return runbook.namespace_wide
        one = runbooks.get(runbook.one_workload or "")
        deployment = next((name for name, spec in (one.slots if one else {}).items()
                           if spec.type == "deployment"), None)
        if (one is not None and one.risk == Risk.READ and deployment is not None
                and deployment not in runbook.slots and deployment in everything
                and "namespace" in read and "namespace" in everything
                and _one_sentence(text, spans_anywhere, (deployment, "namespace"))):
            # Not a deployment of a context sentence ("release notes say cart should be
            # on v9.3.0. which images are running in staging?": an attacker set's request).
            return runbook.one_workload
        namespace = runbook.slots.get("namespace")
        node_reads = [name for name, rb in runbooks.items() if rb.risk == Risk.READ
                      and any(spec.type == "node" for spec in rb.slots.values())]
        if (namespace is not None and namespace.required and not read & (objects | {
                "namespace"}) and len(node_reads) == 1 and node_reads[0] != intent
                and any(runbooks[node_reads[0]].slots.get(s) for s in everything - read)
                and not everything & objects):
            return node_reads[0]
        return None

    def _slots_of(self, intent: str) -> _Declared:
        """The slots runbook `intent` declares (None for meta intents, out-of-scope and
        runbooks nobody knows: any slot may be read), those it requires, and their types
        (the last two known only from a catalogue)."""
        if self.catalogue is not None:
            runbook = self.catalogue.runbooks.get(intent)
            if runbook is None:
                return _Declared(None)
            slots = runbook.slots
            return _Declared(frozenset(slots),
                             frozenset(n for n, spec in slots.items() if spec.required),
                             {n: spec.type for n, spec in slots.items()})
        trained = self._model().trained_slots.get(intent)
        return _Declared(None if trained is None else frozenset(trained))

    def _read_json(self, name: str) -> dict[str, Any]:
        path = self.model_dir / name
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelNotFound(
                f"{path} is missing; train a model with `chatops nlu train --output "
                f"{self.model_dir}` or point CHATOPS_MODEL_DIR at one"
            ) from None
        return data

    def _model(self) -> _Loaded:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self) -> _Loaded:
        import onnxruntime

        labels = self._read_json("labels.json")
        meta = self._read_json("meta.json")
        model_path = self.model_dir / "model.onnx"
        if not model_path.exists():
            raise ModelNotFound(f"{model_path} is missing")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        intents = tuple(labels["intents"])
        self._check_catalogue(intents)
        threshold = self._threshold
        if threshold is None:
            threshold = float(meta.get("threshold", DEFAULT_THRESHOLD))
        read_threshold = float(meta.get("read_threshold", DEFAULT_READ_THRESHOLD))
        log.info("loaded NLU model from %s (%s weights)", self.model_dir,
                 meta.get("weights", "?"))
        tokenizer = load_tokenizer(str(self.model_dir / "tokenizer.json"), self._max_length)
        return _Loaded(
            session=session,
            tokenizer=tokenizer,
            intents=intents,
            slots=SlotLabels(tuple(labels["slots"])),
            threshold=threshold,
            read_threshold=min(read_threshold, threshold),
            trained_risks=dict(meta.get("risks", {})),
            trained_slots={
                name: tuple(slots) for name, slots in dict(meta.get("catalogue", {})).items()
            },
            vocabulary=frozenset(tokenizer.get_vocab()),
        )

    def _check_catalogue(self, intents: Sequence[str]) -> None:
        if self.catalogue is None:
            log.warning("no runbook catalogue given to the NLU parser; confidence bars follow "
                        "the risks in %s/meta.json, which may be out of date", self.model_dir)
            return
        unknown = sorted(set(self.catalogue.runbooks) - set(intents))
        if unknown:
            log.warning("the NLU model in %s was not trained on %s; retrain it with "
                        "`chatops nlu train`", self.model_dir, ", ".join(unknown))

    def parse(self, text: str) -> ParsedIntent:
        """Understand one message; slot values and spans refer to `text` as given."""
        model = self._model()
        norm = normalise(text)
        words = split_words(norm.text)
        if not words:
            return ParsedIntent(intent=OUT_OF_SCOPE, confidence=1.0, source="model")
        command = self._as_kubectl(text)
        if command is not None:
            return command
        groups = sentences(words) if self.long_text == "sentence" else [(0, len(words))]
        # The model reads misspelt command words set right; slots keep the words as typed.
        seen = [corrected(as_word(w.text), model.vocabulary.__contains__) for w in words]
        encoded = [encode_words(model.tokenizer, seen[a:b]) for a, b in groups]
        ids, mask = pad_batch(encoded)
        intent_logits, slot_logits = model.session.run(
            None,
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        all_probs = [_softmax(row) for row in intent_logits]
        if len(groups) == 1:
            all_probs = [self._or_the_request(all_probs[0], words, seen, norm)]
        best = 0
        if len(groups) > 1:
            # The sentence that carries the request: the one whose best non-oos intent is
            # most probable (context sentences lean to oos).
            oos = model.intents.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in model.intents else -1
            scores = [float(np.max(np.delete(p, oos))) if oos >= 0 else float(np.max(p))
                      for p in all_probs]
            best = int(np.argmax(scores))
        probs = all_probs[best]
        order = [int(i) for i in np.argsort(-probs)]
        first = groups[best][0]
        word_probs = np.zeros((len(words), len(model.slots.labels)))
        word_probs[:, 0] = 1.0  # words outside the chosen sentence, or truncated: `O`
        sub_word_probs = _softmax(slot_logits[best])
        for offset, pos in enumerate(encoded[best].first_token):
            if pos >= 0:
                word_probs[first + offset] = sub_word_probs[pos]
        # Slots follow the runbook the message is most likely about, whether it is
        # answered or, under its bar, offered.
        decodings: dict[str, Decoded] = {}

        def decoding(intent: str) -> Decoded:
            # The slots runbook `intent` declares, read from the words' label scores, once
            # per runbook; the guesses by a name's place only for a read, and for a change
            # the namespace right after its object, marked `placed`.
            if intent not in decodings:
                about = self._slots_of(intent)
                decodings[intent] = decode_slots(
                    word_probs, model.slots, words, norm, text, declared=about.slots,
                    required=about.required, types=about.types, by_place=self._reads(intent),
                    beside=True)
            return decodings[intent]

        def decoded(intent: str) -> tuple[SlotSpan, ...]:
            return decoding(intent).spans

        def placed(intent: str, spans: Sequence[SlotSpan]) -> frozenset[str]:
            # The slots of `spans` that `intent`'s decoding read by a name's place alone:
            # the conversation keeps them only where the cluster has the object there.
            marked = decoding(intent)
            return frozenset(span.slot for span in spans
                             if span.slot in marked.placed and span in marked.spans)

        spans = decoded(model.intents[order[0]])
        slots = {span.slot: span.text for span in spans}
        top = model.intents[order[0]]
        top_p = float(probs[order[0]])
        if (asks_what_the_bot_does(norm.text) and "help" in model.intents
                and not {span.slot for span in spans} & _OBJECT_TYPES):
            # "can you do rollbacks?": about the bot, not a request (intents/about_the_bot).
            return ParsedIntent("help", {}, 1.0, ((top, top_p),), "model", ())
        # Read as no runbook (out of scope, help, "prod ok?" as cancel, a change under its
        # bar: not another read under its bar, which `_two_reads_of` answers), or as the
        # health read itself under its bar or with nothing read for it.
        unasked = (self._answered(probs) is None and top not in GUARDED_META_INTENTS
                   and not self._reads(top))
        asked = (one_name_asked_after(text) if unasked or top in (TROUBLE, NODE_READ)
                 else None)
        if asked is not None:
            # "billing ok?", "search ok?" (out of scope, or help), "node pool-x8a2k ok?"
            # (the node's read with no node): how one thing is doing
            # (intents/health_question).
            answer = NODE_READ if asked.node else TROUBLE
            if (answer in model.intents and self._reads(answer)
                    and (unasked or (top == answer and (
                        not spans or self._answered(probs) is None)))):
                slot = "node" if asked.node else "namespace"
                span = SlotSpan(slot, asked.start, asked.end, text[asked.start:asked.end])
                # Read by its words, as a question about the bot is (`help`, 1.0).
                return ParsedIntent(answer, {slot: span.text}, 1.0, ((top, top_p),), "model",
                                    (span,))
        trouble = self._trouble(norm.text, probs)
        scan = self._a_read_of_a_namespace(probs) if trouble is None else None
        taken = False
        if scan is not None:
            found = decoded(scan)
            if {span.slot for span in found} == {"namespace"}:
                top, top_p, spans, taken = (
                    scan, float(probs[model.intents.index(scan)]), found, True)
                slots = {span.slot: span.text for span in spans}
                order = [model.intents.index(scan), *(i for i in order
                                                      if model.intents[i] != scan)]
        if trouble is not None:
            found = decoded(trouble)
            if {span.slot for span in found} & {"deployment", "pod", "namespace"}:
                top, top_p, spans, taken = (
                    trouble, float(probs[model.intents.index(trouble)]), found, True)
                slots = {span.slot: span.text for span in spans}
                order = [model.intents.index(trouble), *(i for i in order
                                                         if model.intents[i] != trouble)]
        bar = None if taken else self.threshold_for(top)
        if (bar is not None and top_p < bar and len(order) > 1
                and self._two_reads_of(top, model.intents[order[1]])
                and top_p + float(probs[order[1]]) >= bar):
            # "is calc-app healthy?": the status at 0.45, the diagnosis at 0.49. Sure it is
            # a read of that deployment, the model splits between two: the likelier answers.
            bar = None
        def unsure(spans: tuple[SlotSpan, ...]) -> ParsedIntent:
            # Don't answer with the runbook; offer it among the candidates.
            others = [i for i in order if model.intents[i] != OUT_OF_SCOPE]
            oos_p = (
                float(probs[model.intents.index(OUT_OF_SCOPE)])
                if OUT_OF_SCOPE in model.intents else 1.0 - top_p
            )
            alternatives = tuple(
                (model.intents[i], float(probs[i])) for i in others[:ALTERNATIVES]
            )
            return ParsedIntent(OUT_OF_SCOPE, {span.slot: span.text for span in spans}, oos_p,
                                alternatives, "model", spans, placed(top, spans))

        if bar is not None and top_p < bar:
            return unsure(spans)  # unsure about a runbook
        alternatives = tuple(
            (model.intents[i], float(probs[i])) for i in order[1 : 1 + ALTERNATIVES]
        )
        def anything() -> tuple[SlotSpan, ...]:
            return decode_spans([model.slots.labels[int(i)] for i in word_probs.argmax(axis=1)],
                                words, norm, text)

        alone = self._name_alone(top, spans, anything)
        if alone is not None:
            top, spans = alone
            slots = {span.slot: span.text for span in spans}
        instead = None if alone is not None else self._read_instead(top, text, spans, anything)
        if instead is not None:
            top = instead
            spans = decoded(instead)
            slots = {span.slot: span.text for span in spans}
        named = self._by_shape(top, spans, words, norm, text)
        if named is not None:
            spans = tuple(sorted((*spans, named), key=lambda span: (span.start, span.slot)))
            slots = {span.slot: span.text for span in spans}
        if not self._reads(top) and top not in META_INTENTS and _names_only(words, norm, spans):
            # "nightly-report", "nightly-report in batch": names, and no word of what to do
            # with them (a resume at 0.95, session 49's second review). Unsure: the
            # conversation offers the closest runbooks, as for any unsure message.
            return unsure(spans)
        return ParsedIntent(top, slots, top_p, alternatives, "model", spans,
                            placed(top, spans))

    def _two_reads_of(self, first: str, second: str) -> bool:
        """Whether `first` and `second` are both read-only runbooks of one scope: they take
        an object of the same kind (a deployment, pod, node or cronjob) or both read within
        a namespace, so that either answers about what the message names ("status?"
        splits between the nodes' status and a deployment's: no one scope)."""
        if self.catalogue is None or not (self._reads(first) and self._reads(second)):
            return False
        one, other = self.catalogue.runbooks[first], self.catalogue.runbooks[second]
        kinds = [{spec.type for spec in rb.slots.values()} & (_OBJECT_TYPES | {"namespace"})
                 for rb in (one, other)]
        return bool(kinds[0] & kinds[1])

    def _trouble(self, text: str, probs: npt.NDArray[np.float64]) -> str | None:
        """The diagnosis, for a message the model answers with no runbook that reports a
        state Kubernetes reports trouble in ("ImagePullBackOff on quote-svc in sales, what
        happened?": the diagnosis at 0.70, under the read bar), when the model weighed the
        diagnosis (`TROUBLE_FLOOR`) and no change; None otherwise. The caller still wants
        a workload or a namespace read for it. A diagnosis changes nothing."""
        model = self._model()
        top = model.intents[int(np.argmax(probs))]
        if (TROUBLE not in model.intents or not self._reads(TROUBLE)
                or self._answered(probs) is not None
                or not (_K8S_TROUBLE.search(text)
                        or (top in (OUT_OF_SCOPE, TROUBLE) and _HEALTH.search(text)))):
            return None
        if top in META_INTENTS or float(probs[model.intents.index(TROUBLE)]) < TROUBLE_FLOOR:
            return None
        if any(float(p) >= TROUBLE_FLOOR and intent not in (TROUBLE, OUT_OF_SCOPE)
               and (intent in GUARDED_META_INTENTS or not self._reads(intent))
               for intent, p in zip(model.intents, probs, strict=True)):
            return None  # the model saw a change in it
        return TROUBLE

    def _a_read_of_a_namespace(self, probs: npt.NDArray[np.float64]) -> str | None:
        """The diagnosis, for a message the model is sure asks for a read (the reads'
        probabilities together reach the read bar) but unsure which ("check everything in
        search please": the diagnosis 0.43, a deployment's status 0.17, the nodes' 0.15),
        when the model weighed the diagnosis (`TROUBLE_FLOOR`) and no change; None
        otherwise. The caller still wants a namespace read for it and no object: a
        namespace's health is its scan. A diagnosis changes nothing."""
        model = self._model()
        if (TROUBLE not in model.intents or not self._reads(TROUBLE)
                or self._answered(probs) is not None
                or float(probs[model.intents.index(TROUBLE)]) < TROUBLE_FLOOR):
            return None
        top = model.intents[int(np.argmax(probs))]
        reads = sum(float(p) for intent, p in zip(model.intents, probs, strict=True)
                    if self._reads(intent))
        if top in META_INTENTS or top == OUT_OF_SCOPE or reads < model.read_threshold:
            return None
        if self.catalogue is not None and any(
                spec.type == "pod" and spec.required
                for spec in self.catalogue.runbooks[top].slots.values()):
            return None  # a read of one pod: its name may be what the model missed
        if any(float(p) >= TROUBLE_FLOOR and intent != OUT_OF_SCOPE and not self._reads(intent)
               for intent, p in zip(model.intents, probs, strict=True)):
            return None  # the model saw a change in it
        return TROUBLE

    def _as_kubectl(self, text: str) -> ParsedIntent | None:
        """A message that is one kubectl command, read as kubectl reads it
        (`intents/kubectl.py`): its runbook with the slots it declares, or out of scope for
        a change no runbook makes; None for the model to read."""
        reading = read_kubectl(text)
        if reading is None:
            return None
        if reading.intent == OUT_OF_SCOPE:
            return ParsedIntent(OUT_OF_SCOPE, {}, 1.0, (), "model", ())
        if reading.intent not in self._model().intents or (
                self.catalogue is not None and reading.intent not in self.catalogue.runbooks):
            return None  # a runbook this bot does not serve
        declared = self._slots_of(reading.intent).slots
        spans = tuple(span for span in reading.spans if declared is None or span.slot in declared)
        return ParsedIntent(reading.intent, {span.slot: span.text for span in spans}, 1.0, (),
                            "model", spans)

    def _name_alone(self, intent: str, spans: Sequence[SlotSpan],
                    anything: Callable[[], Sequence[SlotSpan]]
                    ) -> tuple[str, tuple[SlotSpan, ...]] | None:
        """A read given one name, read as a deployment, and no namespace, where the name
        is not a workload's by its shape (`names.names_a_role`): the namespace, read whole
        ("is analytics healthy?", "give edge a once-over", "how's ml-serving doing"). The
        model cannot tell a namespace from a deployment when nothing else is named, and
        asked of one name alone, a health question is about a team's namespace more
        often than not; "checkout-api" or "search-gw" stays a deployment.

        The read is the runbook itself when a namespace alone will do (`diagnose`), else
        the read its `namespace_wide` names. Returns that read and its spans; None to keep
        the reading. The conversation reads the name as the deployment again when the
        cluster has no such namespace and one deployment of that name.
        """
        if self.catalogue is None or not self._reads(intent):
            return None
        runbooks = self.catalogue.runbooks
        runbook = runbooks[intent]
        types = {spec.type for spec in runbook.slots.values()}
        if "namespace" in types and not types & _OBJECT_TYPES and not any(
                runbook.slots[span.slot].type == "namespace" for span in spans):
            # A read of a namespace only ("image inventory for edge", "best-practice audit
            # of identity"): the model read the name as a deployment, which the runbook
            # does not take, so nothing was read for it.
            named = [span for span in anything() if span.slot == "deployment"
                     and not any(s.start < span.end and span.start < s.end for s in spans)]
            namespace = next(n for n, spec in runbook.slots.items() if spec.type == "namespace")
            if len(named) != 1 or names_a_role(named[0].text):
                return None
            return intent, tuple(sorted((*spans, replace(named[0], slot=namespace)),
                                        key=lambda span: (span.start, span.slot)))
        named = [span for span in spans if runbook.slots[span.slot].type in _OBJECT_TYPES]
        if (len(named) != 1 or runbook.slots[named[0].slot].type != "deployment"
                or any(runbook.slots[span.slot].type == "namespace" for span in spans)
                or names_a_role(named[0].text)):
            return None
        target = intent if not runbook.slots[named[0].slot].required else runbook.namespace_wide
        wide = runbooks.get(target or "")
        if (wide is None or wide.risk != Risk.READ or "namespace" not in wide.slots
                or any(spec.required and spec.type != "namespace"
                       for spec in wide.slots.values())):
            return None
        kept = tuple(replace(span, slot="namespace") if span is named[0] else span
                     for span in spans if span is named[0] or span.slot in wide.slots)
        return str(target), kept

    def _by_shape(self, intent: str, spans: Sequence[SlotSpan], words: Sequence[Word],
                  norm: Normalised, text: str) -> SlotSpan | None:
        """The deployment a read names by a name's shape alone (`names.name_shaped`), when
        the model read no object for it (or the namespace, when it read none either).
        Only for reads: a change never takes an object the model did not read as one (the
        conversation asks which)."""
        if self.catalogue is None or not self._reads(intent):
            return None
        runbook = self.catalogue.runbooks[intent]
        deployment = next((name for name, spec in runbook.slots.items()
                           if spec.type == "deployment"), None)
        objects = {name for name, spec in runbook.slots.items() if spec.type in _OBJECT_TYPES}
        if deployment is None or objects & {span.slot for span in spans}:
            return None
        if "namespace" in runbook.slots and "namespace" not in {span.slot for span in spans}:
            # With no namespace read either, the name may be the namespace's ("is
            # team-risk healthy?"): a read that takes a namespace alone reads it as one,
            # a read that needs a deployment takes neither (it asks).
            if runbook.slots[deployment].required:
                return None
            return name_shaped(words, norm, text, "namespace", spans)
        return name_shaped(words, norm, text, deployment, spans)
