"""Mutating verbs on deployments, pods, nodes and cronjobs, each registered with its verb.

They all write through `chatops.executor.patch.apply` (read-compute-apply, guarded by the
generation), so a dry run and the real run take the same path and show the same diff.
`set_resources`, with its quantity checks, is in `chatops.executor.resources`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from chatops.errors import ClusterError, Forbidden, NotFound, Refusal
from chatops.executor import convert as cv
from chatops.executor import reads
from chatops.executor.client import Kube, Target
from chatops.executor.hpa import find_hpa
from chatops.executor.patch import (
    JSON_PATCH,
    MERGE,
    Applied,
    Body,
    apply,
    pointer,
    put,
    say,
    summary,
)
from chatops.executor.registry import Call, registry
from chatops.model import ParamValue
from chatops.results import FieldChange, StepResult

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
CHANGE_CAUSE = "kubernetes.io/change-cause"
"""Where `kubectl rollout history` reads each revision's cause (the deployment controller
copies the deployment's annotations onto the revision's ReplicaSet)."""
CAUSE_LIMIT = 512
"""Characters of a cause kept: it is a label for people, not a record (the audit log is)."""

def _pod_names(pods: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(str(cv.get(p, "metadata", "name")) for p in pods
                 if not cv.get(p, "metadata", "deletionTimestamp"))


def _template_changed(changes: Sequence[FieldChange]) -> bool:
    return any(c.path.startswith("spec.template.") for c in changes)


Written = tuple[Applied, list[dict[str, Any]], tuple[str, ...]]
"""A deployment write: what it did, the pods it puts at risk as they were just before it,
and the pods it keeps (those of the ReplicaSet it returns to)."""


def deployment_write(kube: Kube, namespace: str, name: str,
                      build: Callable[[dict[str, Any]], tuple[Body, str]],
                      dry_run: bool, *, cause: str | Callable[[], str] = "") -> Written:
    """Patch a deployment; also return its pods as they were just before the write (the
    blast radius is about those, not the ones the change starts), less those it keeps.
    A patch of the pod template also writes `cause` (when given) as the new revision's
    change-cause, in the same request; a callable is asked after `build`, so that it can
    say what the build found (a rollback's target revision)."""
    pods: list[list[dict[str, Any]]] = []

    def read() -> dict[str, Any]:
        live = reads.read_deployment(kube, namespace, name)
        pods[:] = [reads.deployment_pods(kube, live)]
        return live

    def with_cause(live: dict[str, Any]) -> tuple[Body, str]:
        body, content_type = build(live)
        text = cause() if callable(cause) else cause
        return (_with_cause(live, body, text[:CAUSE_LIMIT]) if text and not dry_run
                else body), content_type

    applied = apply(kube, Target("patch", "deployments", namespace, name), read=read,
                    build=with_cause, send=kube.apps.patch_namespaced_deployment,
                    send_args=(name, namespace), dry_run=dry_run)
    uid = _reused_replica_set(kube, applied) if _template_changed(applied.changes) else None
    # Only pods the reused ReplicaSet controls stay, never one with an owner reference
    # added beside it.
    kept = [p for p in pods[0] if uid is not None and (cv.controller(p) or {}).get("uid") == uid]
    return applied, [p for p in pods[0] if p not in kept], _pod_names(kept)


def _with_cause(live: Mapping[str, Any], body: Body, cause: str) -> Body:
    """`body` (a JSON patch) with the change-cause set, when it writes the pod template: a
    patch of anything else makes no revision, and the controller would copy the cause
    onto the running revision's ReplicaSet, over its own."""
    if not isinstance(body, list) or not any(
            str(op.get("path", "")).startswith("/spec/template") for op in body):
        return body
    if cv.get(live, "metadata", "annotations") is None:
        return [*body, put("/metadata/annotations", {CHANGE_CAUSE: cause})]
    return [*body, put(pointer("metadata", "annotations", CHANGE_CAUSE), cause)]


def _reused_replica_set(kube: Kube, applied: Applied) -> str | None:
    """The uid of the ReplicaSet the controller reuses for the written template (a
    rollback's revision's: its pods stay as they are), or None when it makes a new one
    or the ReplicaSets cannot be listed."""
    template = _without_hash(cv.get(applied.result, "spec", "template", default={}))
    try:
        sets = reads.replica_sets(kube, applied.live)
    except ClusterError:
        # After a real write the change is made: a requester who may not list ReplicaSets,
        # or a failed read, must not turn it into an error. Every pod is the safe count.
        return None
    matching = [rs for rs in sets if not cv.get(rs, "metadata", "deletionTimestamp")
                and _without_hash(cv.get(rs, "spec", "template", default={})) == template]
    if not matching:
        return None
    # The controller takes the oldest of several (FindNewReplicaSet) and scales the others
    # down.
    reused = min(matching, key=lambda rs: str(cv.get(rs, "metadata", "creationTimestamp")))
    return str(cv.get(reused, "metadata", "uid"))


def _without_hash(template: Mapping[str, Any]) -> dict[str, Any]:
    """A pod template as the deployment controller compares them (`EqualIgnoreHash`):
    without the pod-template-hash label its ReplicaSet adds."""
    labels = {k: v for k, v in (cv.get(template, "metadata", "labels", default={}) or {}).items()
              if k != "pod-template-hash"}
    return {**template, "metadata": {**(template.get("metadata") or {}), "labels": labels}}


def deployment_result(verb: str, text: str, written: Written, *, dry_run: bool,
                      before: Mapping[str, ParamValue],
                      warnings: Sequence[str] = ()) -> StepResult:
    """The step result of a `deployment_write`: the pods it puts at risk are all of them
    (less those it keeps) when the pod template changed or the replicas went down, else
    none."""
    applied, pods, kept = written
    affected: tuple[str, ...] = ()
    notes = list(warnings)
    if kept:
        # Bound with the plan (`binding`): should the rollout in progress finish first,
        # fewer pods are kept, and the plan is shown again for approval.
        notes.append(f"{len(kept)} pods of the ReplicaSet it returns to keep running as "
                     "they are and are not listed; should the rollout in progress move "
                     "them first, the plan is shown again for approval")
    if _template_changed(applied.changes):
        affected = _pod_names(pods)  # a new template replaces every pod
    else:
        old = int(cv.get(applied.live, "spec", "replicas", default=1))
        new = int(cv.get(applied.result, "spec", "replicas", default=1))
        if new < old:
            # The ReplicaSet controller picks which pods go; all of them are candidates.
            affected = _pod_names(pods)
            stopping = min(old - new, len(affected))
            if new == 0 and affected:
                notes.append(f"it scales to 0: all {len(affected)} pods stop and nothing "
                             "serves until it is scaled up again")
            elif stopping < len(affected):
                notes.append(f"{stopping} of these {len(affected)} pods will be stopped; the "
                             "ReplicaSet controller picks which (unready, unscheduled and "
                             "newer pods first)")
    return StepResult(verb, dry_run, say(text, dry_run), applied.changes, affected, before,
                      warnings=tuple(notes), kept_pods=kept)


def rollout_restart(kube: Kube, namespace: str, name: str, dry_run: bool,
                    now: datetime, *, cause: str = "") -> StepResult:
    """`kubectl rollout restart`: stamp the pod template with a restartedAt annotation."""
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")

    def build(live: dict[str, Any]) -> tuple[Body, str]:
        # The template always has metadata (its labels must match the selector), but not
        # always annotations; JSON patch cannot add a key under a missing map.
        if cv.get(live, "spec", "template", "metadata", "annotations") is None:
            return [put("/spec/template/metadata/annotations", {RESTARTED_AT: stamp})], JSON_PATCH
        return [put(pointer("spec", "template", "metadata", "annotations", RESTARTED_AT),
                    stamp)], JSON_PATCH

    written = deployment_write(kube, namespace, name, build, dry_run, cause=cause)
    applied = written[0]
    text = summary(f"restart deployment {name} in {namespace}", applied.changes, dry_run)
    return deployment_result("rollout_restart", text, written, dry_run=dry_run,
                              before={})


@registry.write("rollout_restart")
def _rollout_restart(c: Call) -> StepResult:
    p = c.params
    return rollout_restart(c.kube, p.s("namespace"), p.s("deployment"), c.dry_run, c.now,
                           cause=c.cause)


def scale(kube: Kube, namespace: str, name: str, replicas: int, dry_run: bool) -> StepResult:
    """Set `spec.replicas`."""
    if replicas < 0:
        raise Refusal(f"cannot scale to {replicas} replicas.", "Use 0 or more.")

    def build(live: dict[str, Any]) -> tuple[Body, str]:
        return [put("/spec/replicas", replicas)], JSON_PATCH

    written = deployment_write(kube, namespace, name, build, dry_run)
    applied = written[0]
    old = int(cv.get(applied.live, "spec", "replicas", default=1))
    text = summary(f"scale deployment {name} in {namespace} from {old} to {replicas}",
                   applied.changes, dry_run)
    # The preview warns the approvers; the run's result says so again when the count will
    # not hold (a user trial: "Succeeded ... 6 of 6 available", then the autoscaler set
    # it back to 4 and nothing said so).
    warning = autoscaler_warning(kube, namespace, name, replicas) if dry_run else None
    if not dry_run and applied.changes:
        back = _set_back_to(kube, namespace, name, replicas)
        if back is not None:
            text += (f"; it will not hold: autoscaler {back[0]} keeps {name} between "
                     f"{back[1]} and {back[2]} replicas and sets it back to {back[3]}")
    return deployment_result("scale", text, written, dry_run=dry_run,
                              before={"replicas": old},
                              warnings=(warning,) if warning else ())


def _set_back_to(kube: Kube, namespace: str, name: str,
                 replicas: int) -> tuple[str, int, int, int] | None:
    """(autoscaler, min, max, the count it sets) when an autoscaler of the deployment will
    set `replicas` back at once (outside its bounds, not 0); None otherwise, or when it
    cannot be read (the write is done: this is advice)."""
    try:
        hpa = find_hpa(kube, namespace, name)
    except ClusterError:
        return None
    low = int(cv.get(hpa, "spec", "minReplicas", default=1))
    high = int(cv.get(hpa, "spec", "maxReplicas", default=1))
    if replicas == 0 or low <= replicas <= high:
        return None
    return str(cv.get(hpa, "metadata", "name")), low, high, min(max(replicas, low), high)


def autoscaler_warning(kube: Kube, namespace: str, name: str, replicas: int) -> str | None:
    """What an autoscaler of the deployment will do with a count set by hand (None: no
    autoscaler targets it).

    The HorizontalPodAutoscaler controller keeps its target within [min, max] and moves it
    with the load (scale-downs after a five-minute stabilization window, by default); a
    target at 0 replicas is left alone until someone scales it up again."""
    try:
        hpa = find_hpa(kube, namespace, name)
    except NotFound:
        return None
    except Forbidden:
        return (f"could not check for an autoscaler: {kube.who} may not list autoscalers "
                f"in {namespace}; if one manages {name}, it may undo this count")
    except ClusterError:
        return (f"could not check for an autoscaler (the API server did not answer); if one "
                f"manages {name}, it may undo this count")
    low = int(cv.get(hpa, "spec", "minReplicas", default=1))
    high = int(cv.get(hpa, "spec", "maxReplicas", default=1))
    head = f"autoscaler {cv.get(hpa, 'metadata', 'name')} (min {low}, max {high}) manages {name}"
    if replicas == 0:
        return (f"{head}: at 0 replicas it stops scaling it until someone scales it up "
                "again")
    if replicas > high:
        return (f"{head}: it will scale it back down to {high} within seconds; to allow "
                "more, raise its maximum instead (set_autoscaling)")
    if replicas < low:
        return (f"{head}: it will scale it back up to {low} within seconds; to allow fewer, "
                "lower its minimum instead (set_autoscaling)")
    return f"{head}: it may change the count again as the load changes"


@registry.write("scale")
def _scale(c: Call) -> StepResult:
    p = c.params
    return scale(c.kube, p.s("namespace"), p.s("deployment"), p.i("replicas"), c.dry_run)


_TAG = re.compile(r"^[\w][\w.-]{0,127}$")


def split_image(image: str) -> tuple[str, str]:
    """`registry:5000/app:1.2` -> (`registry:5000/app`, `:1.2`); a digest stays with the
    tag (`app:1.26@sha256:..` -> (`app`, `:1.26@sha256:..`)): a bare tag put on the
    repository replaces both (an attacker review: `app:1.26:1.27` before)."""
    name, at, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:  # a colon before the last slash is a registry port, not a tag
        return name[:colon], name[colon:] + at + digest
    return name, at + digest


def resolve_image(requested: str, current: str) -> str:
    """A bare tag (`1.22`) keeps the container's current repository; anything else is used
    as given (`nginx:1.21` + `1.22` -> `nginx:1.22`, `reg:5000/app:1` + `2` -> `reg:5000/app:2`)."""
    if "/" in requested or ":" in requested or "@" in requested:
        return requested
    if not _TAG.match(requested):
        raise Refusal(f"{requested!r} is not an image tag.", "Use e.g. 1.25 or nginx:1.25.")
    repo, _ = split_image(current)
    return f"{repo}:{requested}"


def pick_container(template_containers: Sequence[Mapping[str, Any]], container: str | None,
                   deployment: str, namespace: str) -> Mapping[str, Any]:
    """The container to change: the named one, or the only one; a clear refusal otherwise."""
    names = [str(c["name"]) for c in template_containers]
    if container:
        for c in template_containers:
            if c["name"] == container:
                return c
        raise NotFound(f"container {container} not found in deployment {deployment} "
                       f"in namespace {namespace}", tuple(names),
                       f"Its containers are {', '.join(names)}.")
    if len(template_containers) == 1:
        return template_containers[0]
    raise Refusal(f"deployment {deployment} has {len(names)} containers: {', '.join(names)}.",
                  "Say which container to change, e.g. container=" + names[0] + ".")


def set_image(kube: Kube, namespace: str, name: str, image: str, *, container: str | None,
              dry_run: bool, cause: str = "") -> StepResult:
    """Change one container's image; a bare tag keeps the current repository."""
    chosen: dict[str, str] = {}

    def build(live: dict[str, Any]) -> tuple[Body, str]:
        containers = cv.get(live, "spec", "template", "spec", "containers", default=[])
        c = pick_container(containers, container, name, namespace)
        chosen.update(name=str(c["name"]), before=str(c.get("image", "")))
        chosen["after"] = resolve_image(image, chosen["before"])
        # The index is safe: the generation test refuses the patch if the spec moved.
        index = containers.index(c)
        return [put(pointer("spec", "template", "spec", "containers", index, "image"),
                    chosen["after"])], JSON_PATCH

    written = deployment_write(kube, namespace, name, build, dry_run, cause=cause)
    applied = written[0]
    text = summary(f"set the image of container {chosen['name']} of deployment {name} in "
                   f"{namespace} to {chosen['after']}", applied.changes, dry_run)
    warnings = image_warnings(chosen["name"], chosen["before"], chosen["after"]) \
        if dry_run and applied.changes else ()
    return deployment_result("set_image", text, written, dry_run=dry_run,
                              before={"image": chosen["before"], "container": chosen["name"]},
                              warnings=warnings)


def canonical_repository(image: str) -> str:
    """The repository of `image` as the container runtime pulls it: Docker Hub's implicit
    registry and `library/` made explicit (`nginx` -> `docker.io/library/nginx`)."""
    repo = split_image(image)[0]
    first, _, rest = repo.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = "docker.io", repo
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = "docker.io"
    if registry == "docker.io" and "/" not in path:
        path = f"library/{path}"
    return f"{registry}/{path}"


def image_warnings(container: str, before: str, after: str) -> tuple[str, ...]:
    """What an approver should know about an image change that its diff does not say
    plainly: another repository (a typo, another registry, another product), or a tag that
    moves (`:latest`, `:stable`, none: no version number and no digest)."""
    warnings = []
    old, new = canonical_repository(before), canonical_repository(after)
    if before and old != new:
        warnings.append(f"container {container} would pull from another repository: {new}, "
                        f"not {old}; approve only if that image and its registry are the "
                        "ones meant")
    tag = split_image(after)[1]
    if "@" not in tag and not any(ch.isdigit() for ch in tag):
        # `:latest`, `:stable`, `:main`, none: a tag without a version number moves.
        warnings.append(f"{after} is a moving tag: pods run whatever it points to when they "
                        "start, so replicas may differ, and an undo may not bring back the "
                        "image that runs now")
    return tuple(warnings)


@registry.write("set_image")
def _set_image(c: Call) -> StepResult:
    p = c.params
    return set_image(c.kube, p.s("namespace"), p.s("deployment"), p.s("image"),
                     container=p.opt_s("container"), dry_run=c.dry_run, cause=c.cause)


def _strip_hash(template: Mapping[str, Any]) -> dict[str, Any]:
    tmpl = dict(template)
    meta = dict(tmpl.get("metadata") or {})
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k != "pod-template-hash"}
    meta["labels"] = labels
    tmpl["metadata"] = meta
    return tmpl


