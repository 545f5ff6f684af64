"""Security issue 7: truncating the audit log's tail must not verify as intact.

The attack: someone with write access to the audit database (the volume, a backup they can
restore, a shell in the pod) deletes the newest rows and rewrites `audit_head` to point at the
new end. The chain that is left is intact, so `chatops audit verify` alone says OK. A
checkpoint kept outside the database (a file, the log stream, a ConfigMap), signed with a key
the attacker does not hold, remembers how far the chain went, and `verify --against` catches it.

A checkpoint must also survive a restart and the checkpoint store itself: the bot reads what
its file and ConfigMap already hold before it writes (a log cut while it was down is refused,
not signed again at the shorter head), a file's checkpoint is the line with the highest event
id (not the last line), and the ConfigMap is never replaced by a lower one. What is still out
of reach: whoever can delete lines of the file can roll it back to an older line, and a cut
above that older checkpoint is then undetectable from the file alone (see
`test_deleting_the_newest_lines_only_rolls_back_to_an_older_checkpoint`).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatops.audit import (
    AuditLog,
    AuditTampered,
    Checkpoint,
    CheckpointWriter,
    FileSink,
    LogSink,
    chain_hash,
    read_checkpoint_file,
)
from chatops.settings import Settings
from tests.audit.conftest import StepClock, seed

KEY = "checkpoint-key-only-the-bot-has"


def chatops(*args: str, key: str | None = KEY,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`chatops audit ...` as an operator runs it: a real process, settings from the env."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_AUDIT_CHECKPOINT")}
    if key is not None:
        base["CHATOPS_AUDIT_CHECKPOINT_KEY"] = key
    return subprocess.run([sys.executable, "-m", "chatops", "audit", *args],
                          capture_output=True, text=True, timeout=60,
                          env={**base, **(env or {})})


def sql(path: Path, *statements: str) -> None:
    """Run SQL on the audit file with plain sqlite3, as an attacker with the volume would."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def truncate(path: Path, keep: int) -> None:
    """Delete every row after `keep` and point the head at row `keep`: the whole attack."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("delete from audit_events where id > ?", (keep,))
        conn.execute("update audit_head set last_id = ?, last_hash = "
                     "(select hash from audit_events where id = ?)", (keep, keep))
        conn.commit()
    finally:
        conn.close()


def rewrite_from(path: Path, first: int, new_text: str) -> None:
    """Edit row `first` and recompute every hash after it, and the head: a careful forger."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("select id, ts, kind, actor, run_id, thread, data, prev_hash "
                            "from audit_events where id >= ? order by id", (first,)).fetchall()
        prev_hash = rows[0][7]
        for event_id, ts, kind, actor, run_id, thread, data_text, _ in rows:
            data = json.loads(data_text)
            if event_id == first:
                data["text"] = new_text
                data_text = json.dumps(data, sort_keys=True, separators=(",", ":"))
            digest = chain_hash(event_id=event_id, ts=ts, kind=kind, actor=actor,
                                run_id=run_id, thread=thread, data=data, prev_hash=prev_hash)
            conn.execute("update audit_events set data = ?, prev_hash = ?, hash = ? "
                         "where id = ?", (data_text, prev_hash, digest, event_id))
            prev_hash = digest
        conn.execute("update audit_head set last_id = ?, last_hash = ?", (rows[-1][0], prev_hash))
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    """Where the audit database file lives for this test."""
    return tmp_path / "audit.db"


@pytest.fixture
def seeded(audit_path: Path) -> Path:
    """A real audit file holding 8 events, closed again."""
    with AuditLog(audit_path, clock=StepClock()) as log:
        seed(log, 8)
    return audit_path


