"""Fixtures for the NLU runtime tests: the model that ships in `intents/model/`."""

from __future__ import annotations

import pytest

from chatops.runbook.catalogue import Catalogue
from intents import ModelParser, default_model_dir


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
