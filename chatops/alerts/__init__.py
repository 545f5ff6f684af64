"""Alert-channel auto-responses: alerts in, diagnostics under them, remediation behind approval."""

from chatops.alerts.engine import AlertEngine, Receipt
from chatops.alerts.payloads import (
    Alert,
    AlertPayloadError,
    parse_alertmanager,
    parse_bot_message,
)
from chatops.alerts.rules import AlertRules, AlertRulesError, load_rules
from chatops.alerts.store import AlertStore

__all__ = ["Alert", "AlertEngine", "AlertPayloadError", "AlertRules", "AlertRulesError",
           "AlertStore", "Receipt", "load_rules", "parse_alertmanager", "parse_bot_message"]
