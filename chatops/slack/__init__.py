"""The Slack surface: a Bolt app that translates Slack payloads to and from the service."""

from chatops.slack.app import SlackSetupError, build_app
from chatops.slack.client import make_client
from chatops.slack.deliver import Deliverer, Place
from chatops.slack.directory import UserGroups

__all__ = ["Deliverer", "Place", "SlackSetupError", "UserGroups", "build_app", "make_client"]
