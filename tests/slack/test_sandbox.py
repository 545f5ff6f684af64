"""End to end on the sandbox cluster: slash command -> plan -> an approver's click -> the
run on a real control plane -> the message updated -> an audit row. Also with two real
`chatops serve` processes sharing one database."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatops.audit import AuditLog
from chatops.demo import DEMO_POLICY
from chatops.runs import RunState, RunStore
from chatops.slack.blocks import APPROVE
from tests.plugins.world_fixtures import World
from tests.slack.conftest import SECRET, Bot, eventually
from tests.slack.helpers import message_ts, propose, race_clicks
from tests.slack.mock_slack import MockSlack
from tests.slack.processes import bot_env, bot_processes
from tests.slack.sender import Sender, next_ts
from tests.waiting import exited_cleanly

pytestmark = pytest.mark.k8s


def test_slash_command_to_approved_run_on_the_sandbox(world: World,
                                                      start_bot: Callable[..., Bot]) -> None:
    bot = start_bot(world.service())
    dev = world.ns["dev"]
    run = propose(bot, user="U0ALICE", namespace=dev, replicas=2)
    plan = bot.slack.wait_for("chat.update", "spec.replicas: 1 -&gt; 2")[0]
    assert "checkout-api" in plan.text()

    # An intern may not approve; nothing changes.
    bot.sender.click(APPROVE, run.id, user="U0MALLORY", channel="C0OPS",
                     message_ts=message_ts(run))
    assert "members of sre" in bot.slack.wait_for("chat.postEphemeral")[0].text()
    assert world.replicas("dev", "checkout-api") == 1

    bot.sender.click(APPROVE, run.id, user="U0BOB", channel="C0OPS",
                     message_ts=message_ts(run))
    eventually(lambda: bot.service.store.get(run.id).state.terminal, timeout=120,
               what="the run to finish")
    assert bot.service.store.get(run.id).state is RunState.SUCCEEDED
    assert world.replicas("dev", "checkout-api") == 2
    bot.flush()
    final = [c for c in bot.slack.of("chat.update") if c.args["ts"] == message_ts(run)][-1]
    assert "Succeeded" in final.text() and "approved by bob" in final.text()
    results = [e for e in AuditLog(world.audit_db).list(run_id=run.id, kind="result")]
    assert len(results) == 1 and results[0].data["state"] == "succeeded"
    steps = AuditLog(world.audit_db).list(run_id=run.id, kind="step")
    assert steps and steps[0].actor == "alice"  # run as the requester, impersonated


def test_two_serve_processes_share_one_database(world: World, sandbox: Any, tmp_path: Path,
                                                slack_api: MockSlack) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(DEMO_POLICY))
    argv = [sys.executable, "-m", "chatops", "serve", "--host", "127.0.0.1", "--port", "0",
            "--no-model", "--policy", str(policy), "--kubeconfig", str(sandbox.kubeconfig)]
    dev = world.ns["dev"]
    with bot_processes(argv, bot_env(tmp_path, slack_api)) as (one, two):
        a = Sender(one.url, SECRET, slack_api.base)
        b = Sender(two.url, SECRET, slack_api.base)

        # A retried event delivered to the other process is answered once.
        kw: dict[str, Any] = {"user": "U0BOB", "channel": "C0OPS", "ts": next_ts(),
                              "mention": True, "event_id": "Ev0SANDBOX"}
        text = f"run deployment_status deployment=checkout-api namespace={dev}"
        a.message(text, **kw)
        b.message(text, retry_num=1, **kw)
        slack_api.wait_for("chat.postMessage", f"checkout-api in {dev}", timeout=30)

        a.command(f"run scale_deployment deployment=checkout-api namespace={dev} replicas=3",
                  user="U0ALICE")
        store = RunStore(tmp_path / "state.db")

        def planned() -> str | None:
            row = store._db().execute("SELECT id, message_ref FROM runs "
                                      "WHERE runbook = 'scale_deployment'").fetchone()
            return row["id"] if row and row["message_ref"] else None

        run_id = str(eventually(planned, timeout=60, what="the plan"))
        ts = str(store.get(run_id).message_ref).split(":", 1)[1]
        same = f"{time.time():.6f}"
        clicks = [(a, "U0BOB", same), (b, "U0BOB", same), (b, "U0CAROL", None),
                  (a, "U0ERIN", None)]
        race_clicks(clicks, run_id, ts)
        eventually(lambda: store.get(run_id).state.terminal, timeout=120,
                   what="the run to finish")
        assert store.get(run_id).state is RunState.SUCCEEDED
        assert world.replicas("dev", "checkout-api") == 3
    # Both processes have stopped, and a bot process runs what it queued to the end before
    # it exits: every click's listener has returned, the losers' too.
    exited_cleanly(one, two)
    audit = AuditLog(tmp_path / "audit.db")
    kinds = [e.kind for e in audit.list(run_id=run_id, limit=200)]
    assert kinds.count("result") == 1 and kinds.count("step") == 1
    assert [e.kind for e in audit.list(limit=500)].count("message") == 2
