"""The strict checks behind the policy file, one value at a time: types, Slack ids,
Kubernetes names, risk levels, and unknown keys with a "did you mean".

Each check raises `PolicyError` naming the key path. The alert rules file is read with the
same checks (`chatops.alerts.rules`, through `chatops.policy.rules`), so both files fail
the same way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from chatops.model import Risk
from chatops.policy.decisions import _RISKS, PolicyError

_SLACK_USER = re.compile(r"[UW][A-Z0-9]+")
_SLACK_USER_GROUP = re.compile(r"S[A-Z0-9]+")
_SLACK_CHANNEL = re.compile(r"[CGD][A-Z0-9]+")
_IDENTITY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_KUBE_NAME_MAX = 253
_SAMPLE_CHAT_ID = "U0EXAMPLE"


def _at(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


def _kind(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _mapping(value: Any, where: str, allowed: Sequence[str] | None = None) -> dict[str, Any]:
    """`value` as a mapping with string keys (None is empty); keys outside `allowed` fail."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: must be a mapping, not {_kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise PolicyError(f"{where or 'the policy file'}: key {key!r} must be a string")
        if allowed is not None and key not in allowed:
            raise PolicyError(f"{_at(where, key)}: unknown key{_did_you_mean(key, allowed)}; "
                              f"allowed: {', '.join(allowed)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{where}: must be a string, not {_kind(value)}")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PolicyError(f"{where}: must be a list of strings, not {_kind(value)}")
    return tuple(_string(v, f"{where}[{i}]") for i, v in enumerate(value))


def _kube_name(value: Any, where: str, what: Literal["user", "group"]) -> str:
    """A Kubernetes user or group name the bot may impersonate."""
    name = _string(value, where)
    if not name:
        raise PolicyError(f"{where}: the kube {what} must not be empty")
    if not (name.isascii() and name.isprintable()) or any(c.isspace() for c in name):
        raise PolicyError(f"{where}: the kube {what} {name!r} must be printable ASCII without "
                          "whitespace or control characters")
    if len(name) > _KUBE_NAME_MAX:
        raise PolicyError(f"{where}: the kube {what} is longer than {_KUBE_NAME_MAX} "
                          "characters")
    if name.casefold().startswith("system:"):
        raise PolicyError(f"{where}: {name!r} is a Kubernetes system {what} (system:...); the "
                          "bot never impersonates system users or groups")
    return name


def _kube_groups(value: Any, where: str) -> tuple[str, ...]:
    return tuple(_kube_name(v, f"{where}[{i}]", "group")
                 for i, v in enumerate(_strings(value, where)))


def _slack_id(value: Any, where: str, pattern: re.Pattern[str], what: str) -> str:
    text = _string(value, where)
    if not pattern.fullmatch(text):
        raise PolicyError(f"{where}: {text!r} is not {what}")
    return text


def _risk(value: Any, where: str) -> Risk:
    text = _string(value, where)
    if text not in _RISKS:
        raise PolicyError(f"{where}: {text!r} is not a risk level{_did_you_mean(text, _RISKS)};"
                          " use read, write or critical")
    return Risk(text)

