"""The complete verb registry: importing this imports every module that registers verbs.

A new verb in an existing module needs nothing here; a new module of verbs is added to
`MODULES`, or `registry.missing()` (checked by a test and by `KubeExecutor`) names its verbs.
"""

from __future__ import annotations

from types import ModuleType

from chatops.executor import (
    diagnose,
    drain,
    health,
    hpa,
    hygiene,
    reads,
    resources,
    rightsize,
    verify,
    writes,
)
from chatops.executor.registry import registry

MODULES: tuple[ModuleType, ...] = (diagnose, drain, health, hpa, hygiene, reads, resources,
                                   rightsize, verify, writes)

__all__ = ["MODULES", "registry"]
