"""Scheduling: runbooks that run later, approved like plans and checked again when they fire.

A message with a time phrase (`chatops.schedules.timing`) is cut in two: the time, and the
request, which is read by the grammar or the model exactly as if typed alone. The request
is planned and dry-run as usual and stored as a proposed run, linked to a `proposed`
schedule; its approval (the same buttons, counts and rights checks as any plan) activates
the schedule instead of running (`on_approved`, the `Collaborators.scheduled` hook).

At each firing (`fire`, called by the leader only, with `now` injected) the firing's row is
claimed first (exactly once across processes), then: too late is reported as missed; the
policy is read again (the requester may still ask, the approvers may still approve, no
freeze); the plan is rendered and dry-run again as the requester and compared with the
approved binding (a difference posts the new plan for approval instead); then it runs,
verifies, rolls back when the runbook says so, and reports in the schedule's thread. A
window's end is not held by a freeze (it restores the approved state; see
`firing.ScheduleFiring._fire_claimed`).
Approving a drifted firing's plan re-makes these checks before it runs
(`changes.ScheduleChanges._rebind_refused`).
Each turn first settles firings claimed by a replica that stopped before running them
(`_sweep_claims`): reported as interrupted, never run late. A firing stopped by a bug in a
live process is settled interrupted at once, logged with its traceback and reported once
without it (`_internal_error`).

Pause is an immediate brake (anyone who may change the schedule, no approval). Resuming and
deleting a schedule of a runbook that needs approvals need them again, like the runbook.

The parts: `routing` (which messages are about schedules; `Scheduling`, the entry point),
`requests` (a timed message into a proposed schedule), `changes` (the approval hook, the
list, pause, resume and delete), `firing` (`fire(now)` and the sweep) and `base` (what
they share: proposing a schedule's runs and the policy's checks made again).
"""

from chatops.conversation.scheduling.firing import Posting
from chatops.conversation.scheduling.routing import LIST_WORDS, Scheduling

__all__ = ["LIST_WORDS", "Posting", "Scheduling"]
