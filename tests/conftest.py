"""Shared fixtures. Cluster fixtures live in the sandbox plugin; see tests/plugins/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chatops.runbook.catalogue import Catalogue, load_catalogue
from intents import ModelParser, default_model_dir

pytest_plugins = ["tests.plugins.sandbox_fixtures", "tests.plugins.world_fixtures",
                  "tests.plugins.postgres_fixtures"]

# A developer's `chatops demo` leaves a profile that commands fall back on; the tests
# (and the bot processes they start) must not depend on one. Tests of the profile set
# their own environment.
os.environ.setdefault("CHATOPS_PROFILE", "none")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The packaged runbook catalogue."""
    return load_catalogue()


@pytest.fixture(scope="session")
def shipped_model(catalogue: Catalogue) -> ModelParser:
    """The packaged model over the packaged catalogue, loaded once. Missing files fail:
    the model must ship."""
    directory = default_model_dir()
    assert (directory / "model.onnx").exists(), (
        f"no shipped model in {directory}; build it with "
        f"`chatops nlu train --output {directory}`"
    )
    parser = ModelParser(directory, catalogue=catalogue, threads=1)
    parser.load()
    return parser
