"""Management of the sandbox Kubernetes control plane (the `ktc` binary built from `sandbox/`).

Pure Python on purpose: this package starts, watches and stops processes and reads the ready
file; it never imports `kubernetes` (only the executor does).
"""

from chatops.sandbox.manager import (
    DEFAULT_SRC_DIR,
    SandboxError,
    SandboxStatus,
    build_binary,
    down,
    mint_kubeconfig,
    status,
    up,
)

__all__ = [
    "DEFAULT_SRC_DIR",
    "SandboxError",
    "SandboxStatus",
    "build_binary",
    "down",
    "mint_kubeconfig",
    "status",
    "up",
]
