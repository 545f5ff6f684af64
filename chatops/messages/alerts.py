"""Alert threads: the root message, and what happens to an alert's proposal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chatops.model import Risk


def alert_root_text(alerts: Mapping[str, Mapping[str, Any]]) -> str:
    """The root message of an alert thread; deterministic, so a repeat reads the same."""
    firing = [a for a in alerts.values() if a["status"] == "firing"]
    state = "FIRING" if firing else "RESOLVED"

    def describe(alert: Mapping[str, Any]) -> str:
        labels = alert["labels"]
        pairs = " ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "alertname")
        seen = f", seen {alert['count']} times" if alert.get("count", 1) > 1 else ""
        return f"{labels.get('alertname', 'alert')} ({pairs}{seen})"

    ordered = sorted(alerts.values(), key=describe)
    if len(ordered) == 1:
        alert = ordered[0]
        summary = f"\n{alert['summary']}" if alert.get("summary") else ""
        tail = "" if firing else "\nResolved: no action is pending from this alert."
        return f"[{state}] {describe(alert)}{summary}{tail}"
    lines = [f"[{state}] {len(ordered)} alerts in this incident, {len(firing)} firing:"]
    lines += [f"  {a['status']}: {describe(a)}" for a in ordered]
    return "\n".join(lines)


def adopted_text(run_id: str, approvers: str) -> str:
    """The first approver of an alert's proposal became its requester."""
    return (f"You are now the requester of {run_id}: it will run as you once it has its "
            f"approvals from others ({approvers}).")


def may_not_adopt_text(risk: Risk, runbook: str, run_id: str) -> str:
    """Someone the policy wouldn't let request it tried to take on an alert's proposal."""
    return (f"You may not request {risk.value} runbooks such as {runbook}, so you can't take "
            f"on {run_id}.")


def alert_ambiguous_text(runbook: str, question: str, choices: Sequence[str]) -> str:
    """An alert's label matched several names, and nobody can be asked which."""
    return f"{runbook}: {question} ({', '.join(choices)})"


def alert_no_such_object_text(runbook: str, kind: str, name: str,
                              namespace: str | None) -> str:
    """An alert's label names no object exactly; nothing near it is taken instead."""
    where = f" in namespace {namespace}" if namespace and kind != "namespace" else ""
    return (f"{runbook}: there is no {kind} {name}{where} (an alert's labels must name it "
            "exactly; a similar name is not taken).")


def alert_missing_labels_text(runbook: str, slots: Sequence[str]) -> str:
    """An alert lacks the labels a runbook needs."""
    return f"Can't run {runbook}: the alert has no {' or '.join(slots)} label."


def alert_channel_refused_text(channel: str) -> str:
    """An alert arrived in a channel where the policy takes no requests."""
    return f"The policy doesn't allow requests in {channel}, so I ran nothing for this alert."


def no_rule_text(alertname: str, closest: str) -> str:
    """An alert no rule covers; `closest` names runbooks that may help."""
    return f"No alert rule covers {alertname}; nothing was run. Runbooks that may help: {closest}."


def rule_text(rule: str) -> str:
    """The first line of what an alert's rule did."""
    return f"Rule: {rule}."


def proposed_fix_text(runbook: str, run_id: str) -> str:
    """An alert's rule proposed its fix, for someone to approve."""
    return f"Proposed fix: {runbook} ({run_id}), below; it runs as the person who approves it."


def could_not_propose_text(runbook: str, why: str) -> str:
    """An alert's rule has a fix that could not be planned."""
    return f"Could not propose {runbook}: {why}"


WATCH_SUMMARIES = {
    "KubePodCrashLooping": "A container keeps crashing and restarting (CrashLoopBackOff).",
    "KubePodOOMKilled": "A container was killed for running out of memory (OOMKilled).",
    "KubeImagePullBackOff": "A container image cannot be pulled.",
    "KubePodNotReady": "A pod has been Pending for longer than the watch allows.",
    "KubeJobFailed": "A job failed.",
    "KubeNodeNotReady": "A node is not Ready.",
}
"""The summary of each alert the bot's own watch raises, by alert name: fixed sentences, so
the alert never quotes the cluster."""
