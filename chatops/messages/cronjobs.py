"""What a namespace's scan found of one cronjob, for a question of its state."""

from __future__ import annotations

from chatops.results import CronjobState


def cronjob_state_text(namespace: str, name: str, state: CronjobState | None) -> str:
    """The answer to "is `name` suspended?" / "did it run?" from the scan of `namespace`:
    whether it is suspended, its schedule and its last runs; or that the scan found none of
    that name (it may also be hidden from the requester: the scan lists what they may)."""
    if state is None:
        return (f"{namespace} has no cronjob {name} that you may see: the scan above lists "
                "what there is.")
    status = "suspended" if state.suspended else "not suspended"
    if state.last_scheduled is None:
        runs = "it has never run."
    else:
        runs = f"its last run was scheduled at {state.last_scheduled}"
        runs += (f", and the last one that succeeded finished at {state.last_successful}."
                 if state.last_successful else ", and no successful run is recorded.")
    return f"cronjob {name} in {namespace} is {status} (schedule {state.schedule}): {runs}"
