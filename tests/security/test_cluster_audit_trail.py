"""Every Kubernetes request of a run carries the run id and the chatops audit record that
started it as impersonated user-info extras, so the API server's own audit log (the
sandbox keeps one at Metadata level) points back to the chatops audit log and its thread."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from chatops.audit import AuditLog
from chatops.console import Shell
from chatops.tracing import AUDIT_SEQ_EXTRA, RUN_ID_EXTRA
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World


def server_records(sandbox: Any) -> list[dict[str, Any]]:
    path = Path(sandbox.state_dir) / "apiserver-audit.log"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_the_api_servers_audit_log_names_the_run_and_its_audit_record(
        world: World, sandbox: Any) -> None:
    dev = world.ns["dev"]
    sh = Shell(world.service(), user="alice", out=io.StringIO())
    plan = sh.say(f"run scale_deployment deployment=checkout-api namespace={dev} replicas=2")[0]
    assert plan.kind == "plan" and plan.run is not None
    sh.say(":as bob")
    assert sh.say(f"approve {plan.run.id}")[-1].kind == "result"
    run_id = plan.run.id
    started = [e for e in AuditLog(world.audit_db).list(run_id=run_id, kind="started")]
    assert len(started) == 1 and started[0].thread

    def ours() -> list[dict[str, Any]]:
        return [r for r in server_records(sandbox)
                if (r.get("impersonatedUser") or {}).get("extra", {}).get(RUN_ID_EXTRA)
                == [run_id]]

    records = wait_for(ours, timeout=30, what="the run's requests in the API server's log")
    changes = [r for r in records if r["verb"] in ("patch", "update")
               and r["objectRef"]["resource"] == "deployments"
               and r["objectRef"]["namespace"] == dev]
    assert changes, [(r["verb"], r["objectRef"]) for r in records]
    for record in changes:
        impersonated = record["impersonatedUser"]
        assert impersonated["username"] == "alice"  # the requester, not the approver
        assert impersonated["extra"][AUDIT_SEQ_EXTRA] == [str(started[0].id)]
        assert record["responseStatus"]["code"] < 300
    # Requests outside a run (the dry-run preview before approval) carry no run id.
    previews = [r for r in server_records(sandbox)
                if r.get("impersonatedUser", {}).get("username") == "alice"
                and r["objectRef"].get("namespace") == dev
                and "dryRun=All" in r.get("requestURI", "")]
    assert previews and all(RUN_ID_EXTRA not in (p["impersonatedUser"].get("extra") or {})
                            for p in previews)
