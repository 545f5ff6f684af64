"""Training data generated from the catalogue: deterministic, aligned, split by template."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chatops.model import META_INTENTS, OUT_OF_SCOPE
from chatops.runbook.catalogue import Catalogue
from finetune.data import Dataset, GenerationConfig, dataset_from_catalogue

SMALL = GenerationConfig(per_intent_train=40, per_intent_dev=10, meta_train=20, meta_dev=5,
                         oos_train=100, oos_dev=30)


@pytest.fixture(scope="module")
def dataset(catalogue: Catalogue) -> Dataset:
    return dataset_from_catalogue(catalogue, config=SMALL)


def test_same_seed_same_data(catalogue: Catalogue, dataset: Dataset) -> None:
    assert dataset_from_catalogue(catalogue, config=SMALL) == dataset


def test_every_intent_is_covered(catalogue: Catalogue, dataset: Dataset) -> None:
    expected = set(catalogue.runbooks) | set(META_INTENTS) | {OUT_OF_SCOPE}
    assert set(dataset.intents) == expected
    assert {s.intent for s in dataset.train} == expected


def test_dev_templates_are_held_out(dataset: Dataset) -> None:
    train_templates = {s.template for s in dataset.train}
    dev_templates = {s.template for s in dataset.dev}
    assert dev_templates and not train_templates & dev_templates


def test_tags_agree_with_spans(dataset: Dataset) -> None:
    for sample in dataset.train + dataset.dev:
        assert len(sample.words) == len(sample.tags)
        for span in sample.spans:
            assert sample.text[span.start : span.end] == span.text
        tagged = [t for t in sample.tags if t.startswith("B-")]
        assert len(tagged) == len(sample.spans), sample
        assert all(t in dataset.slot_labels for t in sample.tags)


def test_extra_templates_are_trained_on_and_never_in_dev(catalogue: Catalogue) -> None:
    from chatops.runbook.markup import parse_markup
    from finetune.data import Template

    text, spans = parse_markup("the [ledger](deployment) pods look sad in [ops](namespace)")
    extra = Template("feedback#0", "diagnose", text, spans)
    data = dataset_from_catalogue(catalogue, config=SMALL, extra=[extra])
    trained = [s for s in data.train if s.template == "feedback#0"]
    assert trained and all(s.intent == "diagnose" for s in trained)
    assert {sp.slot for s in trained for sp in s.spans} <= {"deployment", "namespace"}
    assert not [s for s in data.dev if s.template == "feedback#0"]
    # Everything else is generated as before.
    assert data.dev == dataset_from_catalogue(catalogue, config=SMALL).dev


def test_long_messages_keep_their_slots(catalogue: Catalogue) -> None:
    config = GenerationConfig(per_intent_train=4, per_intent_dev=4, meta_train=1, meta_dev=1,
                              oos_train=4, oos_dev=4, force_long=True)
    data = dataset_from_catalogue(catalogue, config=config)
    runbook = [s for s in data.dev if s.intent in catalogue.runbooks]
    assert runbook
    assert sum(len(s.text.split()) for s in runbook) / len(runbook) >= 40
    for sample in runbook:
        for span in sample.spans:
            assert sample.text[span.start : span.end] == span.text


def test_lexicon_values_are_ones_the_slot_types_accept() -> None:
    from chatops.runbook.slots import Bounds, parse_slot
    from finetune import lexicon

    for check in lexicon._HYGIENE_CHECKS:
        parse_slot("check", "hygiene_check", check)
    for cpu in lexicon._CPU_AMOUNTS:
        parse_slot("cpu_request", "cpu", cpu, Bounds(1, 256000))
    for memory in lexicon._MEMORY_AMOUNTS:
        parse_slot("memory_limit", "memory", memory, Bounds(4, 1048576))
    for duration in (*lexicon._DURATIONS, *lexicon._DURATION_WORDS):
        parse_slot("since", "duration", duration, Bounds(1, 604800))
    # Composed durations ("45 minutes", "3hrs"): every unit spelling, every number drawn.
    import random

    drawn = {lexicon.Lexicon(random.Random(seed), dev=False, seed=13,
                             composed_durations=True).duration() for seed in range(2000)}
    for duration in drawn:
        parse_slot("since", "duration", duration, Bounds(1, 604800))
    assert len(drawn - {*lexicon._DURATIONS, *lexicon._DURATION_WORDS}) > 100


def test_meta_phrases_tell_cancel_from_undo_and_deny() -> None:
    from finetune.phrases import META_PHRASES

    assert "scrap my last request" in META_PHRASES["cancel"]
    assert "no thanks, leave it" in META_PHRASES["deny"]
    assert not set(META_PHRASES["cancel"]) & set(META_PHRASES["undo"])


def test_rounds_draw_more_distinct_training_messages_and_keep_dev(
        catalogue: Catalogue, dataset: Dataset) -> None:
    three = dataset_from_catalogue(
        catalogue, config=replace(SMALL, rounds=3))
    assert len(three.train) == 3 * len(dataset.train)
    # Fresh names and noise each round, not three copies of one round.
    assert len({s.text for s in three.train}) > 2 * len({s.text for s in dataset.train})
    assert three.dev == dataset.dev
    with pytest.raises(ValueError, match="rounds must be at least 1"):
        replace(SMALL, rounds=0)


def test_antecedents_are_generated_at_the_configured_share(catalogue: Catalogue) -> None:
    """With antecedents on, many long requests refer back to a target named before them
    ("We paused X on Friday. ... resume that cronjob"); with them off, few do."""
    def referring_back(share: float) -> float:
        config = GenerationConfig(per_intent_train=12, per_intent_dev=1, meta_train=1,
                                  meta_dev=1, oos_train=4, oos_dev=1, force_long=True,
                                  antecedent_prob=(share, share))
        data = dataset_from_catalogue(catalogue, config=config)
        assert data.antecedent_prob == (share, share)
        targets = [s for s in data.train if s.intent in catalogue.runbooks
                   and any(span.slot in {"deployment", "pod", "cronjob"} for span in s.spans)]
        back = 0
        for sample in targets:
            end = max(span.end for span in sample.spans
                      if span.slot in {"deployment", "pod", "cronjob"})
            rest = f" {sample.text[end:].lower()} "
            back += any(f" {word}" in rest for word in (
                "it ", "it!", "it.", "it?", "that ", "this ", "the deployment", "the pod",
                "the cronjob", "the cron job", "the app", "the bad pod"))
        for sample in data.train:
            for span in sample.spans:
                assert sample.text[span.start : span.end] == span.text
        return back / len(targets)

    assert referring_back(1.0) > referring_back(0.0) + 0.25
