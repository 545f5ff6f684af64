"""Someone with the state database's volume edits a waiting run. They can't make the bot act
as an identity the policy doesn't give the requester, nor run steps no runbook renders:
the identity is checked against the policy and the plan is rendered again from the slots
before anything runs. (They can still forge approvals; see docs/security.md.)"""

from __future__ import annotations

import json
import sqlite3

from chatops.audit import AuditLog
from chatops.runs import RunState
from chatops.slack.blocks import APPROVE
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot, eventually
from tests.slack.helpers import message_ts, propose, scale_calls
from tests.waiting import wait_until_idle


def _edit(bot: Bot, run_id: str, **columns: str) -> None:
    with sqlite3.connect(bot.service.store.path) as db:
        for column, value in columns.items():
            db.execute(f"UPDATE runs SET {column} = ? WHERE id = ?", (value, run_id))


def test_an_identity_swapped_in_the_database_is_never_used(bot: Bot,
                                                           cluster: FakeCluster) -> None:
    run = propose(bot, user="U0ALICE", namespace="dev", replicas=3)
    _edit(bot, run.id, identity=json.dumps({"user": "carol",
                                            "groups": ["sre", "chatops-admins"]}))
    bot.sender.click(APPROVE, run.id, user="U0BOB", channel="C0OPS",
                     message_ts=message_ts(run))
    eventually(lambda: bot.service.store.get(run.id).state is RunState.FAILED,  # type: ignore[union-attr]
               what="the run to be refused")
    assert scale_calls(cluster) == []
    assert not any(c[2] == "carol" for c in cluster.calls)  # not even a dry-run as carol
    audit = AuditLog(bot.service.store.path.replace("state.db", "audit.db"))
    assert audit.list(run_id=run.id, kind="rejected")


def test_a_plan_rewritten_in_the_database_is_not_what_runs(bot: Bot,
                                                           cluster: FakeCluster) -> None:
    run = propose(bot, user="U0ALICE", namespace="dev", replicas=3)
    plan = dict(run.plan)
    plan["steps"] = [{**plan["steps"][0], "params": {**plan["steps"][0]["params"],
                                                    "replicas": 500}}]
    _edit(bot, run.id, plan=json.dumps(plan))
    bot.sender.click(APPROVE, run.id, user="U0BOB", channel="C0OPS",
                     message_ts=message_ts(run))
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED,  # type: ignore[union-attr]
               what="the run")
    wait_until_idle(bot)  # the click's listener has returned: nothing is still on its way
    assert cluster.deployments[("dev", "checkout-api")] == 3
