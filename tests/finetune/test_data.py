"""Training data generated from the catalogue: deterministic, aligned, split by template."""

from __future__ import annotations

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
