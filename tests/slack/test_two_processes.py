"""Two bot processes sharing one database: a retried event or racing clicks delivered to
different processes still run nothing twice; with the SQLite files, and with every store in
one PostgreSQL database (`CHATOPS_DATABASE_URL`)."""

from __future__ import annotations

import time
from pathlib import Path

from chatops.audit import AuditLog
from chatops.runs import RunState, RunStore
from tests.slack.conftest import SECRET, eventually
from tests.slack.helpers import race_clicks
from tests.slack.mock_slack import MockSlack
from tests.slack.processes import FAKE_SERVE, bot_env, bot_processes
from tests.slack.sender import Sender, next_ts
from tests.waiting import exited_cleanly


def _database_env(location: Path | str) -> dict[str, str]:
    """The bots' environment for the test's database: a PostgreSQL URL, or the SQLite files
    `bot_env` already names."""
    return {"CHATOPS_DATABASE_URL": location} if isinstance(location, str) else {}


def test_retried_event_on_another_process_runs_once(tmp_path: Path,
                                                    slack_api: MockSlack,
                                                    state_location: Path | str,
                                                    audit_location: Path | str) -> None:
    env = bot_env(tmp_path, slack_api, **_database_env(state_location))
    with bot_processes(FAKE_SERVE, env) as (one, two):
        a = Sender(one.url, SECRET, slack_api.base)
        b = Sender(two.url, SECRET, slack_api.base)
        root = next_ts()
        text = "run deployment_status deployment=checkout-api namespace=prod"
        kw = {"user": "U0BOB", "channel": "C0OPS", "ts": root, "mention": True,
              "event_id": "Ev0RETRIED"}
        assert a.message(text, **kw).status == 200
        assert b.message(text, retry_num=1, **kw).status == 200
        assert a.message(text, retry_num=2, **kw).status == 200
        slack_api.wait_for("chat.postMessage", "checkout-api in prod")
    # Both processes have stopped, and a bot process runs what it queued to the end before
    # it exits: whatever the deliveries set off is done.
    exited_cleanly(one, two)
    assert len(slack_api.of("chat.postMessage")) == 1
    kinds = [e.kind for e in AuditLog(audit_location).list()]
    assert kinds.count("message") == 1


def test_racing_clicks_on_two_processes_run_once(tmp_path: Path,
                                                 slack_api: MockSlack,
                                                 state_location: Path | str,
                                                 audit_location: Path | str) -> None:
    env = bot_env(tmp_path, slack_api, **_database_env(state_location))
    with bot_processes(FAKE_SERVE, env) as (one, two):
        a = Sender(one.url, SECRET, slack_api.base)
        b = Sender(two.url, SECRET, slack_api.base)
        a.command("run scale_deployment deployment=checkout-api namespace=prod replicas=5",
                  user="U0BOB")
        store = RunStore(state_location)

        def planned() -> str | None:
            row = store._db().execute("SELECT id, message_ref FROM runs").fetchone()
            return row["id"] if row and row["message_ref"] else None

        run_id = str(eventually(planned, what="the plan"))
        ts = str(store.get(run_id).message_ref).split(":", 1)[1]
        same = f"{time.time():.6f}"
        clicks = [(a, "U0CAROL", same), (b, "U0CAROL", same), (b, "U0ERIN", None),
                  (a, "U0ERIN", None), (b, "U0CAROL", None)]
        race_clicks(clicks, run_id, ts)
        eventually(lambda: store.get(run_id).state is RunState.SUCCEEDED)
    # Both processes have stopped, and a bot process runs what it queued to the end before
    # it exits: every click's listener has returned, the losers' too.
    exited_cleanly(one, two)
    events = AuditLog(audit_location).list(run_id=run_id, limit=100)
    kinds = [e.kind for e in events]
    assert kinds.count("result") == 1
    assert kinds.count("step") == 1
    assert kinds.count("approval") >= 1
    slack_api.wait_for("chat.postMessage", "Succeeded in")
    assert len(slack_api.wait_for("chat.postMessage", "Succeeded in")) == 1
