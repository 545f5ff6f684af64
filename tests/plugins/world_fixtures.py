"""Pytest plugin: the demo world seeded into the sandbox, per test, with a wired engine.

``world`` applies `chatops.demo.demo_documents` under a unique namespace prefix (so tests
don't see each other's objects), waits for the healthy deployments to be available, and
hands out a `World`: the admin client, a `KubeExecutor`, the demo policy (with the prefixed
namespaces), fresh SQLite files, and `service()` to build conversation engines on them.
Node-level runbooks (cordon, drain) touch shared nodes: tests that use them restore them.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chatops.audit import AuditLog
from chatops.cli.policy_cmd import default_identity_documents
from chatops.console import Shell
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY, demo_documents, demo_namespaces
from chatops.executor import KubeExecutor
from chatops.executor.apply import apply_documents, delete_documents
from chatops.policy.rules import Policy, parse_policy
from chatops.ports import IntentParser
from chatops.runbook.catalogue import load_catalogue
from chatops.stores import open_state
from tests.plugins.sandbox_fixtures import wait_for


@dataclass
class World:
    """A seeded slice of the sandbox and everything needed to talk to it."""

    api: Any
    executor: KubeExecutor
    ns: dict[str, str]
    policy: Policy
    state_db: Path
    audit_db: Path
    documents: list[dict[str, Any]] = field(default_factory=list)

    def service(self, parser: IntentParser | None = None) -> ConversationService:
        """A conversation engine on this world's cluster and database files."""
        return ConversationService(catalogue=load_catalogue(), executor=self.executor,
                                   policy=self.policy, stores=open_state(self.state_db),
                                   audit=AuditLog(self.audit_db), parser=parser)

    def model_shell(self, user: str = "bob") -> Shell:
        """A console as `user` on this world, reading with the shipped model (loaded here,
        so that a test module without it does not load it) and the catalogue, as the bot
        wires it (`chatops.cli.wiring`): without it the parser knows no runbook's risk, and
        a long message's sentence that asks gave nothing (session 49)."""
        from chatops.runbook.catalogue import load_catalogue
        from intents import ModelParser, default_model_dir

        parser = ModelParser(default_model_dir(), catalogue=load_catalogue())
        return Shell(self.service(parser=parser), user=user, out=io.StringIO())

    def replicas(self, role: str, deployment: str) -> int:
        """`spec.replicas` of a deployment, read as admin."""
        from kubernetes import client

        dep = client.AppsV1Api(self.api).read_namespaced_deployment(deployment, self.ns[role])
        return int(dep.spec.replicas)


def _available(api: Any, namespace: str, name: str, want: int) -> bool:
    from kubernetes import client

    dep = client.AppsV1Api(api).read_namespaced_deployment(name, namespace)
    return (dep.status.available_replicas or 0) >= want


def _gone(api: Any, namespace: str) -> bool:
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    try:
        client.CoreV1Api(api).read_namespace(namespace)
    except ApiException as exc:
        if exc.status == 404:
            return True
        raise
    return False


@pytest.fixture
def world(sandbox: Any, k8s_admin: Any, tmp_path: Path,
          request: pytest.FixtureRequest) -> Iterator[World]:
    """The demo world under a prefix of its own, torn down afterwards.

    The prefix is the test's own, the same in every run: the namespaces' letters reach the
    shipped model in plain-language scenarios, and a random prefix made a reading flip for
    a few prefixes in hundreds (two CI failures). The model's accuracy is measured in
    BENCHMARKS.md, not drawn here."""
    prefix = f"w{hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:5]}-"
    # The same test run again in this sandbox: its last world's namespace may still be
    # going away.
    wait_for(lambda: _gone(k8s_admin, f"{prefix}prod"), timeout=90,
             what=f"the last {prefix}prod to be deleted")
    # The alert identities' roles as `chatops policy rbac` renders them (prefixed names).
    documents = demo_documents(prefix) + default_identity_documents(f"{prefix}chatops")
    apply_documents(k8s_admin, documents)
    ns = demo_namespaces(prefix)
    wait_for(lambda: _available(k8s_admin, ns["prod"], "checkout-api", 3), timeout=90,
             what="prod/checkout-api to be available")
    wait_for(lambda: _available(k8s_admin, ns["dev"], "checkout-api", 1), timeout=90,
             what="dev/checkout-api to be available")
    wait_for(lambda: _available(k8s_admin, ns["staging"], "checkout-api", 2), timeout=90,
             what="staging/checkout-api to be available")
    # The prefixed ClusterRole names only matter to RBAC; the policy is the demo's as is.
    policy = parse_policy(DEMO_POLICY)
    yield World(api=k8s_admin, executor=KubeExecutor(k8s_admin, poll_interval=0.2), ns=ns,
                policy=policy, state_db=tmp_path / "state.db", audit_db=tmp_path / "audit.db",
                documents=documents)
    delete_documents(k8s_admin, documents)
