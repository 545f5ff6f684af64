"""The catalogue fingerprint: one function, used by the catalogue and by training."""

from __future__ import annotations

from dataclasses import replace

from chatops.runbook.catalogue import Catalogue, catalogue_fingerprint
from finetune.data import GenerationConfig, dataset_from_catalogue

TINY = GenerationConfig(per_intent_train=2, per_intent_dev=1, meta_train=1, meta_dev=1,
                        oos_train=2, oos_dev=1)


def test_fingerprint_is_sorted_names_with_sorted_slot_names(catalogue: Catalogue) -> None:
    fp = catalogue.fingerprint
    assert list(fp) == sorted(catalogue.runbooks)
    assert fp["show_pods"] == ("deployment", "namespace")
    assert all(list(slots) == sorted(slots) for slots in fp.values())


def test_training_data_records_the_catalogues_fingerprint(catalogue: Catalogue) -> None:
    assert dataset_from_catalogue(catalogue, config=TINY).fingerprint == catalogue.fingerprint
    assert catalogue.fingerprint == catalogue_fingerprint(catalogue.runbooks)


def test_a_new_slot_changes_the_fingerprint(catalogue: Catalogue) -> None:
    rb = catalogue.runbooks["show_pods"]
    slots = {**rb.slots, "node": rb.slots["namespace"]}
    changed = Catalogue({**catalogue.runbooks, "show_pods": replace(rb, slots=slots)})
    assert changed.fingerprint["show_pods"] == ("deployment", "namespace", "node")
    assert changed.fingerprint != catalogue.fingerprint
