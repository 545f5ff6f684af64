"""Shared fixtures. Cluster fixtures live in the sandbox plugin; see tests/plugins/."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.runbook.catalogue import Catalogue, load_catalogue

pytest_plugins = ["tests.plugins.sandbox_fixtures", "tests.plugins.world_fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The packaged runbook catalogue."""
    return load_catalogue()
