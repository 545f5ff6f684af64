"""An image given as a repository's word and a tag (pure logic of `image_words.py`)."""

from __future__ import annotations

import re

import pytest

from chatops.conversation.image_words import image_as_named, repository_word, short_name
from chatops.model import SlotSpan


def _spans(text: str, slots: dict[str, str]) -> tuple[SlotSpan, ...]:
    out = []
    for slot, value in slots.items():
        found = re.search(rf"(?<![\w.-]){re.escape(value)}(?![\w.-])", text)
        assert found is not None, (slot, value)
        out.append(SlotSpan(slot, found.start(), found.end(), value))
    return tuple(out)


@pytest.mark.parametrize(("text", "slots", "found"), [
    ("put nginx 1.27 on web", {"image": "1.27", "container": "nginx", "deployment": "web"},
     ("nginx", "1.27")),
    ("upgrade web in prod to nginx version 1.27",
     {"image": "1.27", "deployment": "web", "namespace": "prod"}, ("nginx", "1.27")),
    ("web -> redis v7.2.4", {"image": "v7.2.4", "deployment": "web"}, ("redis", "v7.2.4")),
    ("deploy acme/cart 1.9 to shop", {"image": "1.9", "deployment": "shop"},
     ("acme/cart", "1.9")),
    # No repository's word before the tag.
    ("bump web to 1.27", {"image": "1.27", "deployment": "web"}, None),
    ("set web 1.27 in prod", {"image": "1.27", "deployment": "web", "namespace": "prod"},
     None),
    ("roll out 1.27 on web", {"image": "1.27", "deployment": "web"}, None),
    ("upgrade web to version 1.27", {"image": "1.27", "deployment": "web"}, None),
    ("1.27 on web please", {"image": "1.27", "deployment": "web"}, None),
    # Not a bare tag.
    ("set web to nginx:1.27", {"image": "nginx:1.27", "deployment": "web"}, None),
    ("set web to tag latest", {"image": "latest", "deployment": "web"}, None),
])
def test_the_word_before_a_bare_tag_names_the_repository(
        text: str, slots: dict[str, str], found: tuple[str, str] | None) -> None:
    assert repository_word(text, _spans(text, slots)) == found


def test_short_names() -> None:
    assert short_name("registry.acme.io:5000/team/nginx:1.25") == "nginx"
    assert short_name("nginx") == "nginx"
    assert short_name("ghcr.io/acme/calc@sha256:00") == "calc"


def _named(text: str, slots: dict[str, str], containers: tuple[str, ...],
           images: tuple[str, ...]) -> tuple[dict[str, str], str] | None:
    return image_as_named(text, _spans(text, slots), slots, lambda: containers,
                          lambda: images)


def test_the_current_repository_keeps_its_registry() -> None:
    slots = {"image": "1.27", "container": "nginx", "deployment": "web"}
    assert _named("put nginx 1.27 on web", slots, ("app",),
                  ("registry.acme.io/nginx:1.25",)) == ({"image": "1.27",
                                                         "deployment": "web"}, "")


@pytest.mark.parametrize("text", ["deploy redis 7.2 to cache", "deploy hotfix 7.2 to cache",
                                  "set cache to rc 7.2"])
def test_a_word_the_deployment_does_not_run_is_no_repository(text: str) -> None:
    # An attacker review: "deploy hotfix 1.27 to web" planned the image hotfix:1.27, a
    # Docker Hub repository nobody named. The tag stays on the repository it runs.
    slots = {"image": "7.2", "deployment": "cache"}
    named = _named(text, slots, ("app",), ("ghcr.io/acme/cache:3.1",))
    assert named is not None
    assert named[0] == {"image": "7.2", "deployment": "cache"}
    word = text.split()[-4] if text.startswith("deploy") else "rc"
    assert f"name it whole ({word}:7.2)" in named[1]


def test_a_repository_s_path_is_the_image_named() -> None:
    slots = {"image": "1.9", "deployment": "shop"}
    assert _named("deploy acme/cart 1.9 to shop", slots, ("app",), ("acme/shop:1",)) == (
        {"image": "acme/cart:1.9", "deployment": "shop"}, "")


def test_a_container_s_name_is_the_container() -> None:
    slots = {"image": "1.2", "container": "sidecar", "deployment": "api"}
    assert _named("set sidecar 1.2 on api", slots, ("app", "sidecar"), ("x:1",)) is None
