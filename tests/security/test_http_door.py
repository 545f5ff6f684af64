"""Attacks on the bot's HTTP port, against the real `chatops serve` process (its HTTP path on
an in-memory cluster, `tests.slack.fake_serve`) and the local Slack Web API.

Each attack tries to approve a proposed run, or to get an alert into the engine, without
what it takes; each test asserts that nothing ran and, where the request claimed to be Slack
or Alertmanager, that the attempt is in the audit log.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from chatops.audit import AuditLog, Checkpoint, read_checkpoint_file
from chatops.runs import Run, RunState, RunStore
from chatops.slack.blocks import APPROVE
from tests.slack.conftest import SECRET, eventually
from tests.slack.mock_slack import Call, MockSlack
from tests.slack.processes import (
    FAKE_SERVE,
    SOCKET_MODE_URL,
    BotProcess,
    bot_env,
    bot_processes,
)
from tests.slack.sender import TEAM, Sender, signature

ALERT_TOKEN = "door-test-alert-token"
CHECKPOINT_KEY = "door-test-checkpoint-key"


@dataclass
class Served:
    """One `chatops serve` process and what it writes."""

    proc: BotProcess
    url: str
    tmp: Path
    slack: MockSlack

    @property
    def host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        assert parts.hostname and parts.port
        return parts.hostname, parts.port

    @property
    def store(self) -> RunStore:
        return RunStore(self.tmp / "state.db")

    def audit(self, kind: str) -> list[dict[str, object]]:
        """The data of `kind` events, newest first."""
        return [dict(e.data) for e in AuditLog(self.tmp / "audit.db").list(kind=kind,
                                                                            limit=5000)]

    def new_audit(self, kind: str, before: int) -> list[dict[str, object]]:
        """`kind` events written after there were `before` of them, newest first."""
        events = self.audit(kind)
        return events[: len(events) - before]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One `chatops serve` in HTTP mode for the module: a signing secret, the app id pinned,
    the Alertmanager webhook on, short HTTP timeouts. Tests look at what they added."""
    tmp = tmp_path_factory.mktemp("door")
    slack = MockSlack().start()
    env = bot_env(tmp, slack, CHATOPS_ALERTMANAGER_TOKEN=ALERT_TOKEN,
                  CHATOPS_ALERT_CHANNEL="C0ALERTS", CHATOPS_SLACK_APP_ID="A0APP",
                  CHATOPS_HTTP_HEADER_TIMEOUT="1", CHATOPS_HTTP_BODY_TIMEOUT="1",
                  CHATOPS_AUDIT_CHECKPOINT_FILE=str(tmp / "checkpoints.jsonl"),
                  CHATOPS_AUDIT_CHECKPOINT_KEY=CHECKPOINT_KEY,
                  CHATOPS_AUDIT_CHECKPOINT_SECONDS="0.5")
    try:
        with bot_processes(FAKE_SERVE, env, count=1) as (bot,):
            yield Served(bot, bot.url, tmp, slack)
    finally:
        slack.stop()


def propose(served: Served, deployment: str = "checkout-api") -> Run:
    """A new write request by alice, waiting for approval (write needs one SRE)."""
    before = {r["id"] for r in served.store._db().execute("SELECT id FROM runs").fetchall()}
    sender = Sender(served.url, SECRET, served.slack.base)
    replicas = 5 + len(before)  # a plan of its own each time
    response = sender.command(f"run scale_deployment deployment={deployment} namespace=prod "
                              f"replicas={replicas}", user="U0ALICE")
    assert response.status == 200

    def planned() -> Run | None:
        for row in served.store._db().execute("SELECT id FROM runs").fetchall():
            run = served.store.get(row["id"])
            if row["id"] not in before and run is not None and run.message_ref:
                return run
        return None

    run = eventually(planned, what="the plan")
    assert isinstance(run, Run) and run.state is RunState.PROPOSED
    return run


def click_payload(run: Run, *, user: str = "U0BOB", team: str = TEAM, app: str = "A0APP",
                  value: str | None = None, message_ts: str | None = None) -> str:
    assert run.message_ref
    channel, ts = run.message_ref.split(":", 1)
    value = value or run.id
    payload = {
        "type": "block_actions", "team": {"id": team}, "user": {"id": user},
        "api_app_id": app, "trigger_id": "trig-1",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel,
                      "message_ts": message_ts or ts},
        "message": {"ts": message_ts or ts, "type": "message"},
        "actions": [{"type": "button", "action_id": f"{APPROVE}:{value}", "value": value,
                     "action_ts": f"{time.time():.6f}"}]}
    return urlencode({"payload": json.dumps(payload)})


