"""The base of every audit record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class AuditRecord:
    """The base of every record: its `kind`, and its data as the record's fields."""

    kind: ClassVar[str] = ""

    def data(self) -> dict[str, Any]:
        """The event's stored data (JSON-ready; the log scrubs secrets from it)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
