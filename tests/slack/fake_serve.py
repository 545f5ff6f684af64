"""`chatops serve`'s HTTP path on an in-memory cluster, for the two-process tests.

Run as `python -m tests.slack.fake_serve`; settings come from the environment exactly as
for `chatops serve` (SLACK_*, CHATOPS_STATE_DB, CHATOPS_AUDIT_DB or CHATOPS_DATABASE_URL,
CHATOPS_SLACK_API_URL).
Each process has its own fake cluster, so "ran once" is checked in the shared database;
tests that need the cluster's own evidence run `chatops serve` itself on the sandbox
(`tests/slack/test_replicas.py`).
"""

from __future__ import annotations

import logging

from chatops.audit import AuditLog
from chatops.cli.serve_cmd import run_server
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.logs import configure_logging
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import load_catalogue
from chatops.settings import Settings
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import fake_deployments


def main() -> None:
    configure_logging(logging.INFO)
    settings = Settings.from_env()
    service = ConversationService(
        catalogue=load_catalogue(), executor=FakeCluster(deployments=fake_deployments()),
        policy=parse_policy(DEMO_POLICY), stores=open_state(settings.state_location),
        audit=AuditLog(settings.audit_location))
    run_server(settings, host="127.0.0.1", port=0, workers=4, service=service)


if __name__ == "__main__":
    main()