def rollout_undo(kube: Kube, namespace: str, name: str, revision: int | None,
                 dry_run: bool, *, cause: str = "") -> StepResult:
    """`kubectl rollout undo`: copy a previous ReplicaSet's pod template into the deployment.

    Without `revision` the target is the newest revision older than the current one.
    """
    found: dict[str, int] = {}
    images: list[tuple[str, ...]] = []

    def build(live: dict[str, Any]) -> tuple[Body, str]:
        current = cv.revision(live)
        history = reads.replica_sets(kube, live)
        revisions = sorted({cv.revision(rs) for rs in history})
        if revision:
            target = next((rs for rs in history if cv.revision(rs) == revision), None)
            if target is None:
                raise NotFound(f"revision {revision} of deployment {name} not found in "
                               f"namespace {namespace}", tuple(str(r) for r in revisions),
                               f"Known revisions: {', '.join(map(str, revisions))}.")
        else:
            older = [rs for rs in history if cv.revision(rs) < current]
            if not older:
                raise Refusal(f"deployment {name} in {namespace} has no previous revision "
                              "to roll back to.", "See its rollout history.")
            target = older[0]
        if target is not None and cv.revision(target) == current:
            raise Refusal(f"deployment {name} in {namespace} already runs revision "
                          f"{current}.", "Name another revision, or see its rollout history.")
        found.update(current=current, target=cv.revision(target))
        template = _strip_hash(cv.get(target, "spec", "template", default={}))
        images[:] = [_images(template), _images(cv.get(live, "spec", "template", default={}))]
        return [{"op": "replace", "path": "/spec/template", "value": template}], JSON_PATCH

    def named_cause() -> str:
        # The run's summary says only "roll back deployment X": which revision it went to
        # is found here, and is what someone reading `kubectl rollout history` needs.
        said = f"roll back deployment {name} in {namespace}"
        return cause.replace(said, f"{said} from revision {found['current']} to revision "
                                   f"{found['target']}", 1) if cause else ""

    written = deployment_write(kube, namespace, name, build, dry_run, cause=named_cause)
    applied = written[0]
    text = summary(f"roll back deployment {name} in {namespace} from revision "
                   f"{found['current']} to revision {found['target']}", applied.changes,
                   dry_run)
    same = images and images[0] == images[1]
    # A rollback past a restart (a revision of the same images) changes no version: it only
    # replaces the pods, which whoever asked to go back probably did not want.
    warnings = ((f"revision {found['target']} runs the same images as now "
                 f"({', '.join(images[0])}): this rollback changes no version, it replaces "
                 "the pods; name an older revision or a version to go back to",)
                if same else ())
    return deployment_result("rollout_undo", text, written, dry_run=dry_run,
                              before={"revision": found["current"]}, warnings=warnings)


