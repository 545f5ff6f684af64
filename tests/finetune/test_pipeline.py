"""End to end: train a tiny model for a few steps, export ONNX, serve it with ModelParser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatops.model import ParsedIntent
from finetune.data import GenerationConfig

pytestmark = [pytest.mark.train, pytest.mark.slow]

TINY = GenerationConfig(per_intent_train=4, per_intent_dev=2, meta_train=2, meta_dev=1,
                        oos_train=10, oos_dev=5)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained for 3 steps and exported (quality is irrelevant here)."""
    pytest.importorskip("torch")
    from finetune.train import train_ops

    out = tmp_path_factory.mktemp("nlu")
    train_ops(out / "model", max_steps=3, generation=TINY, quantize="int8",
              checkpoint_dir=out / "checkpoint", disable_tqdm=True, eval_each_epoch=False,
              eval_at_end=False)
    return out / "model"


def test_exported_directory_is_complete(tiny_model: Path) -> None:
    assert {p.name for p in tiny_model.iterdir()} >= {
        "model.onnx", "tokenizer.json", "labels.json", "meta.json"
    }
    meta = json.loads((tiny_model / "meta.json").read_text())
    assert meta["weights"].startswith("int8")
    assert meta["train"]["rounds"] == TINY.rounds
    assert "restart_deployment" in meta["catalogue"]
    # As `chatops nlu train` runs it: no torch dev pass after the last step, the export's
    # fp32 pass over the same dev set is the figure.
    history = json.loads((tiny_model.parent / "checkpoint" / "train_results.json").read_text())
    assert history["history"] and all("dev" not in entry for entry in history["history"])
    assert meta["metrics"]["dev_fp32"]["n"] > 0


def test_tiny_model_parses_with_onnx_runtime(tiny_model: Path) -> None:
    from intents import ModelParser

    parser = ModelParser(tiny_model, threads=1)
    parsed = parser.parse("<@U0123ABCD> restart `checkout` in prod")
    assert isinstance(parsed, ParsedIntent)
    assert parsed.intent in parser.intents
    assert 0.0 < parsed.confidence <= 1.0
    assert len(parsed.alternatives) == 3
