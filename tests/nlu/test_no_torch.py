"""The runtime never imports torch (the bot's image does not ship it)."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import intents
from intents import ModelParser, default_model_dir
ModelParser(default_model_dir(), threads=1).parse("restart checkout in prod")
assert "torch" not in sys.modules, "intents imported torch"
assert "transformers" not in sys.modules, "intents imported transformers"
"""


def test_importing_and_using_intents_does_not_import_torch() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
