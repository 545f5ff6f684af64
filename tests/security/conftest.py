"""The adversarial suite reuses the Slack surface's fixtures: a local Slack Web API, the real
Bolt app behind its HTTP server, and the conversation service on an in-memory cluster."""

from tests.slack.conftest import (
    bot,
    cluster,
    fake_service,
    slack_api,
    socket_server,
    start_bot,
    transport,
)

__all__ = ["bot", "cluster", "fake_service", "slack_api", "socket_server", "start_bot",
           "transport"]
