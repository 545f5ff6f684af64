"""Slack clean-up and word splitting keep offsets into the user's original text."""

from __future__ import annotations

import pytest

from intents.emoji import as_word
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


def test_struck_text_is_taken_back() -> None:
    """A user trial: "~restart checkout-api~ no wait, just show me the pods in prod" was
    read with the restart the writer had struck through."""
    text = "~restart checkout-api~ no wait, just show me the pods in prod"
    norm = normalise(text)
    assert norm.text == "no wait, just show me the pods in prod"
    start = norm.text.index("prod")
    assert text[slice(*norm.original_span(start, start + 4))] == "prod"
    # A tilde inside a word, or one alone, is no strikethrough.
    assert normalise("scale api~2 to ~3").text == "scale api2 to 3"


def test_colons_inside_names_are_not_emoji() -> None:
    assert normalise("set image to nginx:1.25 :fire:").text == "set image to nginx:1.25"


@pytest.mark.parametrize(("text", "word"), [
    (":+1:", "yes"), (":thumbsup::skin-tone-3:", "yes"), (":white_check_mark:", "yes"),
    (":-1:", "no"), (":thumbsdown:", "no"), (":x:", "no"),
])
def test_shortcodes_that_say_yes_or_no_stay_one_word(text: str, word: str) -> None:
    """Slack sends "👍" as ":+1:": kept, one word, read as the emoji is; other shortcodes
    (":fire:", ":+1::fire:") are markup and go."""
    norm = normalise(f"lgtm {text} thanks")
    assert norm.text == f"lgtm {text} thanks"
    words = split_words(norm.text)
    assert [w.text for w in words] == ["lgtm", text, "thanks"]
    assert as_word(words[1].text) == word
    assert normalise("lgtm :+1::fire: thanks").text == "lgtm thanks"
    assert as_word(":fire:") == ":fire:"


def test_split_words_peels_punctuation_but_keeps_names_whole() -> None:
    words = [w.text for w in split_words("drain ip-10-0-1-23.ec2.internal, then ghcr.io/a/b:v2.3.1?")]
    assert words == ["drain", "ip-10-0-1-23.ec2.internal", ",", "then", "ghcr.io/a/b:v2.3.1", "?"]


def test_word_offsets_point_into_the_text() -> None:
    text = "why is (calc-app) crashing?"
    for word in split_words(text):
        assert text[word.start : word.end] == word.text


def _words(text: str) -> list[str]:
    return [w.text for w in split_words(normalise(text).text)]


def test_kubectl_kind_slash_name_is_split() -> None:
    assert _words("restart `deploy/app` in prod") == [
        "restart", "deploy", "/", "app", "in", "prod"
    ]
    assert _words("logs of pod/checkout-api-7d9f8b6c5-x2kqp") == [
        "logs", "of", "pod", "/", "checkout-api-7d9f8b6c5-x2kqp"
    ]
    assert _words("drain node/ip-10-0-1-23.ec2.internal") == [
        "drain", "node", "/", "ip-10-0-1-23.ec2.internal"
    ]


def test_name_dot_namespace_is_split() -> None:
    assert _words("what's wrong with app.prod?") == ["what's", "wrong", "with", "app", ".",
                                                      "prod", "?"]
    assert _words("api.shop.svc.cluster.local is down") == [
        "api", ".", "shop", ".", "svc.cluster.local", "is", "down"
    ]


def test_hosts_images_files_and_versions_stay_whole() -> None:
    for word in ("ip-10-0-1-23.ec2.internal", "ip-10-0-1-23.eu-west-1.compute.internal",
                 "ghcr.io/acme/api:v2.3.1", "registry.example.com/team/api:1.2",
                 "acme/cart:1.9.0", "nginx:1.25", "v1.2", "1.25.3", "example.com",
                 "values.yaml", "gke-prod-pool-1-8f3a2b1c-x9zq"):
        assert _words(f"use {word} now") == ["use", word, "now"], word


def test_quotes_are_peeled_off_names() -> None:
    assert _words("the deployment called 'api' in the \u201cshop\u201d namespace") == [
        "the", "deployment", "called", "'", "api", "'", "in", "the", "\u201c", "shop",
        "\u201d", "namespace",
    ]
    text = "restart deploy/app.prod"
    assert [text[w.start : w.end] for w in split_words(text)] == [
        "restart", "deploy", "/", "app", ".", "prod"
    ]


def test_flags_are_split_at_equals() -> None:
    assert _words("--limits=memory=1Gi --image=nginx:1.27") == [
        "--limits", "=", "memory", "=", "1Gi", "--image", "=", "nginx:1.27"
    ]


def test_at_sign_before_a_namespace_is_its_own_word() -> None:
    assert _words("logs for checkout @prod") == ["logs", "for", "checkout", "@", "prod"]
    assert _words("restart checkout (prod)") == ["restart", "checkout", "(", "prod", ")"]
