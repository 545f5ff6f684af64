"""Slack clean-up and word splitting keep offsets into the user's original text."""

from __future__ import annotations

from intents.text import normalise, split_words


def test_mentions_backticks_and_emoji_are_removed_with_offsets() -> None:
    text = "<@U0123ABCD> restart `checkout-api` in prod :fire:"
    norm = normalise(text)
    assert norm.text == "restart checkout-api in prod"
    start = norm.text.index("checkout-api")
    o_start, o_end = norm.original_span(start, start + len("checkout-api"))
    assert text[o_start:o_end] == "checkout-api"


def test_links_keep_their_label() -> None:
    assert normalise("see <#C123|ops-alerts> and <https://x.io|the docs>").text == (
        "see ops-alerts and the docs"
    )


def test_colons_inside_names_are_not_emoji() -> None:
    assert normalise("set image to nginx:1.25 :+1:").text == "set image to nginx:1.25"


def test_split_words_peels_punctuation_but_keeps_names_whole() -> None:
    words = [w.text for w in split_words("drain ip-10-0-1-23.ec2.internal, then ghcr.io/a/b:v2.3.1?")]
    assert words == ["drain", "ip-10-0-1-23.ec2.internal", ",", "then", "ghcr.io/a/b:v2.3.1", "?"]


def test_word_offsets_point_into_the_text() -> None:
    text = "why is (calc-app) crashing?"
    for word in split_words(text):
        assert text[word.start : word.end] == word.text
