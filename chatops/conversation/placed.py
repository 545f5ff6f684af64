"""A change's namespace read by a name's place alone, kept only where the cluster has it.

Terse requests name the object, then its namespace ("pause invoice-rollup billing", "scale
dock-scheduler yard 6"), and the NLU reads the second name as the namespace by its place
(`intents/places.py`), marking it `placed`. But "restart cart orders" may name two
deployments (an attacker review, session 46): such a namespace is kept only where that
namespace holds the object, as the person can list it; otherwise the namespace is the
person's to say, as for any change without one (the bot asks). Also which namespaces
hold an object (`namespaces_holding`), which the name resolution asks too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from chatops.errors import ClusterError
from chatops.model import Identity, ParsedIntent
from chatops.ports import Executor, ResourceKind
from chatops.runbook.schema import Runbook

NAMESPACED_OBJECTS: tuple[ResourceKind, ...] = ("deployment", "cronjob", "pod")
"""The kinds of object a request names that a namespace holds."""


def placed_where_it_is(parsed: ParsedIntent, runbooks: Mapping[str, Runbook],
                       executor: Executor, identity: Identity | None) -> ParsedIntent:
    """`parsed` without the slots it read by a name's place alone (`parsed.placed`) unless
    the cluster has the request's object in that namespace, as `identity` can list it
    (with no identity, they go). The runbook is the reading's, or for a reading under its
    bar the runbook it offers first."""
    if not parsed.placed:
        return parsed
    about = parsed.intent if parsed.intent in runbooks else next(
        (name for name, _ in parsed.alternatives[:1] if name in runbooks), None)
    runbook = runbooks.get(about or "")
    named = None if runbook is None else next(
        ((spec.type, parsed.slots[name]) for name, spec in runbook.slots.items()
         if spec.type in NAMESPACED_OBJECTS and parsed.slots.get(name)), None)
    namespace = parsed.slots.get("namespace", "")
    if (identity is not None and named is not None and namespace
            and parsed.placed <= {"namespace"}
            and namespaces_holding(*named, (namespace,), executor, identity)):
        return replace(parsed, placed=frozenset())
    return replace(parsed, placed=frozenset(),
                   slots={k: v for k, v in parsed.slots.items() if k not in parsed.placed},
                   spans=tuple(span for span in parsed.spans if span.slot not in parsed.placed))


def namespaces_holding(kind: ResourceKind, name: str, namespaces: Iterable[str],
                       executor: Executor, identity: Identity | None) -> list[str]:
    """Those of `namespaces` that have an object of `kind` of exactly `name`, as the person
    can list them (one API call each; a namespace that cannot be listed has none)."""
    holding = []
    for namespace in namespaces:
        try:
            if name in executor.names(kind, namespace, identity):
                holding.append(namespace)
        except ClusterError:
            continue
    return holding