def _images(template: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(c.get("image", "")) for c in
                 cv.get(template, "spec", "containers", default=[]) or [])


@registry.write("rollout_undo")
def _rollout_undo(c: Call) -> StepResult:
    p = c.params
    return rollout_undo(c.kube, p.s("namespace"), p.s("deployment"), p.opt_i("revision"),
                        c.dry_run, cause=c.cause)


def delete_pod(kube: Kube, namespace: str, name: str, dry_run: bool) -> StepResult:
    """Delete one pod with its normal grace period; its controller replaces it."""
    live = reads.read_pod(kube, namespace, name)
    result = kube.json(Target("delete", "pods", namespace, name),
                       kube.core.delete_namespaced_pod, name, namespace,
                       dry_run="All" if dry_run else None)
    when = cv.get(result, "metadata", "deletionTimestamp")
    if cv.get(result, "kind") == "Status" or not when:
        when = "now"  # deleted at once (no grace period): no timestamp to show
    changes = (FieldChange("metadata.deletionTimestamp",
                           cv.get(live, "metadata", "deletionTimestamp"), str(when)),)
    # Only a controller replaces a pod (an owner that is not one, a ConfigMap say, does not).
    controller = cv.controller(live)
    owner = f"{controller['kind']}/{controller['name']}" if controller else ""
    then = f"; {owner} will start a replacement" if owner else "; nothing will replace it"
    text = f"delete pod {name} in {namespace}{then}"
    seen = {"pod_uid": str(cv.get(live, "metadata", "uid", default="")),
            "pod_owner": owner}
    # The runbook's explanation can only hedge ("if a controller owns it"); the approver
    # must know before approving that this pod is gone for good.
    warnings = () if owner else (
        f"no controller owns pod {name}: nothing will replace it, and its logs go with it",)
    return StepResult("delete_pod", dry_run, say(text, dry_run), changes, (name,), before=seen,
                      warnings=warnings)