def raw_request(served: Served, data: bytes, *, read_timeout: float = 5.0,
                until_closed: bool = False) -> bytes:
    """Send raw bytes; return everything the server answered until it closed (or timed
    out).

    `until_closed`: the server must close the connection (the test fails if it is silent
    for `read_timeout` seconds first). Once it has, it is done with every request it read
    from the connection: each was handled and answered, or dropped with the connection.
    """
    with socket.create_connection(served.host_port, timeout=read_timeout) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while piece := sock.recv(65536):
                chunks.append(piece)
        except TimeoutError:
            if until_closed:
                raise AssertionError(f"the server kept the connection open; it answered "
                                     f"{b''.join(chunks)[:300]!r}") from None
        return b"".join(chunks)


def http(method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None,
         *, length: str | None = None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: bot"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append(f"Content-Length: {length if length is not None else len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def signed_headers(body: str, *, secret: str = SECRET, timestamp: int | None = None
                   ) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    return {"Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(secret, stamp, body)}


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:100]
    return int(answer[9:12])


def refusals_recorded(served: Served, before: int, answers: list[bytes]) -> Callable[[], bool]:
    """The sign that the bot is done with requests refused at its door: each one the app
    refused (its answer is the door's JSON error) is in the audit log. The few that the
    HTTP parser refused outright never reached the app."""
    by_the_app = sum(b'{"error"' in answer for answer in answers)
    return lambda: len(served.new_audit("rejected", before)) >= by_the_app


def assert_still_proposed(served: Served, run: Run, handled: Callable[[], object]) -> None:
    """Assert that the attack left `run` as it was, once `handled()` says that the bot is
    done with the attack: a positive sign, such as its refusal in the audit log (the door
    records a refusal before it answers, and a refused request queues no work) or the
    refusal a listener sent as its last act. Not a pause in the hope that a wrongly
    accepted click would have acted by then."""
    eventually(handled, what="the sign that the bot is done with the attack")
    stored = served.store.get(run.id)
    assert stored is not None and stored.state is RunState.PROPOSED
    assert stored.approvers() == ()


# ---------------------------------------------------------------- paths and signatures

PATH_TRICKS = ["", "?x", "//slack/events", "/slack/events/", "/slack/events?x",
               "/slack%2Fevents", "/slack%2fevents", "/%73lack/events", "/SLACK/EVENTS",
               "/slack/events;x", "/slack/./events", "/slack/events%00", "*"]


@pytest.mark.parametrize("target", PATH_TRICKS)
def test_unsigned_click_on_a_path_trick_is_refused(served: Served, target: str) -> None:
    run = propose(served)
    before = len(served.audit("rejected"))
    body = click_payload(run).encode()
    answer = raw_request(served, http("POST", target, body, {
        "Content-Type": "application/x-www-form-urlencoded"}))
    assert status_of(answer) in (400, 404)
    assert_still_proposed(served, run, refusals_recorded(served, before, [answer]))


def test_path_tricks_with_a_valid_signature_still_reach_nothing(served: Served) -> None:
    run = propose(served)
    body = click_payload(run)
    before = len(served.audit("rejected"))
    refused_by_the_app = 0
    answers = []
    for target in PATH_TRICKS:
        answer = raw_request(served, http("POST", target, body.encode(),
                                          signed_headers(body)))
        assert status_of(answer) in (400, 404), target
        # The HTTP parser refuses a few targets outright; the rest reach the app's router.
        refused_by_the_app += b'{"error"' in answer
        answers.append(answer)
    assert_still_proposed(served, run, refusals_recorded(served, before, answers))
    assert refused_by_the_app >= len(PATH_TRICKS) - 2
    assert len(served.new_audit("rejected", before)) == refused_by_the_app


@pytest.mark.parametrize("attack", ["unsigned", "wrong secret", "expired", "future",
                                    "malformed timestamp"])
def test_forged_or_replayed_signatures_are_refused_and_audited(served: Served,
                                                                attack: str) -> None:
    run = propose(served)
    before = len(served.audit("rejected"))
    body = click_payload(run)
    headers = {
        "unsigned": {"Content-Type": "application/x-www-form-urlencoded"},
        "wrong secret": signed_headers(body, secret="not-the-secret"),
        "expired": signed_headers(body, timestamp=int(time.time()) - 600),
        "future": signed_headers(body, timestamp=int(time.time()) + 600),
        "malformed timestamp": {**signed_headers(body), "X-Slack-Request-Timestamp": "1e9"},
    }[attack]
    answer = raw_request(served, http("POST", "/slack/events", body.encode(), headers))
    assert status_of(answer) == 401
    assert_still_proposed(served, run, lambda: served.new_audit("rejected", before))
    rejected = served.new_audit("rejected", before)
    assert len(rejected) == 1 and rejected[0]["what"] == "/slack/events"


@pytest.mark.parametrize("forged", ["team", "app"])
def test_signed_payload_from_another_workspace_or_app_is_refused(served: Served,
                                                                 forged: str) -> None:
    run = propose(served)
    before = len(served.audit("rejected"))
    evil = "T0EVIL" if forged == "team" else "A0EVIL"
    body = click_payload(run, **{forged: evil})
    answer = raw_request(served, http("POST", "/slack/events", body.encode(),
                                      signed_headers(body)))
    assert status_of(answer) == 403
    assert_still_proposed(served, run, lambda: served.new_audit("rejected", before))
    rejected = served.new_audit("rejected", before)
    assert len(rejected) == 1 and evil in str(rejected[0]["reason"])


def test_click_for_another_run_from_this_runs_message_is_refused(served: Served) -> None:
    first = propose(served)
    second = propose(served, "payments-api")
    assert first.message_ref and second.message_ref
    # A signed click whose button names the second run but sits on the first run's message:
    # a button replayed onto another run.
    body = click_payload(second, message_ts=first.message_ref.split(":", 1)[1])
    answer = raw_request(served, http("POST", "/slack/events", body.encode(),
                                      signed_headers(body)))
    assert status_of(answer) == 200  # acknowledged; the work is refused in the listener
    rejected = eventually(lambda: [r for r in served.audit("rejected")
                                   if r.get("what") == "click"], what="the audited refusal")
    assert rejected

    def refusal_sent() -> list[Call]:
        # The listener's last act: the refusal, to the clicker only.
        return [c for c in served.slack.of("chat.postEphemeral") if second.id in c.text()]

    assert_still_proposed(served, second, refusal_sent)


def test_click_whose_action_id_and_value_disagree_is_refused(served: Served) -> None:
    run = propose(served)
    other = propose(served, "payments-api")
    assert run.message_ref
    channel, ts = run.message_ref.split(":", 1)
    click = {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0BOB"},
             "api_app_id": "A0APP", "trigger_id": "t", "channel": {"id": channel},
             "container": {"type": "message", "channel_id": channel, "message_ts": ts},
             "actions": [{"type": "button", "action_id": f"{APPROVE}:{run.id}",
                          "value": other.id, "action_ts": f"{time.time():.6f}"}]}
    body = urlencode({"payload": json.dumps(click)})
    answer = raw_request(served, http("POST", "/slack/events", body.encode(),
                                      signed_headers(body)))
    assert status_of(answer) == 200

    def refusal_recorded() -> list[dict[str, object]]:
        # The listener's last act: it records the refusal and returns.
        return [r for r in served.audit("rejected") if "does not match" in
                str(r.get("reason"))]

    eventually(refusal_recorded, what="the audited refusal")
    assert_still_proposed(served, run, refusal_recorded)
    assert_still_proposed(served, other, refusal_recorded)


def test_replayed_valid_click_runs_once(served: Served) -> None:
    run = propose(served)
    body = click_payload(run)
    headers = signed_headers(body)
    before = len(served.audit("rejected"))
    for _ in range(3):  # the same signed request, within the signature window
        assert status_of(raw_request(served, http("POST", "/slack/events", body.encode(),
                                                  headers))) == 200
    eventually(lambda: served.store.get(run.id).state is RunState.SUCCEEDED,  # type: ignore[union-attr]
               what="the run")
    # The click has run, and the two replays were refused at the door (recorded before
    # they were answered, with no work queued): nothing of the three is still on its way.
    eventually(lambda: len(served.new_audit("rejected", before)) == 2,
               what="the replays to be refused")
    steps = [e for e in AuditLog(served.tmp / "audit.db").list(run_id=run.id, kind="step")]
    assert len(steps) == 1


# ---------------------------------------------------------------- HTTP framing

def test_request_smuggled_in_a_get_body_never_reaches_the_webhook(served: Served) -> None:
    alert = json.dumps({"version": "4", "status": "firing", "groupKey": "g", "alerts": [
        {"status": "firing", "labels": {"alertname": "Smuggled", "namespace": "prod"},
         "fingerprint": "f"}]}).encode()
    inner = http("POST", "/alertmanager", alert, {
        "Authorization": f"Bearer {ALERT_TOKEN}", "Content-Type": "application/json"})
    # The inner request is the body of a GET: it must be consumed as that body (or the
    # connection closed), never parsed as a request of its own.
    # Each exchange ends when the server closes the connection: it is then done with all it
    # read from it, the inner request included had it been taken as one.
    answer = raw_request(served, http("GET", "/healthz", inner) +
                         http("GET", "/healthz"), read_timeout=10, until_closed=True)
    assert answer.count(b"HTTP/1.1 ") >= 1
    assert b'"accepted"' not in answer
    for target in ("/nope", "/slack/events"):
        answer = raw_request(served, http("GET", target, inner), read_timeout=10,
                             until_closed=True)
        assert b'"accepted"' not in answer
    assert not any("Smuggled" in json.dumps(e) for e in served.audit("alert"))


@pytest.mark.parametrize("length", ["-1", "+5", "0x10", "1 1", "99999999999999999999"])
def test_bad_content_length_is_refused_without_reading(served: Served, length: str) -> None:
    started = time.monotonic()
    answer = raw_request(served, http("POST", "/alertmanager", b"{}", {
        "Authorization": f"Bearer {ALERT_TOKEN}"}, length=length), read_timeout=5)
    assert status_of(answer) in (400, 413)
    assert time.monotonic() - started < 4  # answered, not read to the end of the stream


def test_bearer_token_is_checked_before_the_body_is_read(served: Served) -> None:
    # 8 MB announced, nothing sent: a wrong token is answered at once.
    before = len(served.audit("rejected"))
    with socket.create_connection(served.host_port, timeout=5) as sock:
        sock.sendall(http("POST", "/alertmanager", b"", {"Authorization": "Bearer wrong"},
                          length=str(8 << 20)))
        started = time.monotonic()
        answer = sock.recv(65536)
        assert status_of(answer) == 401
        assert time.monotonic() - started < 1
    assert served.new_audit("rejected", before)[0]["what"] == "/alertmanager"


def test_oversized_body_is_refused_before_reading(served: Served) -> None:
    with socket.create_connection(served.host_port, timeout=5) as sock:
        sock.sendall(http("POST", "/slack/events", b"", signed_headers(""),
                          length=str(50 << 20)))
        assert status_of(sock.recv(65536)) == 413


def test_connection_that_never_finishes_its_head_is_closed(served: Served) -> None:
    with socket.create_connection(served.host_port, timeout=10) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n")
        started = time.monotonic()
        assert sock.recv(65536) == b""  # closed by the server (header timeout 1 s)
        assert time.monotonic() - started < 8


def test_idle_connection_is_closed(served: Served) -> None:
    with socket.create_connection(served.host_port, timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(65536) == b""
        assert time.monotonic() - started < 8


def test_body_that_stops_arriving_gets_408(served: Served) -> None:
    with socket.create_connection(served.host_port, timeout=10) as sock:
        sock.sendall(http("POST", "/alertmanager", b'{"ver', {
            "Authorization": f"Bearer {ALERT_TOKEN}"}, length="100"))
        answer = sock.recv(65536)
        assert status_of(answer) == 408


def test_many_idle_connections_do_not_stop_real_requests(served: Served) -> None:
    idle = [socket.create_connection(served.host_port, timeout=5) for _ in range(100)]
    try:
        for sock in idle:
            sock.sendall(b"GET /hea")
        answer = raw_request(served, http("GET", "/healthz") .replace(
            b"Content-Length: 0", b"Connection: close"), read_timeout=5)
        assert status_of(answer) == 200
    finally:
        for sock in idle:
            sock.close()


# ---------------------------------------------------------------- Socket Mode and start-up

def test_socket_mode_port_serves_no_slack_payloads(tmp_path: Path,
                                                   slack_api: MockSlack) -> None:
    env = bot_env(tmp_path, slack_api, SLACK_APP_TOKEN="xapp-test",
                  CHATOPS_ALERTMANAGER_TOKEN=ALERT_TOKEN, CHATOPS_ALERT_CHANNEL="C0ALERTS")
    env.pop("SLACK_SIGNING_SECRET")
    proc = BotProcess(FAKE_SERVE, env, ready=SOCKET_MODE_URL)
    try:
        base = proc.wait_ready()
        served = Served(proc, base, tmp_path, slack_api)
        click = urlencode({"payload": json.dumps({
            "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0BOB"},
            "actions": [{"action_id": f"{APPROVE}:r-1", "value": "r-1"}]})})
        for target in [*PATH_TRICKS, "/slack/events"]:
            for headers in ({}, signed_headers(click)):
                answer = raw_request(served, http("POST", target, click.encode(), headers),
                                     read_timeout=3)
                assert status_of(answer) in (400, 404), target
        assert status_of(raw_request(served, http("GET", "/healthz"), read_timeout=2)) == 200
        # Not connected to Slack (the local API hands out no socket URL): not ready.
        assert status_of(raw_request(served, http("GET", "/readyz"), read_timeout=2)) == 503
        assert served.audit("rejected")
        assert served.audit("message") == []
    finally:
        proc.stop()


def test_http_mode_without_a_signing_secret_refuses_to_start(tmp_path: Path,
                                                             slack_api: MockSlack) -> None:
    env = bot_env(tmp_path, slack_api)
    env.pop("SLACK_SIGNING_SECRET")
    proc = BotProcess(FAKE_SERVE, env)
    assert proc.proc.wait(60) == 2
    # The process has exited; a thread reads what it wrote to stderr.
    eventually(lambda: any("SLACK_SIGNING_SECRET" in line for line in proc.lines),
               what="the bot's refusal to be read from its stderr")
    assert any("SLACK_SIGNING_SECRET" in line for line in proc.lines)


def test_webhook_without_a_token_is_not_served(tmp_path: Path, slack_api: MockSlack) -> None:
    env = bot_env(tmp_path, slack_api, CHATOPS_ALERT_CHANNEL="C0ALERTS")
    with bot_processes(FAKE_SERVE, env, count=1) as (bot,):
        served = Served(bot, bot.url, tmp_path, slack_api)
        answer = raw_request(served, http("POST", "/alertmanager", b"{}"), read_timeout=3)
        assert status_of(answer) == 404
    assert any("CHATOPS_ALERTMANAGER_TOKEN" in line for line in bot.lines)


def test_serve_anchors_the_audit_chain_outside_the_database(served: Served) -> None:
    run = propose(served)
    audit = AuditLog(served.tmp / "audit.db")
    newest = audit.list(run_id=run.id, limit=1)[0].id

    def anchored() -> Checkpoint | None:
        path = served.tmp / "checkpoints.jsonl"
        checkpoint = read_checkpoint_file(path) if path.exists() else None
        return checkpoint if checkpoint and checkpoint.event_id >= newest else None

    checkpoint = eventually(anchored, what="a checkpoint past the plan")
    assert isinstance(checkpoint, Checkpoint) and checkpoint.signature_valid(CHECKPOINT_KEY)
    assert audit.verify_against(checkpoint, CHECKPOINT_KEY).ok


def test_non_ascii_digits_in_the_timestamp_are_refused_and_audited(served: Served) -> None:
    run = propose(served)
    before = len(served.audit("rejected"))
    body = click_payload(run)
    request = http("POST", "/slack/events", body.encode(), signed_headers(body))
    # U+00B2 passes str.isdigit() but is no number; latin-1 on the wire.
    request = request.replace(b"X-Slack-Request-Timestamp: ", b"X-Slack-Request-Timestamp: \xb2",
                              1)
    assert status_of(raw_request(served, request)) == 401
    assert_still_proposed(served, run, lambda: served.new_audit("rejected", before))
    assert served.new_audit("rejected", before)


def test_both_content_length_and_chunked_is_refused_and_closed(served: Served) -> None:
    body = b'{"version": "4", "alerts": []}'
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    request = http("POST", "/alertmanager", chunked, {
        "Authorization": f"Bearer {ALERT_TOKEN}", "Transfer-Encoding": "chunked"},
        length=str(len(chunked)))
    answer = raw_request(served, request, read_timeout=3)
    assert status_of(answer) == 400
    assert b"connection: close" in answer.lower()


def test_a_replayed_signed_command_is_not_handled_twice(served: Served) -> None:
    sender = Sender(served.url, SECRET, served.slack.base)
    before = {r["id"] for r in served.store._db().execute("SELECT id FROM runs").fetchall()}
    body = sender.command_body("run scale_deployment deployment=checkout-api namespace=dev "
                               "replicas=9", user="U0ALICE", channel="C0OPS")
    headers = signed_headers(body)
    rejected = len(served.audit("rejected"))
    for _ in range(3):  # captured and sent again within the signature window
        assert status_of(raw_request(served, http("POST", "/slack/events", body.encode(),
                                                  headers))) == 200
    eventually(lambda: len(served.new_audit("rejected", rejected)) == 2,
               what="the replays to be refused")

    def new_runs() -> list[str]:
        return [r["id"] for r in served.store._db().execute("SELECT id FROM runs").fetchall()
                if r["id"] not in before]

    eventually(lambda: len(new_runs()) == 1, what="the plan")
    # Nothing else is on its way: the two replays were refused at the door (waited for
    # above; recorded before they were answered, with no work queued), and the one request
    # handled has made its run.
    assert len(new_runs()) == 1
