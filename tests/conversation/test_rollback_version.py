"""Reading the version a rollback request names, and matching it to an image (pure)."""

from __future__ import annotations

import pytest

from chatops.conversation.rollback_version import named_version, runs


@pytest.mark.parametrize(("text", "version"), [
    ("roll back checkout-api in prod to 1.25", "1.25"),
    ("rollback checkout-api to nginx:1.25 pls", "nginx:1.25"),
    ("we were on v2.4.1 before, go back", "v2.4.1"),
    ("revert api to version 1.25.3-rc1.", "1.25.3-rc1"),
    ("roll back api to the release 2.0", "2.0"),
    ("go back to ghcr.io/acme/calc:2.4.1", "ghcr.io/acme/calc:2.4.1"),
    ("roll back api to revision 3", None),  # a revision: the model's slot
    ("roll back api, it broke at 10:30", None),
    ("roll back api to 10:30's version", None),
    ("roll back checkout-api in prod", None),
])
def test_the_version_a_rollback_names(text: str, version: str | None) -> None:
    assert named_version(text) == version


@pytest.mark.parametrize(("image", "version", "expected"), [
    ("nginx:1.25", "1.25", True), ("nginx:1.25", "v1.25", True),
    ("nginx:1.25", "nginx:1.25", True), ("docker.io/library/nginx:1.25", "nginx:1.25", True),
    ("nginx:1.25.1", "1.25", False), ("nginx:1.26", "1.25", False),
    ("registry:5000/app:2.0", "5000", False), ("nginx", "1.25", False),
    ("nginx:1.25@sha256:abc", "1.25", True),
])
def test_an_image_runs_the_version(image: str, version: str, expected: bool) -> None:
    assert runs(image, version) is expected
