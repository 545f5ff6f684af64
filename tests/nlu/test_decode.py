"""BIO tags to slot spans over the original text."""

from __future__ import annotations

from intents.parser import decode_spans
from intents.text import normalise, split_words


def _spans(text: str, tags: list[str]) -> dict[str, str]:
    norm = normalise(text)
    words = split_words(norm.text)
    assert len(words) == len(tags)
    return {s.slot: s.text for s in decode_spans(tags, words, norm, text)}


def test_multi_word_span_and_backticks() -> None:
    text = "add `2 more` pods to `orders`"
    tags = ["O", "B-replicas", "I-replicas", "O", "O", "B-deployment"]
    assert _spans(text, tags) == {"replicas": "2 more", "deployment": "orders"}


def test_stray_inside_tag_starts_a_span() -> None:
    assert _spans("restart checkout now", ["O", "I-deployment", "O"]) == {"deployment": "checkout"}
