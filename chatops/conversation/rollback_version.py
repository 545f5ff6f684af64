"""A version named in a rollback request, looked up in the deployment's rollout history.

"roll back checkout-api to 1.25": the runbook takes a revision number and the model has no
slot for a version, so the version was dropped and the previous revision planned, which
after an earlier rollback is the very release being rolled away from (a user trial). The
version is read here, deterministically, and the revision that runs it is found as the
requester sees the history; a version no older revision runs is refused, never another
revision in its place."""

from __future__ import annotations

import re
from collections.abc import Mapping

from chatops.errors import Refusal
from chatops.messages import (
    already_runs_version_text,
    no_revision_runs_text,
    version_revision_note,
)
from chatops.model import Identity, Step
from chatops.ports import Executor
from chatops.results import RevisionInfo

_VERSION = re.compile(
    r"\b(?:to|on)\s+(?:the\s+)?(?:(?:version|release|tag|image|build)\s+)?"
    r"(?P<v>[a-z0-9][\w./-]*:[\w][\w.-]*|v?\d+(?:\.\d+)+(?:[-+][\w.]+)?|v\d+)(?![\w.:/-])",
    re.IGNORECASE)
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_REVISION = re.compile(r"\bto\s+(?P<rev>rev(?:ision)?\s*)?(\d{1,6})(?![\w.:/%-])"
                       r"(?!\s*(?:percent|per\s*cent|replicas?|pods?|instances?|copies|"
                       r"nodes?|times|x|ms|s|secs?|seconds?|minutes?|mins?|hours?|h|cores?|"
                       r"cpus?|users?|requests?|errors?)\b)", re.IGNORECASE)
_CLAUSE = re.compile(r"[,.;:!?()]|\s-+\s|\b(?:and|but|because|since|as|after|when|while|"
                     r"though|so)\b", re.IGNORECASE)
_ROLLBACK_VERB = re.compile(r"\b(?:roll(?:ed|ing)?\b.*\bback|rollback|revert|downgrade|undo|"
                            r"go\s+back|back)\b", re.IGNORECASE)
_OTHER_VERB = re.compile(r"\b(?:(?:scal|sett|bump|restart|runn|go|gett|grow|ris|dropp|"
                         r"increas|decreas|rais|lower|reduc|chang|jump|spik|climb)ing|went|"
                         r"go(?:es)?|rose|fell|jumped|dropped|scaled?|set|bumped|grew|from|"
                         r"climbed|spiked|increased|decreased)\b", re.IGNORECASE)
"""Verbs of another change or a measure, after the rollback's ("scaling it to 1")."""


def named_version(text: str) -> str | None:
    """The version a rollback request names ("to 1.25", "to nginx:1.25", "we were on
    v2.4.1"), or None; a time of day ("to 10:30") is none."""
    for match in _VERSION.finditer(text):
        version = match.group("v").rstrip(".")
        if not _CLOCK.fullmatch(version):
            return version
    return None


def named_revision(text: str) -> str | None:
    """The revision number a rollback goes to ("to 2", "to rev 7"), where the model tagged
    none; None when the message gives none. (A number with dots is a version.)"""
    for match in _REVISION.finditer(text):
        if match.group("rev"):
            return match.group(2)
        # A bare "to 2" is the rollback's only in its own clause, after its verb: "roll
        # back api to 2", not "roll back api, scaling it to 1 didn't help" (an attacker
        # review: revision 1 was planned).
        clause = _CLAUSE.split(text[:match.start()])[-1]
        verbs = list(_ROLLBACK_VERB.finditer(clause))
        if verbs and not _OTHER_VERB.search(clause[verbs[-1].end():]):
            return match.group(2)
    return None


def runs(image: str, version: str) -> bool:
    """Whether `image` is the `version` named: the whole reference (`nginx:1.25`), or its
    tag (`1.25`, with or without a leading v)."""
    image, version = image.lower(), version.lower()
    if ":" in version or "@" in version:
        # Docker Hub's long forms are the same image; another registry's is not.
        return image in (version, f"docker.io/{version}", f"docker.io/library/{version}")
    name = image.split("@", 1)[0]
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
    return tag == version or (bool(tag) and tag.lstrip("v") == version.lstrip("v"))


def revision_of(version: str, slots: Mapping[str, str], executor: Executor,
                identity: Identity) -> tuple[dict[str, str], str]:
    """`slots` with the revision that runs `version`, and a note that says so; a refusal
    when the current revision runs it or no older one does (the history is read as
    `identity`: what they may not read, they are refused, as any read)."""
    deployment, namespace = slots["deployment"], slots["namespace"]
    result = executor.run_step(Step("rollout_history", {"namespace": namespace,
                                                        "deployment": deployment}), identity)
    revisions = [r for r in result.records if isinstance(r, RevisionInfo)]
    current = next((r for r in revisions if r.current), None)
    if current is not None and _main_runs(current, version):
        # Also when an older revision runs it too (a restart makes a revision of the same
        # image): rolling back to it would only replace the pods.
        raise Refusal(already_runs_version_text(deployment, namespace,
                                                _image(current, version), current.revision))
    older = [r for r in revisions if not r.current and _main_runs(r, version)]
    if not older:
        raise Refusal(*no_revision_runs_text(
            deployment, namespace, version,
            [(r.revision, ", ".join(r.images), r.current) for r in revisions]))
    # The newest older revision that runs it: the one kubectl's history shows last.
    target = max(older, key=lambda r: r.revision)
    return ({**slots, "revision": str(target.revision)},
            version_revision_note(version, target.revision, _image(target, version)))


def _main_runs(revision: RevisionInfo, version: str) -> bool:
    """Whether the revision's first container (the workload's own; sidecars come after it,
    and a sidecar's tag is no version of the workload) runs `version`."""
    return bool(revision.images) and runs(revision.images[0], version)


def _image(revision: RevisionInfo, version: str) -> str:
    return next((i for i in revision.images if runs(i, version)), version)
