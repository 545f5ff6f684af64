"""Answers to questions of rights: who may ask for a change, who approves it, and what the
person asking may do, by the policy and in a namespace by the cluster."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatops.policy.decisions import RiskRights


@dataclass(frozen=True)
class ClusterRights:
    """What the cluster answered for the asker's own identity in one namespace: the
    runbooks whose requests it lets them make, and those it doesn't with the first request
    refused (`patch deployments in namespace prod`). `unchecked`: it could not be asked."""

    namespace: str
    user: str
    allowed: tuple[str, ...] = ()
    denied: tuple[tuple[str, str], ...] = ()
    unchecked: bool = False


RUNS_AS_YOU = ("A change runs as the person who asked, so the cluster's own rights apply "
               "too: each plan's dry-run shows what they allow before anyone approves.")


def _approval(rights: RiskRights) -> str:
    if rights.needed == 0:
        return "needs no approval"
    count = "1 approval" if rights.needed == 1 else f"{rights.needed} approvals"
    own = ("the requester's own included" if rights.own_counts
           else "not the requester's own")
    you = "you may approve" if rights.may_approve else "you may not approve"
    return f"needs {count} from {rights.approvers}, {own} ({you})"


def risk_line(rights: RiskRights) -> str:
    """One risk level: who may ask (and whether the asker may), and its approvals."""
    you = "you may" if rights.may_ask else "not you"
    return f"asked for by {rights.askers} ({you}); {_approval(rights)}"


def _cluster_lines(cluster: ClusterRights | None, one: bool) -> list[str]:
    if cluster is None:
        return [RUNS_AS_YOU + " Name a namespace to have me ask the cluster for you."]
    where = f"In {cluster.namespace}"
    if cluster.unchecked:
        return [f"{where}, I could not ask the cluster about your rights just now. "
                + RUNS_AS_YOU]
    lines = []
    if one and cluster.allowed:
        lines.append(f"{where}, the cluster lets you ({cluster.user}) make its requests.")
    elif cluster.allowed:
        lines.append(f"{where}, the cluster lets you ({cluster.user}) run: "
                     + ", ".join(cluster.allowed) + ".")
    if one:
        lines += [f"{where}, the cluster doesn't let you ({cluster.user}) {denied}, so it "
                  "would fail its dry-run as you." for _, denied in cluster.denied]
        return lines
    # One line per request refused, with the runbooks that make it (a user's "what am I
    # allowed to do in prod?" listed eleven lines, five of them "patch deployments").
    by_request: dict[str, list[str]] = {}
    for runbook, denied in cluster.denied:
        by_request.setdefault(denied, []).append(runbook)
    lines += [f"{where}, the cluster doesn't let you ({cluster.user}) {denied}, so "
              f"{', '.join(runbooks)} would fail {'its' if len(runbooks) == 1 else 'their'} "
              "dry-run as you." for denied, runbooks in by_request.items()]
    return lines


def runbook_rights_text(runbook: str, rights: RiskRights, cluster: ClusterRights | None,
                        waiting: str = "") -> str:
    """The rights for one runbook: its risk, who may ask and approve, and the cluster's
    answer in a namespace. `waiting`: a line about the plan of it waiting in the thread."""
    kind = "a read" if rights.risk.value == "read" else f"a {rights.risk.value} change"
    lines = [f"`{runbook}` is {kind}: {risk_line(rights)}."]
    if waiting:
        lines.append(waiting)
    if rights.may_ask and rights.risk.value != "read":
        lines += _cluster_lines(cluster, one=True)
    elif rights.may_ask and cluster is not None:
        lines += [line for line in _cluster_lines(cluster, one=True)
                  if not line.startswith(RUNS_AS_YOU)]
    return "\n".join(lines)


def waiting_rights_line(run_id: str, requester: str, approvals: int, needed: int) -> str:
    """The waiting plan a question of approval is about."""
    return f"{run_id}, asked by {requester}, has {approvals} of {needed} approvals."


def rights_overview_text(name: str, risks: Sequence[tuple[RiskRights, Sequence[str]]],
                         cluster: ClusterRights | None) -> str:
    """Every risk level's rights for the asker (`name`), with its runbooks, and in a
    namespace what the cluster lets them run."""
    lines = [f"What the policy says for you ({name}):"]
    for rights, runbooks in risks:
        listed = f" ({', '.join(runbooks)})" if runbooks else ""
        lines.append(f"  {rights.risk.value}{listed}: {risk_line(rights)}")
    lines += _cluster_lines(cluster, one=False)
    return "\n".join(lines)
