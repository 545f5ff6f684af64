"""Training's fused AdamW is a faster kernel, not a different recipe.

`TrainingArguments.fused_optimizer` (the default) swaps torch's foreach AdamW for the fused
one because the update took a fifth of every step. The same steps from the same seed must
end at the same weights either way, every parameter group (encoder and heads, with and
without weight decay) included.
"""

from __future__ import annotations

from typing import Any

import pytest

from finetune.data import GenerationConfig

pytestmark = [pytest.mark.train, pytest.mark.slow]

TINY = GenerationConfig(per_intent_train=2, per_intent_dev=1, meta_train=1, meta_dev=1,
                        oos_train=4, oos_dev=2)


def _weights_after_steps(fused: bool) -> dict[str, Any]:
    from chatops.runbook.catalogue import load_catalogue
    from finetune.data import dataset_from_catalogue
    from finetune.train import DataArguments, ModelArguments, TrainingArguments, train_model

    data = dataset_from_catalogue(load_catalogue(None), config=TINY)
    args = TrainingArguments(output_dir="unused", max_steps=3, fused_optimizer=fused,
                             warmup_ratio=0.0, eval_each_epoch=False, disable_tqdm=True)
    result = train_model(data.train, {}, data.intents, data.slot_labels,
                         ModelArguments(), DataArguments(), args)
    assert result.steps == 3
    return {name: value.clone() for name, value in result.model.state_dict().items()}


def test_fused_adamw_ends_at_the_weights_foreach_adamw_ends_at() -> None:
    torch = pytest.importorskip("torch")
    from finetune.model import JointIntentSlotModel

    fused = _weights_after_steps(fused=True)
    foreach = _weights_after_steps(fused=False)
    start = JointIntentSlotModel.from_pretrained_encoder(None, 2, 2).encoder.state_dict()
    assert fused.keys() == foreach.keys()
    moved = 0
    for name, value in fused.items():
        if not value.is_floating_point():
            continue
        assert torch.allclose(value, foreach[name], rtol=1e-4, atol=1e-6), name
        before = start.get(name.removeprefix("encoder."))
        moved += before is not None and not torch.equal(before, value)
    # The steps changed the encoder (else both kernels trivially agree on the start).
    assert moved > 90
