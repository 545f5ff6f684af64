"""Reading the policy file from disk: YAML with duplicate keys refused, then the strict
parser (`chatops.policy.parser`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from chatops.policy.decisions import Policy, PolicyError
from chatops.policy.parser import parse_policy


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice in one mapping is an error
    (PyYAML silently keeps the last one, so a second `channels:` would undo the first)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *base` may be overridden on purpose
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:
            continue  # unhashable: construct_mapping reports it
        if duplicate:
            raise PolicyError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r} "
                              "(YAML would silently keep only the last one)")
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)


def read_strict_yaml(path: Path) -> Any:
    """The YAML document in `path`, refusing a key given twice in one mapping.

    Errors are `PolicyError`s that start with `path:`; the alert rules file is read the
    same way and turns them into its own error.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot be read: {exc}") from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from exc


def load_policy(path: Path) -> Policy:
    """Read and parse the policy file at `path`; errors start with `path: key.path:`."""
    data = read_strict_yaml(path)
    try:
        return parse_policy(data)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from exc
