"""What the bot answers under an alert: the matching rule's read-only diagnostics, run as
the diagnostics identity, and its remediation proposed behind approval (previewed as the
preview identity); an alert no rule covers gets the closest runbooks named."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatops.alerts.rules import AlertRules
from chatops.conversation import ConversationService
from chatops.runbook.schema import Runbook

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
    """Turns one alert into the text of its answer and, maybe, a proposed run."""

    def __init__(self, service: ConversationService, rules: AlertRules, *, actor: str) -> None:
        self.service = service
        self.rules = rules
        self.actor = actor

    def work(self, channel: str, thread: str, alert: Mapping[str, Any]
              ) -> tuple[str, str | None]:
        """Run the rule's diagnostics; propose its remediation. Returns text and a run id."""
        labels: Mapping[str, str] = alert["labels"]
        name = labels.get("alertname", "alert")
        rule = self.rules.match(labels)
        if rule is None:
            close = ", ".join(f"`{n}`" for n in self._closest(labels))
            return (f"No alert rule covers {name}; nothing was run. Runbooks that may help: "
                    f"{close}.", None)
        parts = [f"Rule: {rule.name}."]
        for runbook_name in rule.diagnostics:
            runbook = self.service.catalogue.get(runbook_name)
            reply = self.service.run_readonly(
                runbook_name, self._slots(runbook, labels), identity=self.rules.identity,
                channel=channel, thread=thread, actor=self.actor)
            parts.append(f"*{runbook_name}*\n{reply.text}")
        run_id = None
        if rule.remediation:
            runbook = self.service.catalogue.get(rule.remediation)
            replies = self.service.propose_for_alert(
                rule.remediation, self._slots(runbook, labels),
                identity=self.rules.preview_identity,
                channel=channel, thread=thread, actor=self.actor)
            plans = [r for r in replies if r.run is not None]
            if plans and plans[0].run is not None:
                run_id = plans[0].run.id
                parts.append(f"Proposed fix: {rule.remediation} ({run_id}), below; it runs as "
                             "the person who approves it.")
            else:
                parts.append(f"Could not propose {rule.remediation}: "
                             + " ".join(r.text for r in replies))
        return "\n\n".join(parts), run_id

    def _closest(self, labels: Mapping[str, str]) -> list[str]:
        wanted = {k for k in labels if k in LABEL_SLOTS}
        ranked = sorted(self.service.catalogue,
                        key=lambda rb: (rb.risk.value != "read", -len(wanted & set(rb.slots)),
                                        rb.name))
        return [rb.name for rb in ranked[:3]]

    def _slots(self, runbook: Runbook, labels: Mapping[str, str]) -> dict[str, str]:
        slots = {name: labels[name] for name in runbook.slots
                 if name in labels and name in LABEL_SLOTS}
        if "deployment" in runbook.slots and "deployment" not in slots and "pod" in labels \
                and "namespace" in labels:
            try:
                names = self.service.executor.names("deployment", labels["namespace"],
                                                    self.rules.identity)
            except Exception:  # a lookup failure leaves the slot empty; the refusal says so
                names = ()
            owner = owner_deployment(labels["pod"], names)
            if owner:
                slots["deployment"] = owner
                if runbook.slots.get("pod") is not None and runbook.one_of:
                    slots.pop("pod", None)
        return slots
