"""The tamper-evident audit log: every message, parse, plan, approval, step and result.

`AuditLog` appends hash-chained events to an SQLite file (plain tables, so it opens in
Datasette as it is); `AuditLog.verify` walks the chain and names the first row that was
edited, removed or added by hand. `AuditLog.checkpoint` records where the chain ends, for
keeping outside the database (`CheckpointWriter` and its sinks), so that cutting off the
newest rows is caught by `AuditLog.verify_against` too. The writer reads what its sinks
already hold before it writes, so a restart does not sign a log that was cut while it was
down.
"""

from chatops.audit.anchor import (
    CheckpointSink,
    CheckpointStoreTampered,
    CheckpointWriter,
    FileSink,
    LogSink,
    ReadableCheckpointSink,
)
from chatops.audit.checkpoint import Checkpoint, newest_checkpoint, read_checkpoint_file
from chatops.audit.log import (
    GENESIS_HASH,
    AuditEvent,
    AuditLog,
    AuditTampered,
    VerifyReport,
    chain_hash,
)

__all__ = [
    "GENESIS_HASH",
    "AuditEvent",
    "AuditLog",
    "AuditTampered",
    "Checkpoint",
    "CheckpointSink",
    "CheckpointStoreTampered",
    "CheckpointWriter",
    "FileSink",
    "LogSink",
    "ReadableCheckpointSink",
    "VerifyReport",
    "chain_hash",
    "newest_checkpoint",
    "read_checkpoint_file",
]
