"""What each verb does: its implementation, registered next to the code that does it.

`chatops.verbs.VERBS` declares what a verb takes (the runbook engine checks steps against it
and must not import `kubernetes`); this registry maps the same names to code. A verb is
registered with the decorator of its kind, which also fixes its dry-run behaviour:

- `@registry.read("list_pods")`: returns records. Reads change nothing, so a preview runs
  them for real and their result never counts as a dry run.
- `@registry.write("scale")`: returns a `StepResult` and must honour `call.dry_run`
  (a server-side `dryRun=All` through the same code as the real write).
- `@registry.check("wait_rollout")`: returns a `Check` that the executor polls until it
  holds or the step's `timeout_seconds` end.

Registering a name that `VERBS` lacks, under the wrong kind, or twice raises at once;
`missing()` names the declared verbs that nothing implements (a test keeps it empty).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from chatops.errors import Permanent
from chatops.executor.client import Kube
from chatops.executor.usage import NoSource, UsageSource
from chatops.model import ParamValue
from chatops.ports import Progress
from chatops.results import Record, StepResult
from chatops.verbs import VERBS, HygieneRules, VerbKind, VerbSpec

Check = Callable[[], tuple[bool, str]]
"""One look at the cluster: (done, what is seen now)."""


class Params:
    """Typed access to a step's rendered parameters (None means not given)."""

    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self._p = params

    def get(self, name: str) -> ParamValue:
        """The raw value, or None."""
        return self._p.get(name)

    def s(self, name: str) -> str:
        """A required string."""
        value = self._p.get(name)
        if value is None or value == "":
            raise Permanent(f"parameter {name} is required.")
        return str(value)

    def opt_s(self, name: str) -> str | None:
        """An optional string (empty counts as not given)."""
        value = self._p.get(name)
        return None if value is None or value == "" else str(value)

    def i(self, name: str) -> int:
        """A required whole number."""
        value = self.opt_i(name)
        if value is None:
            raise Permanent(f"parameter {name} is required.")
        return value

    def opt_i(self, name: str) -> int | None:
        """An optional whole number."""
        value = self._p.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError as e:
            raise Permanent(f"parameter {name} must be a whole number.") from e


@dataclass(frozen=True)
class Call:
    """What an implementation gets: the requester's client, the step's parameters, the
    executor's injected time sources (so tests and benchmarks control waiting), the
    platform team's bounds that some checks apply (`hygiene`) and where observed usage
    comes from (`usage`, for `rightsize`)."""

    kube: Kube
    params: Params
    now: datetime
    dry_run: bool = False
    progress: Progress | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    interval: float = 0.5
    hygiene: HygieneRules = field(default_factory=HygieneRules)
    usage: UsageSource = field(default_factory=NoSource)
    cause: str = ""
    """The change's provenance, for a verb that writes a new pod template; empty on a
    dry run (`writes.deployment_write`)."""


ReadFn = Callable[[Call], tuple[Record, ...]]
WriteFn = Callable[[Call], StepResult]
CheckFn = Callable[[Call], Check]


@dataclass(frozen=True)
class Implementation:
    """One verb: its declared spec and the one function of its kind that carries it out."""

    spec: VerbSpec
    read: ReadFn | None = None
    write: WriteFn | None = None
    check: CheckFn | None = None


class VerbRegistry:
    """Verb name -> `Implementation`, checked against the declared specs as it fills."""

    def __init__(self, specs: Mapping[str, VerbSpec]) -> None:
        self._specs = specs
        self._impls: dict[str, Implementation] = {}

    def read(self, name: str) -> Callable[[ReadFn], ReadFn]:
        """Register a read verb's implementation."""
        def register(fn: ReadFn) -> ReadFn:
            self._add(name, "read", read=fn)
            return fn
        return register

    def write(self, name: str) -> Callable[[WriteFn], WriteFn]:
        """Register a mutating verb's implementation; it must honour `call.dry_run`."""
        def register(fn: WriteFn) -> WriteFn:
            self._add(name, "mutate", write=fn)
            return fn
        return register

    def check(self, name: str) -> Callable[[CheckFn], CheckFn]:
        """Register a verification verb's check."""
        def register(fn: CheckFn) -> CheckFn:
            self._add(name, "verify", check=fn)
            return fn
        return register

    def _add(self, name: str, kind: VerbKind, *, read: ReadFn | None = None,
             write: WriteFn | None = None, check: CheckFn | None = None) -> None:
        spec = self._specs.get(name)
        if spec is None:
            raise LookupError(f"verb {name!r} is implemented but not declared; add its "
                              "VerbSpec to chatops/verbs.py.")
        if spec.kind != kind:
            raise TypeError(f"verb {name!r} is declared as {spec.kind} but registered "
                            f"as {kind}.")
        if name in self._impls:
            raise ValueError(f"verb {name!r} is registered twice.")
        self._impls[name] = Implementation(spec, read, write, check)

    def find(self, name: str) -> Implementation | None:
        """The verb's implementation, or None when there is none."""
        return self._impls.get(name)

    def missing(self) -> tuple[str, ...]:
        """Declared verbs that nothing implements, sorted."""
        return tuple(sorted(set(self._specs) - set(self._impls)))

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._impls))


registry = VerbRegistry(VERBS)
"""The executor's verbs; filled by importing the modules listed in `implementations`."""
