"""The confidence bar of a runbook follows its risk in the live catalogue, not meta.json."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatops.model import OUT_OF_SCOPE
from chatops.runbook.catalogue import Catalogue, load_catalogue
from intents import ModelParser, default_model_dir
from runbooks import CATALOGUE_DIR

SHOW_PODS = "show pods in kube-system"

VERIFY = """
verify:
  - verb: wait_pods_ready
    params:
      namespace: "{{ namespace }}"
"""


def raised_copy(tmp_path: Path, name: str) -> Catalogue:
    """A copy of the packaged catalogue where runbook `name` goes from read to write (a
    write runbook must say how it is verified, so the edit adds a check)."""
    folder = tmp_path / "runbooks"
    shutil.copytree(CATALOGUE_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nrisk: read\n" in text
    path.write_text(text.replace("\nrisk: read\n", "\nrisk: write\n") + VERIFY,
                    encoding="utf-8")
    return load_catalogue(folder)


def parser(catalogue: Catalogue, threshold: float | None = None) -> ModelParser:
    return ModelParser(default_model_dir(), catalogue=catalogue, threads=1, threshold=threshold)


def test_raising_a_runbook_to_write_raises_its_bar_without_retraining(
        catalogue: Catalogue, tmp_path: Path) -> None:
    raised = raised_copy(tmp_path, "show_pods")
    before, after = parser(catalogue), parser(raised)
    # Same model files: meta.json still records the training-time risk.
    assert after.meta["risks"]["show_pods"] == "read"
    read_bar = before.threshold_for("show_pods")
    assert read_bar is not None and read_bar < before.threshold
    assert after.threshold_for("show_pods") == after.threshold
    # Other runbooks keep their bars.
    assert after.threshold_for("node_status") == before.threshold_for("node_status")
    assert after.threshold_for("scale_deployment") == before.threshold_for("scale_deployment")


def test_a_raised_runbook_is_no_longer_answered_below_the_mutating_bar(
        catalogue: Catalogue, tmp_path: Path) -> None:
    # A bar no confidence reaches: only read-only runbooks can still be answered.
    assert parser(catalogue, threshold=1.01).parse(SHOW_PODS).intent == "show_pods"
    parsed = parser(raised_copy(tmp_path, "show_pods"), threshold=1.01).parse(SHOW_PODS)
    assert parsed.intent == OUT_OF_SCOPE
    assert parsed.alternatives[0][0] == "show_pods"


def test_meta_intents_keep_their_bars(shipped_model: ModelParser) -> None:
    assert shipped_model.threshold_for("confirm") == shipped_model.threshold
    assert shipped_model.threshold_for("undo") == shipped_model.threshold
    assert shipped_model.threshold_for("help") is None
    assert shipped_model.threshold_for(OUT_OF_SCOPE) is None


def test_a_runbook_missing_from_the_catalogue_is_held_to_the_mutating_bar(
        catalogue: Catalogue) -> None:
    fewer = Catalogue({n: rb for n, rb in catalogue.runbooks.items() if n != "show_pods"})
    partial = parser(fewer)
    assert partial.threshold_for("show_pods") == partial.threshold


def test_without_a_catalogue_the_training_time_risks_are_used(
        caplog: pytest.LogCaptureFixture) -> None:
    bare = ModelParser(default_model_dir(), threads=1)
    with caplog.at_level("WARNING", logger="intents.parser"):
        bare.load()
    assert "meta.json" in caplog.text
    read_bar = bare.threshold_for("show_pods")
    assert read_bar is not None and read_bar < bare.threshold
    assert bare.threshold_for("scale_deployment") == bare.threshold
