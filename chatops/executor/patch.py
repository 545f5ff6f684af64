"""The write path shared by the mutating verbs: read, compute a patch, apply it guarded.

Every write is read-compute-apply: read the live object, build a JSON patch from it, send
it (with `dryRun=All` for a preview), and diff the live object against the server's answer.
Dry-run and real run go through the same code, so their diffs name the same fields.

The patch starts with a JSON-patch `test` of `metadata.generation`, which only moves when
someone changes the spec: if the spec changed between our read and our write, the server
refuses the patch, and we re-read and re-apply (a bounded number of times). A
`resourceVersion` precondition would be the usual guard, but controllers rewrite status
all the time, so it fails for no reason on any deployment that is rolling out. Nodes have
no generation; their patch (one boolean) is idempotent and goes unguarded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kubernetes.client.exceptions import ApiException

from chatops.errors import Retryable
from chatops.executor import convert as cv
from chatops.executor.client import Kube, Target, map_api_error
from chatops.executor.diff import diff, render_change
from chatops.results import FieldChange

log = logging.getLogger(__name__)

CONFLICT_ATTEMPTS = 5
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"

Body = dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True)
class Applied:
    """The live object before the write, the server's answer, and the diff between them."""

    live: dict[str, Any]
    result: dict[str, Any]
    changes: tuple[FieldChange, ...]


def dry(dry_run: bool) -> dict[str, str]:
    """The `dry_run` keyword for client calls."""
    return {"dry_run": "All"} if dry_run else {}


def apply(kube: Kube, target: Target, *, read: Callable[[], dict[str, Any]],
          build: Callable[[dict[str, Any]], tuple[Body, str]],
          send: Callable[..., Any], send_args: Sequence[Any], dry_run: bool,
          roots: Sequence[str] = ("spec", "metadata.labels", "metadata.annotations")) -> Applied:
    """Read, build the patch from the live object, send it guarded by the generation;
    re-read and re-apply when the spec changed in between (or on a 409)."""
    for attempt in range(CONFLICT_ATTEMPTS):
        live = read()
        body, content_type = build(live)
        generation = cv.get(live, "metadata", "generation")
        if isinstance(body, list) and generation is not None:
            body = [{"op": "test", "path": "/metadata/generation", "value": generation},
                    *body]
        try:
            result = kube.json(target, send, *send_args, body, passthrough=(409, 422),
                               _content_type=content_type, **dry(dry_run))
        except ApiException as e:
            # A failed `test` op is a bare 422; re-reading tells it from an invalid change.
            if e.status == 422 and cv.get(read(), "metadata", "generation") == generation:
                raise map_api_error(e, target, kube.who) from e
            log.info("%s changed while being updated (attempt %d); re-reading",
                     target.describe(), attempt + 1)
            if attempt + 1 == CONFLICT_ATTEMPTS:
                raise Retryable(f"{target.describe()} kept changing while it was being "
                                "updated.", "Try again in a moment.") from e
            continue
        return Applied(live, result, diff(live, result, roots))
    raise AssertionError("unreachable")


def pointer(*parts: str | int) -> str:
    """A JSON pointer (`/spec/template/metadata/annotations/a~1b`), escaping `~` and `/`."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def put(path: str, value: Any) -> dict[str, Any]:
    """A JSON-patch op that sets `path`, whether or not it exists (`add` replaces)."""
    return {"op": "add", "path": path, "value": value}


def summary(verb_text: str, changes: Sequence[FieldChange], dry_run: bool = False) -> str:
    """`would scale ...: spec.replicas: 3 -> 5` / `scaled ...`."""
    if not changes:
        return f"{verb_text}: nothing to change."
    return f"{verb_text}: " + "; ".join(render_change(c) for c in changes)


def say(text: str, dry_run: bool) -> str:
    """`Would scale ...` for a preview, `Done: scale ...` after the real run."""
    return f"Would {text}" if dry_run else f"Done: {text}"
