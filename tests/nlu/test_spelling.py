"""Misspelt command words are read as meant; real words, names and slot values are not
touched."""

from __future__ import annotations

import pytest

from intents import ModelParser
from intents.spelling import COMMAND_WORDS, corrected

# Stands in for the encoder's vocabulary: the English words it has whole.
VOCABULARY = {"scaled", "stats", "drained", "restored", "delayed", "statue", "states",
              "lowers", "events", "checker"}


def known(word: str) -> bool:
    return word in VOCABULARY


@pytest.mark.parametrize(("typed", "meant"), [
    ("rolback", "rollback"),     # a letter dropped
    ("resstart", "restart"),     # one too many
    ("restrat", "restart"),      # two neighbours swapped
    ("dpeloyment", "deployment"),
    ("evnets", "events"),
    ("namespce", "namespace"),
    ("Rolback", "rollback"),     # whatever the case
    ("suspnd", "suspend"),
    ("cordn", "cordon"),
    ("lgos", "logs"),            # four letters: two neighbours swapped only (a trial)
    ("lsit", "list"),
    ("shwo", "show"),
])
def test_a_typo_of_a_command_word_is_read_as_that_word(typed: str, meant: str) -> None:
    assert corrected(typed, known) == meant


@pytest.mark.parametrize("word", [
    "scaled", "stats", "drained", "restored",  # English the encoder knows: kept
    "cordoned", "rollback", "events",          # command words themselves
    "autoscale", "rightsizing",                # words of their own, one edit from one
    "nto", "logz", "podz", "lgo", "wohs",      # too short to tell, or not one swap
    "checkout-api", "node-3", "api.prod", "v2.3.1", "restart2",  # names, versions
    "résumé",                                  # not plain letters
    "zzzzzzz", "payments",                     # no command word near
])
def test_other_words_are_left_as_typed(word: str) -> None:
    assert corrected(word, known) == word


@pytest.mark.parametrize(("typed", "meant"), [
    ("rstrt", "restart"), ("RSTRT", "restart"), ("scl", "scale"), ("lgs", "logs"),
    ("dscrb", "describe"), ("crdn", "cordon"),   # a command word without its vowels
    ("desc", "describe"), ("ns", "namespace"),
    ("w/", "with"),                              # kubectl's and chat's shorthand
])
def test_shorthand_is_read_as_the_word_it_stands_for(typed: str, meant: str) -> None:
    """A second user trial: "pls rstrt chkout-api" read "rstrt" as the deployment, "desc
    po calc-app" and "any sts in prod ns?" were not understood."""
    assert corrected(typed, known) == meant


@pytest.mark.parametrize("word", [
    "dlt", "dltd",   # never a deletion the deletion guard cannot see
    "trmnt", "termnate",  # nor a termination (an attacker review: a drain was planned)
    "nginx", "tsk",  # a name; no command word
    "sts", "svc",    # kinds no runbook changes: the model reads them as they are
    "pls", "plz",    # known as typed (read as "please", words to a colleague asked it)
    "po",            # "pods" cost a blind incident set a message read right
])
def test_shorthand_that_could_mislead_is_left_as_typed(word: str) -> None:
    assert corrected(word, known) == word


def test_a_typo_one_edit_from_two_command_words_is_left_alone() -> None:
    # "evens" could be "event" or "events", "limis" "limit" or "limits": no guess.
    assert corrected("evens", known) == "evens"
    assert corrected("limis", known) == "limis"
    assert corrected("limts", known) == "limits"  # one edit from "limits" only


def test_every_command_word_is_lower_case_letters() -> None:
    assert all(w.isascii() and w.isalpha() and w == w.lower() for w in COMMAND_WORDS)


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("rolback ledger-api in payments", "rollback_deployment",
     {"deployment": "ledger-api", "namespace": "payments"}),
    ("pls restrat the checkout-web deployment in shop", "restart_deployment",
     {"deployment": "checkout-web", "namespace": "shop"}),
    ("show me the evnets in warehouse", "recent_events", {"namespace": "warehouse"}),
    ("pls rstrt chkout-api in prod", "restart_deployment",
     {"deployment": "chkout-api", "namespace": "prod"}),
    ("desc po calc-app in prod", "deployment_status",
     {"deployment": "calc-app", "namespace": "prod"}),
    ("lgos for calc-app in prod", "pod_logs", {"deployment": "calc-app", "namespace": "prod"}),
])
def test_the_shipped_model_reads_a_misspelt_request(shipped_model: ModelParser, text: str,
                                                    intent: str, slots: dict[str, str]) -> None:
    parsed = shipped_model.parse(text)
    assert parsed.intent == intent
    assert dict(parsed.slots) == slots


def test_slots_point_into_the_text_as_typed(shipped_model: ModelParser) -> None:
    text = "pls restrat the checkout-web deployment in shop"
    parsed = shipped_model.parse(text)
    assert parsed.spans
    assert all(text[span.start:span.end] == span.text for span in parsed.spans)
