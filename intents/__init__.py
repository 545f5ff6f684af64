"""The NLU runtime: text -> `ParsedIntent` with the ONNX joint intent/slot model.

Importing this package loads nothing and never imports torch; the model is read on the
first `ModelParser.parse`.
"""

from __future__ import annotations

from pathlib import Path

from intents.parser import ModelNotFound, ModelParser

__all__ = ["ModelNotFound", "ModelParser", "default_model_dir"]


def default_model_dir() -> Path:
    """The model that ships inside the package (`intents/model/`)."""
    return Path(__file__).resolve().parent / "model"
