"""Fixtures for the NLU runtime tests: the model that ships in `intents/model/`."""

from __future__ import annotations

import pytest

from intents import ModelParser, default_model_dir


@pytest.fixture(scope="session")
def shipped_model() -> ModelParser:
    """The packaged model, loaded once. Missing files fail: the model must ship."""
    directory = default_model_dir()
    assert (directory / "model.onnx").exists(), (
        f"no shipped model in {directory}; build it with "
        f"`chatops nlu train --output {directory}`"
    )
    parser = ModelParser(directory, threads=1)
    parser.load()
    return parser
