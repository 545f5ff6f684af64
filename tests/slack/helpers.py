"""Steps shared by the Slack flow tests."""

from __future__ import annotations

import threading

from chatops.runs import Run
from chatops.slack.blocks import APPROVE
from tests.slack.conftest import Bot, eventually
from tests.slack.sender import Sender


def all_runs(bot: Bot) -> list[Run]:
    """Every run in the bot's database, oldest first."""
    rows = bot.service.store._db().execute("SELECT id FROM runs ORDER BY rowid").fetchall()
    return [r for row in rows if (r := bot.service.store.get(row["id"])) is not None]


def propose(bot: Bot, *, user: str = "U0BOB", namespace: str = "prod", replicas: int = 5,
            channel: str = "C0OPS", deployment: str = "checkout-api") -> Run:
    """`/ops run scale_deployment ...`; wait until its plan message is recorded on the run."""
    before = len(all_runs(bot))
    response = bot.sender.command(
        f"run scale_deployment deployment={deployment} namespace={namespace} "
        f"replicas={replicas}", user=user, channel=channel)
    assert response.status == 200

    def planned() -> Run | None:
        runs = all_runs(bot)
        return runs[-1] if len(runs) > before and runs[-1].message_ref else None

    run = eventually(planned, what="the plan message")
    assert isinstance(run, Run)
    return run


def message_ts(run: Run) -> str:
    """The ts of the run's Slack message."""
    assert run.message_ref
    return run.message_ref.split(":", 1)[1]


def scale_calls(cluster: object) -> list[tuple[str, bool, str | None]]:
    """The fake cluster's real (not dry-run) scale calls."""
    return [c for c in cluster.calls if c[0] == "scale" and not c[1]]  # type: ignore[attr-defined]


def race_clicks(clicks: list[tuple[Sender, str, str | None]], run_id: str,
                message_ts: str) -> None:
    """Click Approve on `run_id` from several senders at once: (sender, user, action_ts);
    the same action_ts twice is a Slack retry of one click, None a click of its own."""
    threads = [threading.Thread(target=sender.click, args=(APPROVE, run_id),
                                kwargs={"user": user, "channel": "C0OPS",
                                        "message_ts": message_ts, "action_ts": stamp})
               for sender, user, stamp in clicks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