@registry.write("delete_pod")
def _delete_pod(c: Call) -> StepResult:
    return delete_pod(c.kube, c.params.s("namespace"), c.params.s("pod"), c.dry_run)


def set_unschedulable(kube: Kube, node: str, value: bool, dry_run: bool) -> Applied:
    """Cordon (True) or uncordon (False) a node."""
    def build(live: dict[str, Any]) -> tuple[Body, str]:
        # `kubectl uncordon` removes the field rather than writing false; so does null here.
        return {"spec": {"unschedulable": value or None}}, MERGE

    return apply(kube, Target("patch", "nodes", None, node),
                 read=lambda: reads.read_node(kube, node), build=build,
                 send=kube.core.patch_node, send_args=(node,), dry_run=dry_run,
                 # Only the field we write: the node lifecycle controller adds and removes
                 # the unschedulable taint on its own, in between our read and our write.
                 roots=("spec.unschedulable",))


def cordon(kube: Kube, node: str, value: bool, dry_run: bool) -> StepResult:
    """Mark a node (un)schedulable; running pods stay where they are."""
    applied = set_unschedulable(kube, node, value, dry_run)
    word = "cordon" if value else "uncordon"
    text = summary(f"{word} node {node}", applied.changes, dry_run)
    return StepResult(word, dry_run, say(text, dry_run),
                      applied.changes, ())


