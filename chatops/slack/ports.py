"""What the Slack surface needs of the bot behind it, and nothing more.

The Bolt app is built on a `SlackBackend` (in production `chatops.runtime.Runtime`; any
object with these members will do): the conversation entry points, the dedupe keys that
make a thread the bot's and tell a Slack retry apart, and what the Edit modal shows. The
deliverer and the alert chat remember which Slack message shows a run through `RunMessages`
(the Runtime again). Listeners never reach into stores or the catalogue, and nothing here
imports them: a stored run is read as `RunFacts`, never as the store's row. The Home tab and
`/ops runs` / `/ops audit` read a person's overview through `HomeBackend` (frozen values of
`chatops.conversation.overview`, where who sees what is decided).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal, Protocol, runtime_checkable

from chatops.alerts import AlertEngine
from chatops.conversation.overview import AuditLine, HomeFacts, RunLine
from chatops.model import Message
from chatops.replies import Reply
from chatops.runbook.schema import SlotSpec

Updates = Callable[[Reply], None]


class Conversation(Protocol):
    """The conversation service's entry points that Slack payloads turn into."""

    def handle(self, message: Message, *, on_update: Updates | None = None) -> list[Reply]:
        """Answer one message in its thread."""
        ...

    def overhear(self, message: Message) -> None:
        """A person's words in the bot's thread said to someone else: answered by nobody
        here, but a yes or no after them may answer them."""
        ...

    def decide(self, run_id: str, message: Message, decision: Literal["approve", "deny"], *,
               dedupe_key: str | None = None, on_update: Updates | None = None,
               origin: str | None = None, shown: str | None = None) -> list[Reply]:
        """An approver's click on a proposed run."""
        ...

    def edit(self, run_id: str, message: Message, slots: Mapping[str, str], *,
             on_update: Updates | None = None) -> list[Reply]:
        """Re-plan a proposed run with changed slot values."""
        ...


class Dedupe(Protocol):
    """Keys shared by every replica: the first `claim` wins."""

    def claim(self, key: str) -> bool:
        """Take `key`: True the first time, False after."""
        ...

    def seen(self, key: str) -> bool:
        """Whether `key` was taken, without taking it."""
        ...


class RunFacts(Protocol):
    """What the Slack surface reads of a stored run (the Runtime hands out a frozen copy)."""

    @property
    def runbook(self) -> str:
        """The runbook's name."""
        ...

    @property
    def requester(self) -> str:
        """Who asked for the run ("" for an alert's proposal nobody took on yet)."""
        ...

    @property
    def channel(self) -> str:
        """The channel the run was asked for in."""
        ...

    @property
    def thread(self) -> str | None:
        """The thread the run was asked for in, if any."""
        ...

    @property
    def raw_slots(self) -> Mapping[str, str]:
        """The slot values as they were given."""
        ...


class RunReader(Protocol):
    """Reading a stored run by its id."""

    def run(self, run_id: str) -> RunFacts | None:
        """The stored run, or None."""
        ...


class RunMessages(RunReader, Protocol):
    """Which chat message shows a run: recorded when its plan is posted, found for the edits
    that follow."""

    def record_message_ref(self, run_id: str, ref: str) -> None:
        """Remember that `ref` (`"CHANNEL:TS"`) is the run's message."""
        ...

    def message_ref(self, run_id: str) -> str | None:
        """The run's message (`"CHANNEL:TS"`), or None when none was recorded."""
        ...


class ClickedRun(RunFacts, Protocol):
    """What a click on a run's button is checked against: the message that shows the run,
    where it is, and the plan binding its buttons carry."""

    @property
    def message_ref(self) -> str | None:
        """The chat message that shows the run (`"CHANNEL:TS"`), if one was recorded."""
        ...

    @property
    def state(self) -> str:
        """Where the run is (`proposed`, `running`, ...)."""
        ...

    @property
    def binding(self) -> str:
        """The first hex digits of the plan binding, as the run's buttons carry them."""
        ...


class EditForms(Protocol):
    """What the Edit modal shows: the run's values and its runbook's slots; and who may
    open it."""

    def run(self, run_id: str) -> ClickedRun | None:
        """The stored run, or None."""
        ...

    def slot_specs(self, runbook: str) -> Sequence[SlotSpec] | None:
        """The runbook's slots in order, or None when it is not loaded."""
        ...

    def may_edit(self, run_id: str, user: str, groups: Sequence[str] = ()) -> bool:
        """Whether the chat user (in the chat user groups `groups`) may edit the run."""
        ...


class SlackBackend(Dedupe, EditForms, Protocol):
    """Everything the Bolt app is built on."""

    @property
    def service(self) -> Conversation:
        """The conversation entry points."""
        ...

    @property
    def alerts(self) -> AlertEngine | None:
        """The alert engine that answers alert bots' messages, or None."""
        ...

    def pump(self) -> None:
        """Post what the alert outbox holds, if this replica is the one that does (the
        Lease holder): never the engine's own pump, which any replica could run."""
        ...


@runtime_checkable
class HomeBackend(Protocol):
    """A person's overview: the Home tab, `/ops runs` and `/ops audit RUN_ID` (the Runtime).

    Optional: an app whose backend lacks it has no Home tab and passes those words on to
    the conversation."""

    def home(self, user: str, groups: Sequence[str] = ()) -> HomeFacts:
        """The chat user's pending approvals, recent runs and runbooks they may ask for."""
        ...

    def run_line(self, run_id: str) -> RunLine | None:
        """A stored run as an overview lists it, or None."""
        ...

    def home_audience(self, run_id: str,
                      viewers: Mapping[str, Sequence[str]] | None = None) -> frozenset[str]:
        """The chat users whose overview a change of the run changes."""
        ...

    def run_audit(self, run_id: str, user: str,
                  groups: Sequence[str] = ()) -> tuple[AuditLine, ...] | None:
        """The run's audit events if the chat user may see them, else None (also for a run
        that does not exist)."""
        ...

    def attach(self, *, close: Callable[[], None] | None = None) -> None:
        """Have `close` run when the bot stops (the Home tab's publisher)."""
        ...
