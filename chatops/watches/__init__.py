"""Cluster watches that raise their own alerts: pods, jobs and nodes of the configured
namespaces are watched (by `chatops.executor.watch`, on the Lease holder only), and each
problem becomes an alert of the same shape as Alertmanager's, sent through the alert engine
(`chatops.alerts`), so rules, folding, the outbox and approvals all apply."""

from chatops.watches.detect import Condition
from chatops.watches.loop import WatchLoop
from chatops.watches.tracker import Tracker

__all__ = ["Condition", "Tracker", "WatchLoop"]
