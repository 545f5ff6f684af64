"""What the bot answers under an alert: the matching rule's read-only diagnostics, run as
the diagnostics identity, and its remediation proposed behind approval (previewed as the
preview identity); an alert no rule covers gets the closest runbooks named."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chatops.alerts.ports import AlertPorts
from chatops.alerts.rules import AlertRules
from chatops.messages import auto_guessed_text
from chatops.messages.alerts import (
    could_not_propose_text,
    no_rule_text,
    proposed_fix_text,
    rule_text,
)
from chatops.runbook.schema import Runbook

if TYPE_CHECKING:
    from chatops.alerts.autofix import AutoFixer

def labels_key(labels: Mapping[str, str]) -> str:
    """A stable key of a label set (for alerts stored without their fingerprint)."""
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


LABEL_SLOTS = ("namespace", "deployment", "pod", "node", "cronjob", "container")
"""Alert labels that fill the runbook slot of the same name."""


def owner_deployment(pod: str, deployments: tuple[str, ...]) -> str | None:
    """The deployment a pod belongs to, from the `<deployment>-<rs hash>-<suffix>` name."""
    parts = pod.split("-")
    for cut in (2, 1):
        if len(parts) > cut and (name := "-".join(parts[:-cut])) in deployments:
            return name
    return None


class Responder:
    """Turns one alert into the text of its answer and, maybe, a proposed run (or an
    automatic fix, for a rule with `auto: true` in one of its namespaces)."""

    def __init__(self, ports: AlertPorts, rules: AlertRules, *, actor: str,
                 autofix: AutoFixer | None = None) -> None:
        self.ports = ports
        self.rules = rules
        self.actor = actor
        self.autofix = autofix

    def work(self, channel: str, thread: str, alert: Mapping[str, Any], *,
             group: str = "", key: str = "") -> tuple[str, str | None]:
        """Run the rule's diagnostics; fix automatically or propose its remediation.
        Returns text and the id of a proposed run (an automatic run posts its own result,
        in `group`'s thread, once it ends)."""
        labels: Mapping[str, str] = alert["labels"]
        name = labels.get("alertname", "alert")
        rule = self.rules.match(labels)
        if rule is None:
            close = ", ".join(f"`{n}`" for n in self._closest(labels))
            return no_rule_text(name, close), None
        parts = [rule_text(rule.name)]
        for runbook_name in rule.diagnostics:
            runbook = self.ports.runbooks.get(runbook_name)
            reply = self.ports.conversation.run_readonly(
                runbook_name, self._slots(runbook, labels), identity=self.rules.identity,
                channel=channel, thread=thread, actor=self.actor)
            parts.append(f"*{runbook_name}*\n{reply.text}")
        run_id = None
        if rule.remediation and rule.auto is not None and self.autofix is not None:
            runbook = self.ports.runbooks.get(rule.remediation)
            slots = self._slots(runbook, labels)
            guessed = "deployment" in slots and "deployment" not in labels
            if guessed and rule.auto.allows(slots.get("namespace")):
                # A pod's name is whatever its creator chose: a guess never runs by itself.
                parts.append(auto_guessed_text(rule.remediation, slots["deployment"]))
            elif rule.auto.allows(slots.get("namespace")):
                attempt = self.autofix.attempt(
                    rule, rule.auto, slots, channel=channel, thread=thread, group=group,
                    key=key or f"{channel}:{thread}:{labels_key(labels)}")
                parts.append(attempt.text)
                if attempt.started:
                    return "\n\n".join(parts), None
        if rule.remediation:
            runbook = self.ports.runbooks.get(rule.remediation)
            replies = self.ports.conversation.propose_for_alert(
                rule.remediation, self._slots(runbook, labels),
                identity=self.rules.preview_identity,
                channel=channel, thread=thread, actor=self.actor)
            plans = [r for r in replies if r.run is not None]
            if plans and plans[0].run is not None:
                run_id = plans[0].run.id
                parts.append(proposed_fix_text(rule.remediation, run_id))
            else:
                parts.append(could_not_propose_text(rule.remediation,
                                                    " ".join(r.text for r in replies)))
        return "\n\n".join(parts), run_id

    def _closest(self, labels: Mapping[str, str]) -> list[str]:
        wanted = {k for k in labels if k in LABEL_SLOTS}
        ranked = sorted(self.ports.runbooks,
                        key=lambda rb: (rb.risk.value != "read", -len(wanted & set(rb.slots)),
                                        rb.name))
        return [rb.name for rb in ranked[:3]]

    def _slots(self, runbook: Runbook, labels: Mapping[str, str]) -> dict[str, str]:
        slots = {name: labels[name] for name in runbook.slots
                 if name in labels and name in LABEL_SLOTS}
        if "deployment" in runbook.slots and "deployment" not in slots and "pod" in labels \
                and "namespace" in labels:
            try:
                names = self.ports.cluster.names("deployment", labels["namespace"],
                                                    self.rules.identity)
            except Exception:  # a lookup failure leaves the slot empty; the refusal says so
                names = ()
            owner = owner_deployment(labels["pod"], names)
            if owner:
                slots["deployment"] = owner
                if runbook.slots.get("pod") is not None and runbook.one_of:
                    slots.pop("pod", None)
        return slots