@pytest.fixture
def checkpoint_file(seeded: Path, tmp_path: Path) -> Path:
    """A signed checkpoint of the 8-event log, appended to a file by the real CLI."""
    out = tmp_path / "anchors" / "audit-checkpoints.jsonl"
    result = chatops("checkpoint", "--db", str(seeded), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_tail_truncation_passes_plain_verify_but_not_the_checkpoint(
    seeded: Path, checkpoint_file: Path
) -> None:
    truncate(seeded, keep=5)

    # What the issue reports, and what stays true: the chain alone cannot tell a log that
    # was cut short from one that ended there. Only an anchor outside the file can.
    plain = chatops("verify", "--db", str(seeded))
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("OK: 5 events, chain intact")

    anchored = chatops("verify", "--db", str(seeded), "--against", str(checkpoint_file))
    assert anchored.returncode == 1, anchored.stdout
    assert "truncated: event #8 is missing" in anchored.stderr
    assert "Traceback" not in anchored.stderr


def test_truncation_hidden_under_new_events_is_caught(
    seeded: Path, checkpoint_file: Path
) -> None:
    # The bot keeps appending after the cut, reusing ids 6..; #8 now exists again, but it is
    # not the event the checkpoint saw.
    truncate(seeded, keep=5)
    with AuditLog(seeded) as log:
        seed(log, 4)
        assert log.verify().ok

    result = chatops("verify", "--db", str(seeded), "--against", str(checkpoint_file))
    assert result.returncode == 1
    assert "event #8 differs from the checkpoint" in result.stderr


def test_appending_after_a_checkpoint_still_verifies(seeded: Path, checkpoint_file: Path) -> None:
    with AuditLog(seeded) as log:
        seed(log, 5)

    result = chatops("verify", "--db", str(seeded), "--against", str(checkpoint_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 13 events, chain intact")
    assert "checkpoint at event #8" in result.stdout
    assert "signature checked" in result.stdout


def test_editing_a_row_before_the_checkpoint_is_caught(seeded: Path, checkpoint_file: Path) -> None:
    sql(seeded, "update audit_events set data = '{\"seq\":2,\"text\":\"nothing\"}' where id = 3")

    result = chatops("verify", "--db", str(seeded), "--against", str(checkpoint_file))
    assert result.returncode == 1
    assert "row 3 was edited" in result.stderr


def test_rewriting_the_chain_after_an_edit_is_caught(seeded: Path, checkpoint_file: Path) -> None:
    rewrite_from(seeded, 3, "nothing to see")
    assert chatops("verify", "--db", str(seeded)).returncode == 0  # the forgery is consistent

    result = chatops("verify", "--db", str(seeded), "--against", str(checkpoint_file))
    assert result.returncode == 1
    assert "event #8 differs from the checkpoint" in result.stderr


def test_a_checkpoint_forged_with_another_key_is_refused(
    seeded: Path, checkpoint_file: Path
) -> None:
    # The attacker cuts the log, appends events of their own past the honest checkpoint's id,
    # and appends a checkpoint of that log to the file: the highest event id wins, so only
    # the signature stands in the way.
    truncate(seeded, keep=5)
    with AuditLog(seeded) as log:
        seed(log, 4)
        forged = log.checkpoint("a guess")
    assert forged.event_id == 9
    FileSink(checkpoint_file).write(forged)

    result = chatops("verify", "--db", str(seeded), "--against", str(checkpoint_file))
    assert result.returncode == 1
    assert "bad signature" in result.stderr


def test_a_lower_checkpoint_appended_to_the_file_does_not_hide_a_truncation(
    seeded: Path, checkpoint_file: Path
) -> None:
    # The attacker cuts the log and appends a checkpoint of the short log that verifies: an
    # honest line replayed from earlier in the file (or one the bot was tricked into
    # signing). It is the last line, but not the highest event id, so the cut still shows.
    with AuditLog(seeded) as log:
        older = log.checkpoint(KEY)
    truncate(seeded, keep=5)
    with AuditLog(seeded) as log:
        short = log.checkpoint(KEY)
    assert short.event_id == 5
    FileSink(checkpoint_file).write(short)
    assert read_checkpoint_file(checkpoint_file).event_id == older.event_id == 8

    result = chatops("verify", "--db", str(seeded), "--against", str(checkpoint_file))
    assert result.returncode == 1, result.stdout
    assert "truncated: event #8 is missing" in result.stderr


def test_deleting_the_newest_lines_only_rolls_back_to_an_older_checkpoint(
    audit_path: Path, tmp_path: Path
) -> None:
    """What the file can and cannot prove once its lines can be deleted.

    A signature stops forged lines, not deleted ones. Whoever can write the file can delete
    its newest lines; the highest event id among the lines left then wins. A cut of the log
    below that older checkpoint is still caught; a cut between it and the deleted newest
    one is not (only another anchor that kept the newer checkpoint, like the ConfigMap or
    the log pipeline, still shows it).
    """
    out = tmp_path / "cps.jsonl"
    with AuditLog(audit_path, clock=StepClock()) as log:
        writer = CheckpointWriter(log, KEY, [FileSink(out)])
        seed(log, 4)
        assert writer.write_now().event_id == 4
        seed(log, 4)
        assert writer.write_now().event_id == 8
    lines = out.read_text().splitlines()
    assert [Checkpoint.from_json(line).event_id for line in lines] == [4, 8]
    out.write_text(lines[0] + "\n")  # the newest line deleted

    truncate(audit_path, keep=6)  # above the older checkpoint: out of the file's reach
    hidden = chatops("verify", "--db", str(audit_path), "--against", str(out))
    assert hidden.returncode == 0, hidden.stderr
    assert "checkpoint at event #4" in hidden.stdout

    truncate(audit_path, keep=3)  # below it: caught
    caught = chatops("verify", "--db", str(audit_path), "--against", str(out))
    assert caught.returncode == 1, caught.stdout
    assert "truncated: event #4 is missing" in caught.stderr


def test_an_unsigned_checkpoint_is_refused_when_a_key_is_set(seeded: Path, tmp_path: Path) -> None:
    unsigned = tmp_path / "unsigned.jsonl"
    made = chatops("checkpoint", "--db", str(seeded), "--out", str(unsigned), key=None)
    assert made.returncode == 0, made.stderr
    assert "unsigned" in made.stderr  # the operator is told what it is worth

    result = chatops("verify", "--db", str(seeded), "--against", str(unsigned))
    assert result.returncode == 1
    assert "bad signature" in result.stderr and "not signed" in result.stderr

    without_key = chatops("verify", "--db", str(seeded), "--against", str(unsigned), key=None)
    assert without_key.returncode == 0, without_key.stderr
    assert "unsigned" in without_key.stdout


def test_a_signed_checkpoint_without_the_key_is_checked_but_says_so(
    seeded: Path, checkpoint_file: Path
) -> None:
    result = chatops("verify", "--db", str(seeded), "--against", str(checkpoint_file), key=None)
    assert result.returncode == 0, result.stderr
    assert "signature not checked" in result.stdout
    assert "CHATOPS_AUDIT_CHECKPOINT_KEY" in result.stdout


def test_checkpoint_prints_one_json_line_without_out(seeded: Path) -> None:
    result = chatops("checkpoint", "--db", str(seeded))
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    checkpoint = Checkpoint.from_json(line)
    assert (checkpoint.event_id, checkpoint.count) == (8, 8)
    assert checkpoint.signature_valid(KEY)


def test_checkpoint_out_refuses_a_log_that_does_not_reach_the_file(
    seeded: Path, checkpoint_file: Path
) -> None:
    # The CLI appends to the same kind of file the bot does: it must not sign the short log
    # into it either.
    before = checkpoint_file.read_bytes()
    truncate(seeded, keep=5)
    result = chatops("checkpoint", "--db", str(seeded), "--out", str(checkpoint_file))
    assert result.returncode == 1, result.stderr
    assert "truncated: event #8 is missing" in result.stderr
    assert "Traceback" not in result.stderr
    assert checkpoint_file.read_bytes() == before

    with AuditLog(seeded) as log:
        seed(log, 5)  # back past #8, but not the #8 the file saw
    again = chatops("checkpoint", "--db", str(seeded), "--out", str(checkpoint_file))
    assert again.returncode == 1
    assert "event #8 differs from the checkpoint" in again.stderr
    assert checkpoint_file.read_bytes() == before


def test_checkpoint_out_appends_when_the_log_extends_the_file(
    seeded: Path, checkpoint_file: Path
) -> None:
    with AuditLog(seeded) as log:
        seed(log, 2)
    result = chatops("checkpoint", "--db", str(seeded), "--out", str(checkpoint_file))
    assert result.returncode == 0, result.stderr
    assert [Checkpoint.from_json(line).event_id
            for line in checkpoint_file.read_text().splitlines()] == [8, 10]


def test_checkpoint_of_a_tampered_log_is_refused(seeded: Path, tmp_path: Path) -> None:
    sql(seeded, "delete from audit_events where id = 4")
    out = tmp_path / "cp.jsonl"
    result = chatops("checkpoint", "--db", str(seeded), "--out", str(out))
    assert result.returncode == 1
    assert "row 4 is missing" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(("against", "says"), [
    ("missing.jsonl", "No checkpoint file"),
    ("garbage.jsonl", "not an audit checkpoint"),
    ("configmap:no-slash", "configmap:NAMESPACE/NAME"),
    ("configmap:Bad_NS/name", "configmap:NAMESPACE/NAME"),
])
def test_unusable_checkpoints_are_usage_errors(
    seeded: Path, tmp_path: Path, against: str, says: str
) -> None:
    (tmp_path / "garbage.jsonl").write_text('{"event_id": "eight"}\n')
    if not against.startswith("configmap:"):
        against = str(tmp_path / against)
    result = chatops("verify", "--db", str(seeded), "--against", against)
    assert result.returncode == 2, result.stdout
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_checkpoint_json_round_trip_and_signature_covers_every_field(seeded: Path) -> None:
    with AuditLog(seeded) as log:
        checkpoint = log.checkpoint(KEY)
    assert Checkpoint.from_json(checkpoint.to_json()) == checkpoint
    assert "\n" not in checkpoint.to_json()
    assert checkpoint.signature_valid(KEY) and not checkpoint.signature_valid("other")

    fields = json.loads(checkpoint.to_json())
    for name, value in [("event_id", 5), ("event_hash", "a" * 64), ("count", 5),
                        ("taken_at", "2030-01-01T00:00:00.000000Z")]:
        moved = Checkpoint.from_json(json.dumps({**fields, name: value}))
        assert not moved.signature_valid(KEY), name


@pytest.mark.parametrize("text", [
    "[]", "{}", '{"version": 1}', "not json",
    '{"version": 2, "event_id": 1, "event_hash": "' + "a" * 64 + '", "count": 1, '
    '"taken_at": "t", "signature": null}',
    '{"version": 1, "event_id": true, "event_hash": "' + "a" * 64 + '", "count": 1, '
    '"taken_at": "t", "signature": null}',
    '{"version": 1, "event_id": 1, "event_hash": "xyz", "count": 1, '
    '"taken_at": "t", "signature": null}',
])
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="not an audit checkpoint"):
        Checkpoint.from_json(text)


def test_checkpoint_files_highest_event_id_wins_and_pretty_json_reads(
    seeded: Path, tmp_path: Path
) -> None:
    with AuditLog(seeded) as log:
        first = log.checkpoint(KEY)
        seed(log, 2)
        second = log.checkpoint(KEY)
    lines = tmp_path / "cps.jsonl"
    lines.write_text(first.to_json() + "\n" + second.to_json() + "\n\n")
    assert read_checkpoint_file(lines) == second
    # Not the last line: the highest event id among the lines that are checkpoints (a line
    # cut short by a crash is skipped).
    lines.write_text(second.to_json() + "\n" + first.to_json() + "\n" + '{"version": 1, "ev\n')
    assert read_checkpoint_file(lines) == second
    # Two checkpoints of the same event: the one written first.
    later = Checkpoint.create(event_id=second.event_id, event_hash="b" * 64, count=10,
                              taken_at="2030-01-01T00:00:00.000000Z", key=KEY)
    lines.write_text(second.to_json() + "\n" + later.to_json() + "\n")
    assert read_checkpoint_file(lines) == second

    pretty = tmp_path / "cp.json"
    pretty.write_text(json.dumps(json.loads(first.to_json()), indent=2))
    assert read_checkpoint_file(pretty) == first


def test_file_sink_ends_a_line_cut_short_before_appending(seeded: Path, tmp_path: Path) -> None:
    with AuditLog(seeded) as log:
        checkpoint = log.checkpoint(KEY)
    out = tmp_path / "cps.jsonl"
    out.write_text('{"version": 1, "ev')  # the process died in the middle of a line
    FileSink(out).write(checkpoint)
    assert out.read_text().splitlines()[-1] == checkpoint.to_json()
    assert read_checkpoint_file(out) == checkpoint
    assert FileSink(out).read() == checkpoint.to_json()


def test_verify_against_in_the_library(seeded: Path) -> None:
    with AuditLog(seeded) as log:
        checkpoint = log.checkpoint(KEY)
        assert log.verify_against(checkpoint, KEY).ok
        assert log.verify_against(checkpoint).ok
        wrong = log.verify_against(checkpoint, "not the key")
        assert not wrong.ok and wrong.problem.startswith("bad signature")
    truncate(seeded, keep=6)
    with AuditLog(seeded) as log:
        report = log.verify_against(checkpoint, KEY)
    assert not report.ok
    assert report.problem.startswith("truncated: event #8 is missing")
    assert report.checked == 6


def test_an_empty_log_has_a_checkpoint_too(audit_path: Path) -> None:
    with AuditLog(audit_path) as log:
        empty = log.checkpoint(KEY)
        assert (empty.event_id, empty.count) == (0, 0)
        seed(log, 3)
        assert log.verify_against(empty, KEY).ok


class Recording:
    """A sink that keeps what it was given."""

    def __init__(self) -> None:
        self.got: list[Checkpoint] = []

    def write(self, checkpoint: Checkpoint) -> None:
        self.got.append(checkpoint)


class Broken:
    """A sink whose store is down."""

    def write(self, checkpoint: Checkpoint) -> None:
        raise OSError("the volume is read-only")


def test_writer_skips_unchanged_logs_and_survives_a_failing_sink(
    audit_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    recording, out = Recording(), tmp_path / "cps.jsonl"
    with AuditLog(audit_path, clock=StepClock()) as log:
        writer = CheckpointWriter(log, KEY, [Broken(), FileSink(out), recording])
        with caplog.at_level(logging.WARNING):
            first = writer.write_now()  # written the first time even though the log is empty
        assert first.event_id == 0 and recording.got == [first]
        assert "the volume is read-only" in caplog.text

        assert writer.write_now() == first
        assert recording.got == [first]  # nothing changed, nothing written

        seed(log, 3)
        second = writer.write_now()
    assert (second.event_id, second.count) == (3, 3) and second.signature_valid(KEY)
    assert recording.got == [first, second]
    assert read_checkpoint_file(out) == second
    assert len(out.read_text().splitlines()) == 2


def test_writer_refuses_to_launder_a_truncation(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "cps.jsonl"
    with AuditLog(seeded) as log:
        writer = CheckpointWriter(log, KEY, [FileSink(out)])
        good = writer.write_now()
        truncate(seeded, keep=5)
        seed(log, 1)  # the bot appends #6 on top of the cut; the head looks fine
        with pytest.raises(AuditTampered, match="event #8"):
            writer.write_now()
        with pytest.raises(AuditTampered):
            writer.write_now()  # and keeps refusing
    # The newest checkpoint in the store is still the honest one.
    assert read_checkpoint_file(out) == good


class Spying(AuditLog):
    """An audit log that records the `since` of every checkpoint taken."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.since: list[Checkpoint | None] = []

    def checkpoint(self, key: str | None = None, *,
                   since: Checkpoint | None = None) -> Checkpoint:
        self.since.append(since)
        return super().checkpoint(key, since=since)


class Stored:
    """A sink that already holds a checkpoint (JSON text), like a file or a ConfigMap."""

    def __init__(self, text: str | None, fail_reads: int = 0) -> None:
        self.text = text
        self.fail_reads = fail_reads
        self.got: list[Checkpoint] = []

    def read(self) -> str | None:
        if self.fail_reads:
            self.fail_reads -= 1
            raise OSError("the store is unreachable")
        return self.text

    def write(self, checkpoint: Checkpoint) -> None:
        self.got.append(checkpoint)
        self.text = checkpoint.to_json()


@pytest.mark.parametrize("appended_after_cut", [0, 4])
def test_a_restart_does_not_sign_a_log_cut_while_the_bot_was_down(
    seeded: Path, tmp_path: Path, appended_after_cut: int
) -> None:
    # The reproduction: the bot anchors #8 and stops; with the bot down the newest events
    # are cut and audit_head rewritten (and maybe new events appended on top, up to #9);
    # the bot starts again.
    out = tmp_path / "cps.jsonl"
    with AuditLog(seeded) as log:
        assert CheckpointWriter(log, KEY, [FileSink(out)]).write_now().event_id == 8
    before = out.read_bytes()
    truncate(seeded, keep=5)
    with AuditLog(seeded) as log:
        seed(log, appended_after_cut)
        assert log.verify().ok  # the chain alone cannot tell

    with AuditLog(seeded) as log:
        recording = Recording()
        writer = CheckpointWriter(log, KEY, [LogSink(), FileSink(out), recording])
        says = "event #8 is missing" if appended_after_cut == 0 else "event #8 differs"
        with pytest.raises(AuditTampered, match=says):
            writer.write_now()
        with pytest.raises(AuditTampered, match=says):
            writer.write_now()  # and keeps refusing
        assert writer.last is None
    # Nothing was signed at the shorter head, to any sink.
    assert out.read_bytes() == before and recording.got == []

    result = chatops("verify", "--db", str(seeded), "--against", str(out))
    assert result.returncode == 1
    assert says in result.stderr


def test_a_restart_continues_from_the_checkpoint_the_file_holds(
    seeded: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cps.jsonl"
    with AuditLog(seeded) as log:
        first = CheckpointWriter(log, KEY, [FileSink(out)]).write_now()

    with Spying(seeded) as log:
        recording = Recording()
        writer = CheckpointWriter(log, KEY, [FileSink(out), recording])
        assert writer.load() == first
        # Nothing happened since: the file keeps its one line, the other sinks get it.
        assert writer.write_now() == first
        assert recording.got == [first]
        seed(log, 2)
        second = writer.write_now()
        # The chain was walked from the stored checkpoint, never again from the start.
        assert log.since and None not in log.since
        assert log.since[0] == first
    assert (second.event_id, second.count) == (10, 10)
    assert [Checkpoint.from_json(line) for line in out.read_text().splitlines()] == \
        [first, second]
    with AuditLog(seeded) as log:
        assert log.verify_against(second, KEY).ok


@pytest.mark.parametrize("signer", ["another key", None])
def test_a_stored_checkpoint_the_key_did_not_sign_is_tampering(
    seeded: Path, tmp_path: Path, signer: str | None
) -> None:
    # Whoever wrote it did not hold the key: the store itself was tampered with (or, for an
    # unsigned one, it predates the key and has to be moved aside by hand).
    with AuditLog(seeded) as log:
        planted = log.checkpoint(signer)
        store = Stored(planted.to_json())
        recording = Recording()
        writer = CheckpointWriter(log, KEY, [store, recording])
        with pytest.raises(AuditTampered, match="bad signature"):
            writer.write_now()
    assert store.got == [] and recording.got == []


def test_a_file_whose_newest_line_is_forged_is_tampering(
    seeded: Path, checkpoint_file: Path
) -> None:
    with AuditLog(seeded) as log:
        seed(log, 1)
        FileSink(checkpoint_file).write(log.checkpoint("a guess"))
        before = checkpoint_file.read_bytes()
        with pytest.raises(AuditTampered, match="bad signature"):
            CheckpointWriter(log, KEY, [FileSink(checkpoint_file)]).write_now()
    assert checkpoint_file.read_bytes() == before


def test_every_stored_checkpoint_must_be_extended(seeded: Path) -> None:
    # The newest one is fine, but another store holds a different #5: one of them lies.
    with AuditLog(seeded) as log:
        newest = log.checkpoint(KEY)
    other = Checkpoint.create(event_id=5, event_hash="c" * 64, count=5,
                              taken_at="2025-03-01T09:30:00.000000Z", key=KEY)
    with AuditLog(seeded) as log:
        writer = CheckpointWriter(log, KEY, [Stored(newest.to_json()), Stored(other.to_json())])
        with pytest.raises(AuditTampered, match="event #5 differs"):
            writer.write_now()


def test_a_sink_that_cannot_be_read_is_not_written_until_it_can(
    seeded: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with AuditLog(seeded) as log:
        stored = log.checkpoint(KEY)
        truncate(seeded, keep=5)
        store = Stored(stored.to_json(), fail_reads=1)
        recording = Recording()
        writer = CheckpointWriter(log, KEY, [store, recording])
        with caplog.at_level(logging.ERROR):
            taken = writer.write_now()  # the store is down: what it holds is unknown
        assert "the store is unreachable" in caplog.text
        assert taken.event_id == 5 and recording.got == [taken]
        assert store.got == []  # not overwritten with a checkpoint it may not extend
        with pytest.raises(AuditTampered, match="event #8 is missing"):
            writer.write_now()  # read now: the cut shows
    assert store.got == []


def test_a_store_holding_no_checkpoint_counts_as_empty(
    audit_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with AuditLog(audit_path, clock=StepClock()) as log:
        seed(log, 2)
        garbage, empty = Stored("not a checkpoint"), Stored(None)
        with caplog.at_level(logging.WARNING):
            taken = CheckpointWriter(log, KEY, [garbage, empty]).write_now()
    assert garbage.got == [taken] and empty.got == [taken]
    assert "not an audit checkpoint" in caplog.text


def test_log_sink_writes_an_info_line(seeded: Path, caplog: pytest.LogCaptureFixture) -> None:
    with AuditLog(seeded) as log:
        checkpoint = log.checkpoint(KEY)
    with caplog.at_level(logging.INFO):
        LogSink().write(checkpoint)
    [record] = [r for r in caplog.records if r.getMessage().startswith("audit checkpoint ")]
    assert record.levelno == logging.INFO
    assert Checkpoint.from_json(record.getMessage().removeprefix("audit checkpoint ")) == checkpoint


def test_checkpoint_sinks_from_settings(tmp_path: Path) -> None:
    from kubernetes import client as k8s

    from chatops.cli.checkpoints import checkpoint_sinks
    from chatops.cli.wiring import SetupError
    from chatops.executor.checkpoints import ConfigMapCheckpointSink

    base = Settings.from_env({"HOME": str(tmp_path)})
    made: list[Any] = []

    def factory() -> Any:
        made.append(k8s.ApiClient())
        return made[-1]

    [only] = checkpoint_sinks(base, factory)
    assert isinstance(only, LogSink) and made == []

    full = base.with_(audit_checkpoint_file=tmp_path / "cps.jsonl",
                      audit_checkpoint_configmap="chatops/audit-checkpoint")
    sinks = checkpoint_sinks(full, factory)
    assert [type(s) for s in sinks] == [LogSink, FileSink, ConfigMapCheckpointSink]
    assert len(made) == 1

    with pytest.raises(SetupError, match="NAMESPACE/NAME"):
        checkpoint_sinks(base.with_(audit_checkpoint_configmap="just-a-name"), factory)
    for api in made:
        api.close()


@pytest.fixture
def bot_client(k8s_admin: Any, namespace: str) -> Iterator[Any]:
    """An ApiClient for a bot identity holding exactly the RBAC the ConfigMap sink documents."""
    from kubernetes import client as k8s

    from chatops.executor.client import impersonating_client
    from chatops.model import Identity

    rbac = k8s.RbacAuthorizationV1Api(k8s_admin)
    rbac.create_namespaced_role(namespace, k8s.V1Role(
        metadata=k8s.V1ObjectMeta(name="chatops-audit-checkpoint"),
        rules=[
            k8s.V1PolicyRule(api_groups=[""], resources=["configmaps"],
                             resource_names=["audit-checkpoint"], verbs=["get", "update"]),
            # RBAC cannot limit `create` by name: the name is not known when it is checked.
            k8s.V1PolicyRule(api_groups=[""], resources=["configmaps"], verbs=["create"]),
        ]))
    rbac.create_namespaced_role_binding(namespace, k8s.V1RoleBinding(
        metadata=k8s.V1ObjectMeta(name="chatops-audit-checkpoint"),
        role_ref=k8s.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role",
                               name="chatops-audit-checkpoint"),
        subjects=[k8s.RbacV1Subject(kind="User", name="chatops-bot",
                                    api_group="rbac.authorization.k8s.io")]))
    # The sink takes whatever ApiClient it is given; in a pod that is the service account's.
    yield impersonating_client(k8s_admin, Identity("chatops-bot"))


@pytest.mark.k8s
def test_configmap_sink_creates_then_replaces(
    k8s_admin: Any, namespace: str, bot_client: Any, seeded: Path,
    sandbox: Any,
) -> None:
    from kubernetes import client as k8s

    from chatops.executor.checkpoints import ConfigMapCheckpointSink, read_checkpoint_configmap

    sink = ConfigMapCheckpointSink(bot_client, namespace, "audit-checkpoint")
    with AuditLog(seeded) as log:
        first = log.checkpoint(KEY)
        sink.write(first)  # created
        core = k8s.CoreV1Api(k8s_admin)
        core.patch_namespaced_config_map("audit-checkpoint", namespace,
                                         {"metadata": {"labels": {"team": "platform"}},
                                          "data": {"note": "kept"}})
        seed(log, 2)
        second = log.checkpoint(KEY)
        sink.write(second)  # replaced
    stored = core.read_namespaced_config_map("audit-checkpoint", namespace)
    assert stored.data is not None and stored.metadata is not None
    assert Checkpoint.from_json(stored.data["checkpoint"]) == second
    assert stored.data["note"] == "kept"
    assert (stored.metadata.labels or {}).get("team") == "platform"
    assert read_checkpoint_configmap(bot_client, namespace, "audit-checkpoint") == \
        second.to_json()
    assert read_checkpoint_configmap(k8s_admin, namespace, "nope") is None

    env = {"CHATOPS_KUBECONFIG": str(sandbox.kubeconfig)}
    ok = chatops("verify", "--db", str(seeded), "--against",
                 f"configmap:{namespace}/audit-checkpoint", env=env)
    assert ok.returncode == 0, ok.stderr
    truncate(seeded, keep=8)
    cut = chatops("verify", "--db", str(seeded), "--against",
                  f"configmap:{namespace}/audit-checkpoint", env=env)
    assert cut.returncode == 1
    assert "truncated: event #10 is missing" in cut.stderr
    absent = chatops("verify", "--db", str(seeded), "--against",
                     f"configmap:{namespace}/no-such-map", env=env)
    assert absent.returncode == 2
    assert "no-such-map" in absent.stderr


@pytest.mark.k8s
def test_configmap_sink_keeps_the_higher_checkpoint(
    k8s_admin: Any, namespace: str, bot_client: Any, seeded: Path, sandbox: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from kubernetes import client as k8s

    from chatops.executor.checkpoints import ConfigMapCheckpointSink

    sink = ConfigMapCheckpointSink(bot_client, namespace, "audit-checkpoint")
    core = k8s.CoreV1Api(k8s_admin)

    def stored() -> Checkpoint:
        body = core.read_namespaced_config_map("audit-checkpoint", namespace)
        return Checkpoint.from_json(body.data["checkpoint"])

    with AuditLog(seeded) as log:
        older = log.checkpoint(KEY)
        seed(log, 2)
        newer = log.checkpoint(KEY)
        sink.write(newer)
        # A replica that took its checkpoint a moment earlier, or an old process: the
        # lower event id is not written over the higher one.
        with caplog.at_level(logging.WARNING):
            sink.write(older)
        assert stored() == newer
        assert "#10" in caplog.text and "#8" in caplog.text
        # Nor another checkpoint of the same event that disagrees with it.
        other = Checkpoint.create(event_id=10, event_hash="d" * 64, count=10,
                                  taken_at=newer.taken_at, key=KEY)
        sink.write(other)
        assert stored() == newer
        # What the bot reads back at start-up.
        assert sink.read() == newer.to_json()
        assert ConfigMapCheckpointSink(k8s_admin, namespace, "not-there").read() is None

    # The bot restarts after its log was cut to #8 while it was down: it reads the ConfigMap
    # first and refuses, and the ConfigMap keeps #10.
    truncate(seeded, keep=8)
    with AuditLog(seeded) as log:
        writer = CheckpointWriter(log, KEY, [LogSink(), sink])
        with pytest.raises(AuditTampered, match="event #10 is missing"):
            writer.write_now()
    assert stored() == newer
    cut = chatops("verify", "--db", str(seeded), "--against",
                  f"configmap:{namespace}/audit-checkpoint",
                  env={"CHATOPS_KUBECONFIG": str(sandbox.kubeconfig)})
    assert cut.returncode == 1
    assert "truncated: event #10 is missing" in cut.stderr
