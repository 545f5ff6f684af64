"""Training's fused AdamW is a faster kernel, not a different recipe.

`TrainingArguments.fused_optimizer` (the default) swaps torch's foreach AdamW for the fused
one (`finetune.train.adamw`). The same steps from the same seed must move every weight by
the same amount either way: encoder and heads, with and without weight decay.
"""

from __future__ import annotations

from typing import Any

import pytest

from finetune.data import GenerationConfig

pytestmark = [pytest.mark.train, pytest.mark.slow]

TINY = GenerationConfig(per_intent_train=2, per_intent_dev=1, meta_train=1, meta_dev=1,
                        oos_train=4, oos_dev=2)


def _arguments(fused: bool) -> Any:
    from finetune.train import TrainingArguments

    # fp32 and one thread, so the two runs differ in the optimizer's kernel alone; a large
    # weight decay, so that decay is a visible share of each update.
    return TrainingArguments(output_dir="unused", max_steps=3, fused_optimizer=fused,
                             weight_decay=1.0, warmup_ratio=0.0, bf16="false", threads=1,
                             eval_each_epoch=False, disable_tqdm=True)


def _moves_after_steps(fused: bool) -> dict[str, Any]:
    """How far three steps move each weight from where `train_model` starts it."""
    import torch

    from chatops.runbook.catalogue import load_catalogue
    from finetune.data import dataset_from_catalogue
    from finetune.train import DataArguments, ModelArguments, set_seed, train_model

    data = dataset_from_catalogue(load_catalogue(None), config=TINY)
    starts: dict[str, Any] = {}
    original = torch.optim.AdamW.__init__

    def remember_start(self: Any, params: Any, *args: Any, **kwargs: Any) -> None:
        groups = list(params)
        for group in groups:
            for p in group["params"]:
                starts[id(p)] = p.detach().clone()
        original(self, groups, *args, **kwargs)

    set_seed(0)
    torch.optim.AdamW.__init__ = remember_start  # type: ignore[method-assign]
    try:
        result = train_model(data.train, {}, data.intents, data.slot_labels,
                             ModelArguments(), DataArguments(), _arguments(fused))
    finally:
        torch.optim.AdamW.__init__ = original  # type: ignore[method-assign]
    assert result.steps == 3
    return {name: (p.detach() - starts[id(p)])
            for name, p in result.model.named_parameters() if p.requires_grad}


def test_the_setting_chooses_the_kernel() -> None:
    pytest.importorskip("torch")
    from finetune.model import JointIntentSlotModel
    from finetune.train import adamw

    model = JointIntentSlotModel.from_pretrained_encoder(None, 3, 5)
    fused = adamw(model, _arguments(True)).defaults
    foreach = adamw(model, _arguments(False)).defaults
    assert (fused["fused"], fused["foreach"]) == (True, False)
    assert (foreach["fused"], foreach["foreach"]) == (False, True)


def test_fused_adamw_moves_every_weight_as_foreach_adamw_does() -> None:
    torch = pytest.importorskip("torch")
    fused = _moves_after_steps(fused=True)
    foreach = _moves_after_steps(fused=False)
    assert fused.keys() == foreach.keys()
    assert any(name.startswith("intent_head") for name in fused)
    # A key bias adds the same amount to every score of a query, which the softmax cancels:
    # its true gradient is zero, what it gets is rounding noise, and Adam scales noise up
    # to a full step, so the two kernels' last-bit differences decide its direction.
    fused = {name: move for name, move in fused.items() if "self.key.bias" not in name}
    moved = 0
    # atol: a couple of float32 steps of a weight near 1; one step of weight decay here
    # (lr 1e-4 x decay 1.0 x a weight of ~0.05) is 25 times that.
    for name, move in fused.items():
        assert torch.allclose(move, foreach[name], rtol=1e-3, atol=2e-7), name
        moved += bool(move.abs().max() > 0)
    # Every trainable weight moved (else the kernels trivially agree on standing still).
    assert moved == len(fused)
