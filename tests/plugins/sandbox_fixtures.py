"""Pytest plugin: a real Kubernetes control plane (the `ktc` sandbox) for `@pytest.mark.k8s` tests.

Fixtures:

* ``sandbox``: session-scoped; builds (or reuses) the binary, starts one cluster per test
  session in a temporary state dir, and always tears it down: a finalizer, an ``atexit`` hook,
  and ``ktc up --exit-with-parent`` (the supervisor exits when pytest dies, even by SIGKILL),
  whose components die with it through Pdeathsig.
* ``k8s_admin``: a ``kubernetes.client.ApiClient`` for the admin (system:masters) kubeconfig.
* ``namespace``: a fresh namespace per test, deleted afterwards.

Without a Go toolchain the k8s tests are skipped with a loud reason, unless
``CHATOPS_REQUIRE_SANDBOX=1`` (CI), where they fail instead.
"""

from __future__ import annotations

import atexit
import os
import shutil
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import pytest

from chatops.sandbox import manager

T = TypeVar("T")


def wait_for(
    check: Callable[[], T | None],
    *,
    timeout: float = 60.0,
    interval: float = 0.25,
    what: str = "condition",
) -> T:
    """Poll `check` until it returns something truthy and return it; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


def _no_sandbox(reason: str) -> NoReturn:
    if os.environ.get("CHATOPS_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"CHATOPS_REQUIRE_SANDBOX=1 but the sandbox is unavailable: {reason}")
    message = f"SKIPPING Kubernetes sandbox tests: {reason}"
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


@pytest.fixture(scope="session")
def sandbox_binary() -> Path:
    """The `ktc` binary, built from `sandbox/` on first use (cached by source hash)."""
    src = Path(os.environ.get("CHATOPS_SANDBOX_SRC") or manager.DEFAULT_SRC_DIR)
    try:
        return manager.build_binary(src, progress=manager.print_progress)
    except manager.SandboxError:
        if shutil.which("go") is None:
            _no_sandbox("no Go toolchain on PATH to build sandbox/ (install Go >= 1.26)")
        raise


@pytest.fixture(scope="session")
def sandbox(
    sandbox_binary: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[manager.SandboxStatus]:
    """A running sandbox cluster, shared by the whole test session."""
    state = tmp_path_factory.mktemp("sandbox-state")
    # Registered before starting so that even an interrupted start is cleaned up.
    atexit.register(manager.down, state)
    try:
        st = manager.up(state, sandbox_binary, extra_args=["--exit-with-parent"], timeout=300)
    except manager.SandboxError as e:
        manager.down(state)
        pytest.fail(f"sandbox did not start: {e}")
    try:
        yield st
    finally:
        manager.down(state)


@pytest.fixture(scope="session")
def k8s_admin(sandbox: manager.SandboxStatus) -> Iterator[Any]:
    """A `kubernetes.client.ApiClient` authenticated as the sandbox admin (system:masters)."""
    from kubernetes import config

    client = config.new_client_from_config(config_file=str(sandbox.kubeconfig))  # type: ignore[no-untyped-call]
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def namespace(k8s_admin: Any) -> Iterator[str]:
    """A fresh namespace (with its default ServiceAccount ready), deleted after the test."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    core = client.CoreV1Api(k8s_admin)
    name = f"t-{uuid.uuid4().hex[:10]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))

    def default_sa() -> bool:
        try:
            core.read_namespaced_service_account("default", name)
        except ApiException as e:
            if e.status == 404:
                return False
            raise
        return True

    # The ServiceAccount admission plugin rejects pods until the controller creates it.
    wait_for(default_sa, timeout=60, what=f"default service account in {name}")
    try:
        yield name
    finally:
        try:
            core.delete_namespace(name)
        except ApiException as e:
            if e.status != 404:
                raise
