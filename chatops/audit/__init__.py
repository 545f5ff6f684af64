"""The tamper-evident audit log: every message, parse, plan, approval, step and result.

`AuditLog` appends hash-chained events to an SQLite file (plain tables, so it opens in
Datasette as it is); `AuditLog.verify` walks the chain and names the first row that was
edited, removed or added by hand.
"""

from chatops.audit.log import GENESIS_HASH, AuditEvent, AuditLog, VerifyReport, chain_hash

__all__ = ["GENESIS_HASH", "AuditEvent", "AuditLog", "VerifyReport", "chain_hash"]
