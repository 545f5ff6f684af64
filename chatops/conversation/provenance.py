"""Whether a change-cause that names a run of this bot ("chatops r-1a2b3c4d: ...") is one.

A change-cause is anyone's text: `kubectl annotate`, CI, or a person can write "chatops
r-...: ...; approved by carol" on a deployment, and the bot's history answer would repeat
it as the bot's own record (an attacker review). The run store is the record: a cause that
names a run it does not hold, or a run of another deployment, is said to be so."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from chatops.messages import unknown_run_cause_text
from chatops.model import Plan
from chatops.results import Record, RevisionInfo
from chatops.runs import Run

_NAMED_RUN = re.compile(r"\bchatops (r-[0-9a-f]{8})\b")


def checked_causes(records: Sequence[Record], params: Mapping[str, object],
                   find: Callable[[str], Run | None]) -> tuple[Record, ...]:
    """`records` with each revision's cause that names a run `find` does not know, or a run
    of another deployment than `params` names, marked as such."""
    deployment, namespace = params.get("deployment"), params.get("namespace")
    ours: dict[str, bool] = {}  # by run id: inherited causes repeat one run's

    def made_here(run_id: str) -> bool:
        if run_id not in ours:
            run = find(run_id)
            ours[run_id] = run is not None and any(
                (step.params.get("deployment"), step.params.get("namespace"))
                == (deployment, namespace) for step in Plan.from_record(run.plan).steps)
        return ours[run_id]

    def checked(record: Record) -> Record:
        match = (_NAMED_RUN.search(record.change_cause)
                 if isinstance(record, RevisionInfo) else None)
        if not isinstance(record, RevisionInfo) or match is None:
            return record
        if made_here(match.group(1)):
            return record
        return replace(record, change_cause=unknown_run_cause_text(record.change_cause,
                                                                   match.group(1)))

    return tuple(map(checked, records))
