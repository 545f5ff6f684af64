"""What the bot records in the audit log: one frozen class per kind of event.

Callers build a record and hand it to `AuditLog.record`; the record names its `kind` and
says what its stored `data` is. The stored shape is the contract of `chatops audit
export` (and of anyone reading the log), so a record's `data()` is written out field by
field where a field's name is not the stored key.

The classes live in modules by topic (`understood`, `decisions`, `running`, `alerts`,
`schedules`, `autofix`) and are all re-exported here: import them from
`chatops.audit.records`.
"""

from chatops.audit.records.alerts import (
    AlertPostFailed,
    AlertReceived,
    AlertsRefused,
)
from chatops.audit.records.autofix import (
    AutoFixDemoted,
    AutoFixHeld,
    AutoFixRan,
    AutoFixRestored,
)
from chatops.audit.records.base import AuditRecord
from chatops.audit.records.decisions import (
    Adopted,
    Approved,
    Cancelled,
    Denied,
    Expired,
    Planned,
    Previewed,
    Proposed,
    Rejected,
    RejectionsSuppressed,
    Replanned,
    Unchanged,
)
from chatops.audit.records.running import (
    ChangeFinished,
    Interrupted,
    ReadFailed,
    ReadFinished,
    RunStarted,
    StepDone,
    Verified,
)
from chatops.audit.records.schedules import (
    ScheduleBlocked,
    ScheduleChanged,
    ScheduleFired,
)
from chatops.audit.records.understood import (
    AskedBack,
    InternalError,
    MessageReceived,
    OutOfScope,
    Parsed,
    Refused,
    Reread,
)

__all__ = [
    "Adopted",
    "AlertPostFailed",
    "AlertReceived",
    "AlertsRefused",
    "Approved",
    "AskedBack",
    "AuditRecord",
    "AutoFixDemoted",
    "AutoFixHeld",
    "AutoFixRan",
    "AutoFixRestored",
    "Cancelled",
    "ChangeFinished",
    "Denied",
    "Expired",
    "InternalError",
    "Interrupted",
    "MessageReceived",
    "OutOfScope",
    "Parsed",
    "Planned",
    "Previewed",
    "Proposed",
    "ReadFailed",
    "ReadFinished",
    "Refused",
    "Rejected",
    "RejectionsSuppressed",
    "Replanned",
    "Reread",
    "RunStarted",
    "ScheduleBlocked",
    "ScheduleChanged",
    "ScheduleFired",
    "StepDone",
    "Unchanged",
    "Verified",
]
