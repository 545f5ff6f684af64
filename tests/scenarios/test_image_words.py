"""An image named as a repository's word and a tag, against the sandbox cluster: the tag
goes on the repository the deployment runs when the word is its name (a user trial: "put
nginx 1.27 on web-frontend" was refused as container nginx); any other word keeps the tag
on that repository and the plan says how to name another image."""

from __future__ import annotations

import io

import pytest

from chatops.console import Shell
from tests.conversation.test_everyday_names import Reading
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


@pytest.mark.parametrize(("text", "slots", "change", "warns"), [
    ("put nginx 1.27 on checkout-api in {dev}",
     {"image": "1.27", "container": "nginx", "deployment": "checkout-api"},
     "containers[app].image: nginx:1.25 -> nginx:1.27", False),
    # A word it does not run is no proof of another repository (an attacker review:
    # "deploy hotfix 1.27" planned hotfix:1.27): the tag, and how to name another image.
    ("deploy redis 7.2 to checkout-api in {dev}",
     {"image": "7.2", "deployment": "checkout-api"},
     "containers[app].image: nginx:1.25 -> nginx:7.2", True),
    ("put app 1.27 on checkout-api in {dev}",
     {"image": "1.27", "container": "app", "deployment": "checkout-api"},
     "containers[app].image: nginx:1.25 -> nginx:1.27", False),
])
def test_the_image_the_words_name_is_planned(world: World, text: str, slots: dict[str, str],
                                             change: str, warns: bool) -> None:
    dev = world.ns["dev"]
    words = text.format(dev=dev)
    sh = Shell(world.service(parser=Reading("set_image", {**slots, "namespace": dev})),
               user="alice", out=io.StringIO())
    (plan,) = sh.say(words)
    assert plan.kind == "plan" and change in plan.text, plan.text
    assert ("name it whole (redis:7.2)" in plan.text) is warns, plan.text
    assert "another repository" not in plan.text
