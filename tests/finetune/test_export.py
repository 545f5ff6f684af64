"""The ONNX export computes what the torch model computes, and leaves the model as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytestmark = [pytest.mark.train]


def _tiny_model() -> Any:
    torch = pytest.importorskip("torch")
    from transformers import BertConfig

    from finetune.model import JointIntentSlotModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=120, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=64,
                        max_position_embeddings=64)
    return JointIntentSlotModel.from_config(config, num_intents=5, num_slots=7).eval()


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "plain"])
def test_the_export_keeps_the_outputs_and_leaves_dropout_off(tmp_path: Path,
                                                              fused: bool) -> None:
    torch = pytest.importorskip("torch")
    import onnxruntime as ort

    from finetune.export import export_onnx

    model = _tiny_model()
    path = tmp_path / "model.onnx"
    export_onnx(model, path, fused=fused)
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


def test_the_fused_export_has_one_attention_node_per_layer_and_no_mask_selects(
        tmp_path: Path) -> None:
    """The fusion is checked, not hoped for: every layer's attention core is one node, and
    the SDPA mask handling (a Where over every score tensor) is gone."""
    import onnx

    from finetune.export import RECIPES, export_onnx, quantize_model

    model = _tiny_model()
    path = tmp_path / "model.onnx"
    export_onnx(model, path, fused=True)
    # The training attention is left as it was: only the export used the eager one.
    assert model.encoder.config._attn_implementation != "eager"
    ops = [node.op_type for node in onnx.load(str(path)).graph.node]
    assert ops.count("MultiHeadAttention") == 2
    assert "Where" not in ops and "IsNaN" not in ops and "Softmax" not in ops
    assert not list(tmp_path.glob("*.plain"))
    # The int8 recipes run on the fused graph, and the first layer stays fp32 where asked.
    quantized = tmp_path / "model.int8.onnx"
    quantize_model(path, quantized, RECIPES[0])
    graph = onnx.load(str(quantized)).graph
    layer0 = [n.op_type for n in graph.node if "/layer.0/" in n.name]
    layer1 = [n.op_type for n in graph.node if "/layer.1/" in n.name]
    assert "MatMul" in layer0 and "MatMulInteger" not in layer0
    assert "MatMulInteger" in layer1
