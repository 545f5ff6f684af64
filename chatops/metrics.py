"""The bot's Prometheus metrics, served at `/metrics` in the text format.

Every label takes its values from a closed set the bot owns (surfaces, catalogue intents and
runbooks, run states, HTTP status codes, Slack API method names and error codes), never from
what a person typed: label values are series, and a label fed by input would let anyone grow
the scrape without bound.

One `Metrics` per process (`METRICS`); tests build their own to read counters in isolation.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_CONFIDENCE_BUCKETS = ((0.5, "lt_0.5"), (0.7, "0.5_0.7"), (0.8, "0.7_0.8"), (0.9, "0.8_0.9"))
_DURATIONS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


def confidence_bucket(confidence: float) -> str:
    """The label of a parse's confidence: `lt_0.5`, `0.5_0.7`, ... `ge_0.9`."""
    for upper, label in _CONFIDENCE_BUCKETS:
        if confidence < upper:
            return label
    return "ge_0.9"


class Metrics:
    """The counters, histograms and gauges of one bot process."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.messages = Counter("chatops_messages", "Messages received, by surface.",
                                ["surface"], registry=r)
        self.parses = Counter("chatops_parses", "Messages understood, by intent and "
                              "confidence bucket.", ["intent", "confidence"], registry=r)
        self.out_of_scope = Counter("chatops_out_of_scope", "Messages answered as out of "
                                    "scope.", registry=r)
        self.plans = Counter("chatops_plans", "Plans rendered, by runbook.", ["runbook"],
                             registry=r)
        self.approvals = Counter("chatops_approvals", "Approvers' decisions that counted.",
                                 ["decision"], registry=r)
        self.runs = Counter("chatops_runs", "Runs that reached a final state, by runbook and "
                            "state.", ["runbook", "state"], registry=r)
        self.run_seconds = Histogram("chatops_run_duration_seconds", "Time from the start of "
                                     "execution to the run's end, by runbook.", ["runbook"],
                                     buckets=_DURATIONS, registry=r)
        self.verify_seconds = Histogram("chatops_verification_duration_seconds", "Time one "
                                        "verification check took.", buckets=_DURATIONS,
                                        registry=r)
        self.kube_errors = Counter("chatops_kubernetes_api_errors", "Kubernetes API errors, "
                                   "by HTTP status (0: no answer).", ["status"], registry=r)
        self.slack_calls = Counter("chatops_slack_api_calls", "Slack Web API calls, by "
                                   "method.", ["method"], registry=r)
        self.slack_errors = Counter("chatops_slack_api_errors", "Slack Web API errors, by "
                                    "method and error.", ["method", "error"], registry=r)
        self.slack_ratelimited = Counter("chatops_slack_api_ratelimited", "Slack Web API "
                                         "calls answered 429, by method.", ["method"],
                                         registry=r)
        self.outbox_depth = Gauge("chatops_alert_outbox_depth", "Alert posts waiting in the "
                                  "outbox.", registry=r)
        self.lease_holder = Gauge("chatops_lease_holder", "1 while this replica holds the "
                                  "Lease (does the once-only work), else 0.", registry=r)
        self.watch_events = Counter("chatops_watch_events", "Cluster watch events handled, by "
                                    "resource (pods, jobs, nodes) and type (ADDED, MODIFIED, "
                                    "DELETED, RELISTED).", ["resource", "type"], registry=r)
        self.watch_relists = Counter("chatops_watch_relists", "Cluster watches listed again "
                                     "after 410 Gone (a compacted resourceVersion), by "
                                     "resource.", ["resource"], registry=r)
        self.watch_errors = Counter("chatops_watch_errors", "Cluster watch streams that failed "
                                    "and back off before listing again, by resource.",
                                    ["resource"], registry=r)
        self.watch_alerts = Counter("chatops_watch_alerts", "Alerts the cluster watch sent to "
                                    "the alert engine, by alert name and status (firing, "
                                    "resolved).", ["alertname", "status"], registry=r)
        self.auto_fixes = Counter("chatops_auto_fixes", "Automatic fixes, by outcome: ran "
                                  "(started without approval), held (proposed instead: rate "
                                  "limit or demotion), failed (the run failed), demoted (a "
                                  "target demoted after a failure).", ["outcome"], registry=r)

    def watch_outbox(self, depth: Callable[[], float]) -> None:
        """Read the outbox depth at each scrape."""
        self.outbox_depth.set_function(depth)

    def watch_leadership(self, leading: Callable[[], bool]) -> None:
        """Read whether this replica leads at each scrape."""
        self.lease_holder.set_function(lambda: 1.0 if leading() else 0.0)

    def render(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


METRICS = Metrics()
"""This process's metrics."""
