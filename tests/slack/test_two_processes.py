"""Two bot processes sharing one database: a retried event or racing clicks delivered to
different processes still run nothing twice."""

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


def test_retried_event_on_another_process_runs_once(tmp_path: Path,
                                                    slack_api: MockSlack) -> None:
    with bot_processes(FAKE_SERVE, bot_env(tmp_path, slack_api)) as (one, two):
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
        time.sleep(1.0)
        assert len(slack_api.of("chat.postMessage")) == 1
    kinds = [e.kind for e in AuditLog(tmp_path / "audit.db").list()]
    assert kinds.count("message") == 1


def test_racing_clicks_on_two_processes_run_once(tmp_path: Path,
                                                 slack_api: MockSlack) -> None:
    with bot_processes(FAKE_SERVE, bot_env(tmp_path, slack_api)) as (one, two):
        a = Sender(one.url, SECRET, slack_api.base)
        b = Sender(two.url, SECRET, slack_api.base)
        a.command("run scale_deployment deployment=checkout-api namespace=prod replicas=5",
                  user="U0BOB")
        store = RunStore(tmp_path / "state.db")

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
        time.sleep(1.5)
        events = AuditLog(tmp_path / "audit.db").list(run_id=run_id, limit=100)
        kinds = [e.kind for e in events]
        assert kinds.count("result") == 1
        assert kinds.count("step") == 1
        assert kinds.count("approval") >= 1
        slack_api.wait_for("chat.postMessage", "Succeeded in")
        time.sleep(0.5)
        assert len(slack_api.wait_for("chat.postMessage", "Succeeded in")) == 1
