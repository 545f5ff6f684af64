"""Checkpoints: how far the audit chain went, recorded outside the database.

The chain inside the file shows edits, but not a tail that was cut off together with its
`audit_head` row: what is left is still a valid chain. A `Checkpoint` names the newest event
(id and hash) and the number of events at one moment; kept somewhere the database's attacker
cannot rewrite, it lets `AuditLog.verify_against` prove that the chain still reaches that
event unchanged.

A checkpoint signed with a key (HMAC-SHA256) cannot be forged by someone who only has the
database, so it may sit next to it (a log line, a file on the same volume). An unsigned one
is only as trustworthy as the place it is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FIELDS = ("version", "event_id", "event_hash", "count", "taken_at", "signature")


def _canonical(value: Any) -> str:
    # The same canonical JSON as the chain (see `chain_hash`), so other tools can check a
    # signature without this code.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)


def _hmac(key: str, payload: bytes) -> str:
    if not key:
        raise ValueError("an empty checkpoint key signs nothing; pass None for unsigned")
    return hmac.new(key.encode("utf-8"), payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """The end of the audit chain at one moment: the newest event's id and hash, the number
    of events, when it was taken, and optionally an HMAC-SHA256 signature over all of them.

    An empty log's checkpoint has `event_id` 0 and the genesis hash.
    """

    event_id: int
    event_hash: str
    count: int
    taken_at: str
    signature: str | None = None

    @classmethod
    def create(cls, *, event_id: int, event_hash: str, count: int, taken_at: str,
               key: str | None = None) -> Checkpoint:
        """A checkpoint of these fields, signed with `key` unless it is None."""
        unsigned = cls(event_id, event_hash, count, taken_at)
        if key is None:
            return unsigned
        return cls(event_id, event_hash, count, taken_at, _hmac(key, unsigned.signed_bytes()))

    def signed_bytes(self) -> bytes:
        """What the signature covers: the canonical JSON of every field but `signature`."""
        return _canonical({
            "version": FORMAT_VERSION, "event_id": self.event_id,
            "event_hash": self.event_hash, "count": self.count, "taken_at": self.taken_at,
        }).encode("ascii")

    def signature_valid(self, key: str) -> bool:
        """True when the checkpoint carries a signature made with `key` over its fields."""
        if self.signature is None:
            return False
        return hmac.compare_digest(self.signature, _hmac(key, self.signed_bytes()))

    def to_dict(self) -> dict[str, Any]:
        """The checkpoint as a JSON-ready dict (with the format version)."""
        return {
            "version": FORMAT_VERSION, "event_id": self.event_id,
            "event_hash": self.event_hash, "count": self.count, "taken_at": self.taken_at,
            "signature": self.signature,
        }

    def to_json(self) -> str:
        """One line of canonical JSON: the form every sink stores."""
        return _canonical(self.to_dict())

    @classmethod
    def from_dict(cls, value: Any) -> Checkpoint:
        """Read a checkpoint from parsed JSON; ValueError says what is wrong with it."""
        if not isinstance(value, dict):
            raise ValueError("not an audit checkpoint: expected a JSON object")
        missing = [name for name in _FIELDS if name not in value]
        if missing:
            raise ValueError(f"not an audit checkpoint: missing {', '.join(missing)}")
        if value["version"] != FORMAT_VERSION:
            raise ValueError(f"not an audit checkpoint of format {FORMAT_VERSION}: "
                             f"version {value['version']!r}")
        for name in ("event_id", "count"):
            # bool is an int in Python, but `true` is no event id.
            if type(value[name]) is not int or value[name] < 0:
                raise ValueError(f"not an audit checkpoint: {name} must be a whole number "
                                 "of zero or more")
        if not isinstance(value["event_hash"], str) or not _HEX64.match(value["event_hash"]):
            raise ValueError("not an audit checkpoint: event_hash must be 64 hex digits")
        if not isinstance(value["taken_at"], str):
            raise ValueError("not an audit checkpoint: taken_at must be a string")
        signature = value["signature"]
        if signature is not None and (not isinstance(signature, str)
                                      or not _HEX64.match(signature)):
            raise ValueError("not an audit checkpoint: signature must be 64 hex digits or null")
        return cls(value["event_id"], value["event_hash"], value["count"], value["taken_at"],
                   signature)

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Parse one checkpoint from its JSON text (ValueError when it is not one)."""
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not an audit checkpoint: invalid JSON ({exc})") from exc
        return cls.from_dict(value)


def newest_checkpoint(text: str) -> tuple[Checkpoint | None, list[str]]:
    """The checkpoint with the highest `event_id` in `text`, and what is wrong with each
    non-empty line that is not a checkpoint.

    `text` is one JSON object, or JSON lines (the form `FileSink` appends). Lines that are
    not checkpoints (a line cut short by a crash, say) are skipped. Of two checkpoints of the
    same event the earlier line wins. None when no line is a checkpoint.

    Why not the last line: a signature stops forged lines, not replayed or deleted ones, so
    "the last line" is whatever someone with the file put last. The highest event id means
    deleting lines can only roll back to an older checkpoint, and appending an older (or a
    lower) one changes nothing.
    """
    try:
        return Checkpoint.from_dict(json.loads(text)), []
    except ValueError:
        pass  # not a single JSON document: read it as JSON lines
    best: Checkpoint | None = None
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            checkpoint = Checkpoint.from_json(line)
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        if best is None or checkpoint.event_id > best.event_id:
            best = checkpoint
    return best, problems


def read_checkpoint_file(path: Path) -> Checkpoint:
    """The newest checkpoint in a file: one JSON object, or JSON lines (the form `FileSink`
    appends) where the line with the highest `event_id` wins, not the last line.

    Lines that are not checkpoints are skipped; of two checkpoints of the same event the
    earlier line wins. Whoever can write the file can still delete its newest lines and so
    roll it back to an older checkpoint: a log cut between that one and the deleted newest
    one is not caught with this file alone. Appending a lower checkpoint changes nothing,
    and a higher one needs the key (when there is one) to pass `verify_against`.

    Raises FileNotFoundError when there is no file and ValueError when it holds no checkpoint.
    """
    text = path.read_text(encoding="utf-8")
    checkpoint, problems = newest_checkpoint(text)
    if checkpoint is not None:
        return checkpoint
    if problems:
        _, _, first = problems[0].partition(": ")
        raise ValueError(first if len(problems) == 1 else
                         f"{first} (and {len(problems) - 1} more line(s) that are not "
                         "checkpoints either)")
    raise ValueError(f"not an audit checkpoint: {path} is empty")
