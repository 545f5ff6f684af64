"""Talk around changes (finetune/talk.py): out of scope, for every change, without
touching the rest of the data, and with requests that keep their label after such talk."""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest

from chatops.model import OUT_OF_SCOPE, Risk
from chatops.runbook.catalogue import Catalogue
from finetune.data import Dataset, GenerationConfig, dataset_from_catalogue
from finetune.lexicon import Lexicon
from finetune.talk import TalkWriter

SMALL = GenerationConfig(per_intent_train=40, per_intent_dev=10, meta_train=20, meta_dev=5,
                         oos_train=100, oos_dev=30)


@pytest.fixture(scope="module")
def with_talk(catalogue: Catalogue) -> Dataset:
    return dataset_from_catalogue(catalogue, config=replace(SMALL, talk=300))


def _changes(catalogue: Catalogue) -> set[str]:
    return {name for name, rb in catalogue.runbooks.items() if rb.risk != Risk.READ}


def test_every_change_the_catalogue_makes_is_talked_about(catalogue: Catalogue) -> None:
    # A new runbook that changes something needs its verbs in finetune.talk.CHANGES, or
    # the model never learns talk about it from requests for it.
    writer = TalkWriter(random.Random(1), Lexicon(random.Random(1)), {}, sorted(_changes(catalogue)))
    assert set(writer.intents) == _changes(catalogue)


def test_talk_is_out_of_scope_and_context_keeps_the_request(
    catalogue: Catalogue, with_talk: Dataset
) -> None:
    talk = [s for s in with_talk.train if s.template.startswith(f"{OUT_OF_SCOPE}#talk-")]
    requests = [s for s in with_talk.train
                if "#talk-" in s.template and s.intent != OUT_OF_SCOPE]
    context = [s for s in requests if s.template.endswith("#talk-context")]
    assert len(talk) >= 290 * SMALL.rounds
    assert {s.intent for s in talk} == {OUT_OF_SCOPE}
    # Every change is talked about, and each talk names its target as a slot.
    assert {s.template.split("#talk-")[1] for s in talk} == _changes(catalogue)
    assert all(any(t != "O" for t in s.tags) for s in talk)
    # As many requests around talk or remarks (GenerationConfig.talk_requests), of each
    # kind, so that a second clause alone never makes a message talk.
    assert 280 <= len(requests) <= 300
    assert {s.template.rsplit("#talk-", 1)[1] for s in requests} == {
        "context", "reason", "remark", "need"}
    assert {s.intent for s in requests} == _changes(catalogue)
    assert all(any(t != "O" for t in s.tags) for s in requests)
    for sample in context:
        # The talk before the request refers to "it": nothing in it is tagged.
        first_tag = next(i for i, t in enumerate(sample.tags) if t != "O")
        assert "it" in [w.lower().strip(".,;") for w in sample.words[:first_tag]]


def test_talk_never_asks(with_talk: Dataset) -> None:
    # No request lead or tail is added to talk: "can you I'll restart X tonight" would
    # teach the model that a request is talk.
    leads = re.compile(r"^(?:<@\w+> )?(?:pls|please|can you|could you|i need you to|"
                       r"would you|need to|bot|hey bot)\b(?! (?:don't|no)\b)", re.IGNORECASE)
    talk = [s for s in with_talk.train if s.template.startswith(f"{OUT_OF_SCOPE}#talk-")]
    assert not [s.text for s in talk if leads.match(s.text)]


def test_talk_leaves_the_rest_of_the_data_as_it_was(
    catalogue: Catalogue, with_talk: Dataset
) -> None:
    without = dataset_from_catalogue(catalogue, config=SMALL)
    rest = [s for s in with_talk.train if "#talk" not in s.template]
    assert sorted(rest, key=repr) == sorted(without.train, key=repr)
    assert with_talk.dev == without.dev
    assert with_talk.talk == 300 and without.talk == 0


def test_talk_is_deterministic(catalogue: Catalogue, with_talk: Dataset) -> None:
    assert dataset_from_catalogue(catalogue, config=replace(SMALL, talk=300)) == with_talk
    other = dataset_from_catalogue(catalogue, config=replace(SMALL, talk=300, seed=14))
    assert {s.text for s in other.train} != {s.text for s in with_talk.train}


def test_negative_talk_is_refused() -> None:
    for bad in ({"talk": -1}, {"talk_requests": -0.5}, {"talk_status": 1.5}):
        with pytest.raises(ValueError, match="talk"):
            GenerationConfig(**bad)


def test_reports_of_something_else_come_before_requests(
    catalogue: Catalogue, with_talk: Dataset
) -> None:
    # Off (the default) the requests around talk are drawn exactly as before.
    assert not [s for s in with_talk.train if s.template.endswith("#talk-status")]
    data = dataset_from_catalogue(catalogue, config=replace(SMALL, talk=300, talk_status=0.5))
    status = [s for s in data.train if s.template.endswith("#talk-status")]
    assert 100 <= len(status) <= 200
    assert {s.intent for s in status} <= _changes(catalogue)
    # The report names nothing the model should tag: the first tag is in the request.
    for sample in status:
        first_tag = next(i for i, t in enumerate(sample.tags) if t != "O")
        assert first_tag >= 2


def test_replies_to_a_waiting_plan_come_after_talk_that_says_what_happened(
    catalogue: Catalogue, with_talk: Dataset
) -> None:
    # Off (the default) nothing is drawn for them, so the rest of the data is unchanged.
    assert not [s for s in with_talk.train if s.template.endswith("#talk-told")]
    data = dataset_from_catalogue(catalogue, config=replace(SMALL, talk=300, talk_replies=0.2))
    before = [s.text for s in data.train if not s.template.endswith("#talk-told")]
    assert sorted(before) == sorted(s.text for s in with_talk.train)
    told = [s for s in data.train if s.template.endswith("#talk-told")]
    assert len(told) == 60
    assert {s.intent for s in told} == {"confirm", "cancel", "deny"}
    for sample in told:
        # The talk comes first and is longer than any reply word.
        assert len(sample.text.split()) >= 3, sample.text
        assert set(sample.tags) == {"O"}, sample.text  # a reply has no slots

