"""Alert-channel auto-responses: alerts in, diagnostics under them, remediation behind approval."""

from chatops.alerts.engine import AlertBacklogFull, AlertEngine, ChatPostError, Receipt
from chatops.alerts.payloads import (
    Alert,
    AlertPayloadError,
    parse_alertmanager,
    parse_bot_message,
)
from chatops.alerts.ports import AlertPorts
from chatops.alerts.rules import AlertRules, AlertRulesError, OutboxLimits, load_rules
from chatops.alerts.store import AlertStore, OutboxStats

__all__ = ["Alert", "AlertBacklogFull", "AlertEngine", "AlertPayloadError", "AlertPorts",
           "AlertRules",
           "AlertRulesError", "AlertStore", "ChatPostError", "OutboxLimits", "OutboxStats",
           "Receipt", "load_rules", "parse_alertmanager", "parse_bot_message"]
