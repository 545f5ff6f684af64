"""The `hygiene_check` slot type: people's words for a pod hygiene check, made canonical."""

from __future__ import annotations

import pytest

from chatops.errors import GrammarError, SlotError
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.grammar import parse_explicit
from chatops.runbook.render import render
from chatops.runbook.slots import parse_slot
from chatops.verbs import HYGIENE_CHECKS


@pytest.mark.parametrize(("phrase", "canonical"), [
    ("memory limits", "memory-limits"),
    ("Memory Limits", "memory-limits"),
    ("no cpu requests", "cpu-requests"),
    ("missing CPU limits", "cpu-limits"),
    ("resource requests", "cpu-requests,memory-requests"),
    ("limits", "cpu-limits,memory-limits"),
    ("memory", "memory-requests,memory-limits"),
    ("limit ratio", "limit-ratio"),
    ("readiness probe", "readiness-probe"),
    ("liveness probes", "liveness-probe"),
    ("probes", "readiness-probe,liveness-probe"),
    ("health checks", "readiness-probe,liveness-probe"),
    (":latest", "latest-tag"),
    ("latest tag", "latest-tag"),
    ("untagged", "latest-tag"),
    ("registry", "registry"),
    ("registries outside our list", "registry"),
    # Session 50's end-to-end bench: each was refused as no check.
    ("non-approved registries", "registry"), ("allow-list", "registry"),
    ("images not on the whitelist", "registry"), ("third-party registries", "registry"),
    ("public registries", "registry"),
    ("privileged", "privileged"),
    ("tty", "tty-stdin"),
    ("stdin", "tty-stdin"),
    ("hostpath", "host-path"),
    ("host path volumes", "host-path"),
    ("run as root", "run-as-root"),
    ("root", "run-as-root"),
    ("non-root", "run-as-root"),
    ("memory-limits", "memory-limits"),
    ("liveness-probe,cpu-requests", "cpu-requests,liveness-probe"),
])
def test_phrases_become_canonical_checks(phrase: str, canonical: str) -> None:
    assert parse_slot("check", "hygiene_check", phrase) == canonical


@pytest.mark.parametrize(("phrase", "canonical"), [
    # Checks joined by "and" / "or" / commas are each read on their own, with what people
    # leave out of one taken from its neighbour.
    ("cpu and memory limits", "cpu-limits,memory-limits"),
    ("cpu requests and memory limits", "cpu-requests,memory-limits"),
    ("memory requests and limits", "memory-requests,memory-limits"),
    ("requests or limits", "cpu-requests,memory-requests,cpu-limits,memory-limits"),
    ("cpu or memory requests or limits",
     "cpu-requests,memory-requests,cpu-limits,memory-limits"),
    ("readiness and liveness probes", "readiness-probe,liveness-probe"),
    ("privileged or mount hostPath", "privileged,host-path"),
    ("untrusted registries or unpinned images", "latest-tag,registry"),
    ("running as root, privileged", "privileged,run-as-root"),
    ("limit ratio and memory limits", "memory-limits,limit-ratio"),
    # What one part leaves out comes from the other, never everything.
    ("limits and requests for memory", "memory-requests,memory-limits"),
    ("cpu requests and memory", "cpu-requests,memory-requests"),
])
def test_several_checks_in_one_phrase_are_each_read(phrase: str, canonical: str) -> None:
    assert parse_slot("check", "hygiene_check", phrase) == canonical


@pytest.mark.parametrize("phrase", ["memory limitz", "banana", "the", "network policies",
                                    "memory-limits,bogus"])
def test_an_unknown_phrase_is_refused_listing_the_checks(phrase: str) -> None:
    with pytest.raises(SlotError) as err:
        parse_slot("check", "hygiene_check", phrase)
    assert "is not a pod hygiene check" in err.value.message
    assert all(check in err.value.hint for check in HYGIENE_CHECKS)


def test_explicit_grammar_and_rendering(catalogue: Catalogue) -> None:
    rb = catalogue.get("pod_hygiene")
    intent = parse_explicit("run pod_hygiene namespace=prod check=memory-limits", catalogue)
    plan = render(rb, dict(intent.slots))
    assert dict(plan.steps[0].params) == {"namespace": "prod", "check": "memory-limits"}
    everything = render(rb, {})
    assert dict(everything.steps[0].params) == {"namespace": None, "check": None}
    with pytest.raises(SlotError):
        render(rb, {"check": "seccomp"})
    with pytest.raises(GrammarError):
        parse_explicit("run pod_hygiene checks=probes", catalogue)


def test_namespace_only_diagnose_plans_a_scan(catalogue: Catalogue) -> None:
    plan = render(catalogue.get("diagnose"), {"namespace": "billing"})
    assert dict(plan.steps[0].params) == {"namespace": "billing", "deployment": None,
                                          "pod": None}


@pytest.mark.parametrize(("phrase", "suggested"), [
    ("memroy limits", "memory limits"),
    ("readines probes", "readiness probes"),
    ("cpu limts and memroy requests", "cpu limits and memory requests"),
])
def test_a_typo_is_refused_with_the_phrase_it_was_probably_meant_to_be(
        phrase: str, suggested: str) -> None:
    # Never read as the check silently (a typo must not narrow or widen the audit), but
    # the answer says what would be read, so the person can say it.
    with pytest.raises(SlotError) as err:
        parse_slot("check", "hygiene_check", phrase)
    assert err.value.message.endswith(f"Did you mean {suggested!r}?")
    assert parse_slot("check", "hygiene_check", suggested)


@pytest.mark.parametrize("phrase", ["banana", "network policies", "rootless"])
def test_no_suggestion_where_no_check_is_one_letter_away(phrase: str) -> None:
    with pytest.raises(SlotError) as err:
        parse_slot("check", "hygiene_check", phrase)
    assert "Did you mean" not in err.value.message
