"""The runbook catalogue: one YAML file per runbook, shipped as package data.

This package holds data only; `chatops.runbook` loads and renders it.
"""

from pathlib import Path

CATALOGUE_DIR = Path(__file__).resolve().parent