@registry.write("cordon")
def _cordon(c: Call) -> StepResult:
    return cordon(c.kube, c.params.s("node"), True, c.dry_run)


@registry.write("uncordon")
def _uncordon(c: Call) -> StepResult:
    return cordon(c.kube, c.params.s("node"), False, c.dry_run)


def suspend_cronjob(kube: Kube, namespace: str, name: str, suspend: bool,
                    dry_run: bool) -> StepResult:
    """Suspend or resume a cronjob; jobs already running are not stopped."""
    def build(live: dict[str, Any]) -> tuple[Body, str]:
        return [put("/spec/suspend", suspend)], JSON_PATCH

    applied = apply(kube, Target("patch", "cronjobs", namespace, name),
                    read=lambda: kube.json(Target("get", "cronjobs", namespace, name),
                                           kube.batch.read_namespaced_cron_job, name,
                                           namespace),
                    build=build, send=kube.batch.patch_namespaced_cron_job,
                    send_args=(name, namespace), dry_run=dry_run)
    word = "suspend" if suspend else "resume"
    verb = "suspend_cronjob" if suspend else "resume_cronjob"
    text = summary(f"{word} cronjob {name} in {namespace}", applied.changes, dry_run)
    return StepResult(verb, dry_run, say(text, dry_run),
                      applied.changes, ())


@registry.write("suspend_cronjob")
def _suspend_cronjob(c: Call) -> StepResult:
    return suspend_cronjob(c.kube, c.params.s("namespace"), c.params.s("cronjob"), True,
                           c.dry_run)


@registry.write("resume_cronjob")
def _resume_cronjob(c: Call) -> StepResult:
    return suspend_cronjob(c.kube, c.params.s("namespace"), c.params.s("cronjob"), False,
                           c.dry_run)
