"""Words -> sub-word ids for the encoder, shared by training and serving.

Slot labels live on whitespace words; the encoder sees WordPiece sub-words. Each word's
label is read from (and trained on) its *first* sub-word, as in JointBERT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

DEFAULT_MAX_LENGTH = 192
"""Sub-words per message: a whole incident-channel message of about a hundred words (with
long pod and node names) fits, so the model reads context and request together."""


@dataclass(frozen=True)
class Encoded:
    """One utterance ready for the encoder.

    `first_token[i]` is the position of word i's first sub-word, or -1 when the word was
    truncated away (or produced no sub-word at all).
    """

    input_ids: npt.NDArray[np.int64]
    first_token: npt.NDArray[np.int64]


def load_tokenizer(path: str, max_length: int = DEFAULT_MAX_LENGTH) -> Tokenizer:
    """Load a `tokenizer.json` with padding off and truncation at `max_length`."""
    tokenizer = Tokenizer.from_file(path)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def encode_words(tokenizer: Tokenizer, words: Sequence[str]) -> Encoded:
    """Encode pre-split words (with [CLS]/[SEP]) and locate each word's first sub-word."""
    encoding = tokenizer.encode(list(words), is_pretokenized=True)
    first = np.full(len(words), -1, dtype=np.int64)
    for position, word_id in enumerate(encoding.word_ids):
        if word_id is not None and first[word_id] < 0:
            first[word_id] = position
    return Encoded(np.asarray(encoding.ids, dtype=np.int64), first)


def pad_batch(
    encoded: Sequence[Encoded], pad_id: int = 0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Right-pad a batch; return `input_ids` and `attention_mask` arrays."""
    length = max(len(e.input_ids) for e in encoded)
    ids = np.full((len(encoded), length), pad_id, dtype=np.int64)
    mask = np.zeros((len(encoded), length), dtype=np.int64)
    for row, item in enumerate(encoded):
        ids[row, : len(item.input_ids)] = item.input_ids
        mask[row, : len(item.input_ids)] = 1
    return ids, mask
