"""Automatic fixes: a rule may run its remediation without a click (`chatops.alerts.autofix`):

      - name: crash-looping pod in dev
        match: {alertname: KubePodCrashLooping}
        diagnostics: [diagnose]
        remediation: restart_deployment
        auto: true                       # only a write runbook, never a critical one
        namespaces: [dev]                # required: where it may run by itself
        as: {user: "chatops:auto-dev", groups: ["chatops:auto"]}   # required, never system:
        max_per_hour: 3                  # per target (runbook + slot values); default 3

`namespaces`, `as` and `max_per_hour` belong to `auto: true` and are errors without it.
The remediation must take a `namespace` (a node-wide runbook has no namespace to bound it),
and the identity must not be the diagnostics or preview identity (those are the bot's own
read-only and dry-run users). Anywhere else, or once the target was demoted after a failed
run, the remediation is proposed behind approval as usual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chatops.alerts.rule_fields import (
    DIAGNOSTICS_IDENTITY,
    IDENTITY_KEYS,
    PREVIEW_IDENTITY,
    AlertRulesError,
    identity_field,
    whole_number,
)
from chatops.model import Identity, Risk

# The policy file's strict checks, reused for the reason given in chatops.alerts.rules.
from chatops.policy.rules import _kind, _mapping, _strings
from chatops.runbook.catalogue import Catalogue

DEFAULT_MAX_PER_HOUR = 3


@dataclass(frozen=True)
class AutoFix:
    """Where and as whom a rule's remediation runs without approval, and how often."""

    namespaces: frozenset[str]
    identity: Identity
    max_per_hour: int = DEFAULT_MAX_PER_HOUR

    def allows(self, namespace: str | None) -> bool:
        """Whether a target in `namespace` may be fixed automatically."""
        return namespace is not None and namespace in self.namespaces


_AUTO_KEYS = ("namespaces", "as", "max_per_hour")
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def parse_auto(fields: dict[str, Any], where: str, remediation: str | None,
          catalogue: Catalogue) -> AutoFix | None:
    """The rule's automatic remediation, or None; strict, because it changes the cluster
    with nobody's click."""
    auto = fields.get("auto", False)
    if not isinstance(auto, bool):
        raise AlertRulesError(f"{where}.auto: must be true or false, not {_kind(auto)}")
    if not auto:
        for key in _AUTO_KEYS:
            if key in fields:
                raise AlertRulesError(f"{where}.{key}: only for a rule with auto: true")
        return None
    if remediation is None:
        raise AlertRulesError(f"{where}.auto: needs a remediation to run")
    runbook = catalogue.get(remediation)
    if runbook.risk is Risk.CRITICAL:
        raise AlertRulesError(f"{where}.auto: {remediation!r} is a critical runbook; critical "
                              "runbooks never run automatically (remove auto to propose it)")
    if runbook.risk is not Risk.WRITE:
        raise AlertRulesError(f"{where}.auto: {remediation!r} is read-only; auto is for "
                              "write runbooks (read-only ones go in diagnostics)")
    if "namespace" not in runbook.slots:
        raise AlertRulesError(f"{where}.auto: {remediation!r} takes no namespace, so "
                              "`namespaces` cannot bound it; it can only be proposed")
    for key in ("namespaces", "as"):
        if key not in fields:
            raise AlertRulesError(f"{where}.{key}: required with auto: true")
    namespaces = _strings(fields["namespaces"], f"{where}.namespaces")
    if not namespaces:
        raise AlertRulesError(f"{where}.namespaces: name at least one namespace")
    for i, namespace in enumerate(namespaces):
        if not _NAMESPACE.fullmatch(namespace):
            raise AlertRulesError(f"{where}.namespaces[{i}]: {namespace!r} is not a namespace "
                                  "name (no wildcards: list each namespace)")
    if not isinstance(fields["as"], dict):
        raise AlertRulesError(f"{where}.as: must be a mapping {{user: ..., groups: [...]}}, "
                              f"not {_kind(fields['as'])}")
    identity_fields = _mapping(fields["as"], f"{where}.as", IDENTITY_KEYS)
    if "user" not in identity_fields:
        raise AlertRulesError(f"{where}.as.user: required (the Kubernetes user it runs as)")
    identity = identity_field(identity_fields, f"{where}.as", Identity("", ()))
    max_per_hour = whole_number(fields.get("max_per_hour", DEFAULT_MAX_PER_HOUR),
                          f"{where}.max_per_hour")
    return AutoFix(frozenset(namespaces), identity, max_per_hour)


def check_apart(identity: Identity, where: str, data: dict[str, Any]) -> None:
    """An automatic fix never runs as the bot's diagnostics or preview user."""
    for key, default in (("diagnostics_identity", DIAGNOSTICS_IDENTITY),
                         ("preview_identity", PREVIEW_IDENTITY)):
        raw = data.get(key)
        user = raw.get("user", default.user) if isinstance(raw, dict) else default.user
        if identity.user == user:
            raise AlertRulesError(f"{where}.user: {user!r} is the {key}; an automatic fix "
                                  "runs as a user of its own")
