"""Pure pieces of the Slack surface: Block Kit templates, the edit coalescer, groups."""

from __future__ import annotations

import itertools
import threading
import time

from chatops.model import Risk
from chatops.replies import Reply, RunView
from chatops.slack.blocks import MAX_SECTIONS, code_blocks, reply_blocks, run_blocks
from chatops.slack.coalesce import Coalescer


def _view(**changes: object) -> RunView:
    base = dict(id="r-1a2b3c4d", state="proposed", runbook="scale_deployment",
                risk=Risk.WRITE, requester="bob",
                understood="scale deployment checkout-api in prod to 5 replicas",
                explanation="Scale it.", steps=("scale",), changes=("spec.replicas: 3 -> 5",),
                blast_radius=tuple(f"pod-{i}" for i in range(10)), approvals=(), needed=1,
                approvers="members of sre", undo="say `undo`")
    base.update(changes)
    return RunView(**base)  # type: ignore[arg-type]


def _texts(blocks: list[dict[str, object]]) -> str:
    return str(blocks)


def test_plan_blocks_show_diff_blast_radius_approvals_and_buttons() -> None:
    blocks = run_blocks(_view())
    text = _texts(blocks)
    assert "```spec.replicas: 3 -&gt; 5```" in text
    assert "Pods affected (10)" in text and "and 2 more" in text
    assert "approvals 0 of 1 (none yet)" in text
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "chatops_approve:r-1a2b3c4d", "chatops_deny:r-1a2b3c4d", "chatops_edit:r-1a2b3c4d"]


def test_dry_run_warnings_are_shown_escaped() -> None:
    # Warnings carry names read from the cluster (an autoscaler's, a pod's): never markup.
    text = _texts(run_blocks(_view(warnings=("autoscaler <!here> (min 1, max 4) manages it",))))
    assert "*Warning:* autoscaler &lt;!here&gt; (min 1, max 4) manages it" in text
    assert "<!here>" not in text


def test_long_warnings_stay_within_slacks_section_limit() -> None:
    # An attacker review: a drain blocked for 100 pods made one section over 3000
    # characters, and Slack refused the whole (critical) plan message.
    many = "a PodDisruptionBudget blocks " + ", ".join(f"ns/pod-{i:04d}" for i in range(400))
    blocks = run_blocks(_view(warnings=(many, "another")))
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]  # type: ignore[index]
    assert all(len(t) <= 3000 for t in texts)
    assert "another" in str(blocks) and "ns/pod-0000" in str(blocks)


def test_running_and_finished_runs_have_no_buttons() -> None:
    running = run_blocks(_view(state="running", approvals=("carol",), progress="2/5 ready"))
    assert "approved by carol" in _texts(running) and "2/5 ready" in _texts(running)
    assert not [b for b in running if b["type"] == "actions"]
    done = run_blocks(_view(state="succeeded", approvals=("carol",), outcome="Succeeded."))
    assert "Succeeded." in _texts(done)


def test_user_text_cannot_ping_channels_or_forge_links() -> None:
    blocks = reply_blocks(Reply("refusal", "no such deployment <!channel> <http://x|y>"))
    assert "<!channel>" not in _texts(blocks) and "&lt;!channel&gt;" in _texts(blocks)


def test_long_output_is_split_and_cut() -> None:
    text = "\n".join(f"line {i} " + "x" * 80 for i in range(2000))
    blocks = code_blocks(text)
    assert len(blocks) == MAX_SECTIONS
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    assert "more lines not shown" in blocks[-1]["text"]["text"]


def test_coalescer_sends_at_most_once_per_interval_and_the_latest_wins() -> None:
    sent: list[tuple[str, int, float]] = []
    lock = threading.Lock()

    def send(key: str, value: int) -> None:
        with lock:
            sent.append((key, value, time.monotonic()))

    coalescer: Coalescer[int] = Coalescer(send, interval=0.3)
    for i in range(100):
        coalescer.submit("r-1", i)
        coalescer.submit("r-2", i)
        time.sleep(0.005)
    assert coalescer.flush(5)
    coalescer.close()
    for key in ("r-1", "r-2"):
        mine = [(v, t) for k, v, t in sent if k == key]
        assert mine[-1][0] == 99  # the latest value is the one that stays
        assert len(mine) <= 4  # ~0.5 s of bursts at 0.3 s spacing
        gaps = [b[1] - a[1] for a, b in itertools.pairwise(mine)]
        assert all(g >= 0.29 for g in gaps)


def test_coalescer_keeps_going_after_a_failed_send() -> None:
    sent: list[int] = []

    def send(_key: str, value: int) -> None:
        if value == 1:
            raise RuntimeError("boom")
        sent.append(value)

    coalescer: Coalescer[int] = Coalescer(send, interval=0.0)
    coalescer.submit("a", 1)
    coalescer.flush(2)
    coalescer.submit("a", 2)
    coalescer.close()
    assert sent == [2]
