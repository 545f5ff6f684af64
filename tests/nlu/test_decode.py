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


def test_sentences_end_at_spaced_punctuation_only() -> None:
    from intents.parser import sentences

    words = split_words("checkout is down. can you look at app.prod? thanks!")
    ranges = sentences(words)
    assert [" ".join(w.text for w in words[a:b]) for a, b in ranges] == [
        "checkout is down .", "can you look at app . prod ?", "thanks !"
    ]


def test_name_dot_namespace_decodes_to_two_slots() -> None:
    text = "restart `checkout.prod`"
    tags = ["O", "B-deployment", "O", "B-namespace"]
    assert _spans(text, tags) == {"deployment": "checkout", "namespace": "prod"}
