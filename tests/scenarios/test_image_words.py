"""An image named as a repository's word and a tag, against the sandbox cluster: the plan
sets the image named, on the container that runs it, and the dry-run warns of another
repository (a user trial: "put nginx 1.27 on web-frontend" was refused as container nginx,
"deploy redis 7.2 to checkout-api" planned nginx:7.2)."""

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
    ("deploy redis 7.2 to checkout-api in {dev}",
     {"image": "7.2", "deployment": "checkout-api"},
     "containers[app].image: nginx:1.25 -> redis:7.2", True),
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
    assert ("another repository: docker.io/library/redis" in plan.text) is warns, plan.text
