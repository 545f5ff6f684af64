"""What the alert rules file and its automatic fixes share: the file's error, the bot's own
identities, and the readers of an identity and of a count."""

from __future__ import annotations

from typing import Any

from chatops.errors import ChatOpsError
from chatops.model import Identity

# The policy file's strict checks, reused for the reason given in chatops.alerts.rules.
from chatops.policy.rules import _kind, _kube_groups, _kube_name, _mapping

DIAGNOSTICS_IDENTITY = Identity("chatops:alerts", ("chatops:viewers",))
PREVIEW_IDENTITY = Identity("chatops:alerts-preview", ("chatops:previewers",))
IDENTITY_KEYS = ("user", "groups")


class AlertRulesError(ChatOpsError):
    """The alert rules file is malformed; the message names the rule and field."""


def identity_field(raw: Any, where: str, default: Identity) -> Identity:
    """A Kubernetes identity the bot acts as; an absent user or groups key keeps the
    default's."""
    fields = _mapping(raw, where, IDENTITY_KEYS)
    user = _kube_name(fields.get("user", default.user), f"{where}.user", "user")
    groups = (_kube_groups(fields["groups"], f"{where}.groups") if "groups" in fields
              else default.groups)
    return Identity(user, tuple(dict.fromkeys(groups)))


def whole_number(value: Any, where: str) -> int:
    """A whole number of at least 1."""
    # bool is an int to Python; `posts: yes` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AlertRulesError(f"{where}: must be a whole number of at least 1, not "
                              f"{_kind(value)}")
    return value
