"""The ONNX export computes what the torch model computes, and leaves the model as it was."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.train]


def test_the_export_keeps_the_outputs_and_leaves_dropout_off(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    import onnxruntime as ort
    from transformers import BertConfig

    from finetune.export import export_onnx
    from finetune.model import JointIntentSlotModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=120, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=64,
                        max_position_embeddings=64)
    model = JointIntentSlotModel.from_config(config, num_intents=5, num_slots=7).eval()
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    # The exporter restores the mode of the module it was given; the model stays in eval
    # mode, so anything that reads it after the export (a dev pass) has dropout off.
    assert not model.training
    rng = np.random.default_rng(1)
    ids = rng.integers(5, 120, size=(2, 9)).astype(np.int64)
    mask = np.ones_like(ids)
    mask[1, 6:] = 0  # a padded row (another length than the export's dummy input, too)
    with torch.no_grad():
        intents, slots = (x.numpy() for x in model(torch.from_numpy(ids), torch.from_numpy(mask)))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got_intents, got_slots = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                                "token_type_ids": np.zeros_like(ids)})
    np.testing.assert_allclose(got_intents, intents, atol=1e-4)
    np.testing.assert_allclose(np.asarray(got_slots)[1, :6], slots[1, :6], atol=1e-4)
    np.testing.assert_allclose(np.asarray(got_slots)[0], slots[0], atol=1e-4)
