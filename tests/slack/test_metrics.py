"""`/metrics` of a real `chatops serve` process: Prometheus text with the bot's counters,
filled by what the process did, and labels that no request text can reach.

Each family is checked by doing the thing and seeing its sample move by exactly that: the
HTTP path's fake-cluster twin for the conversation, Slack and outbox families; `chatops
serve` itself on the sandbox (with the NLU model, and a follower beside it) for what only a
real API server, the model or a Lease can produce."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from chatops.alerts import AlertStore
from chatops.demo import DEMO_POLICY
from chatops.slack.blocks import APPROVE, DENY
from tests.plugins.world_fixtures import World
from tests.slack.conftest import SECRET, eventually
from tests.slack.mock_slack import Call, MockSlack
from tests.slack.processes import FAKE_SERVE, BotProcess, bot_env, bot_processes
from tests.slack.sender import Sender, next_ts

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
ALERT_TOKEN = "metrics-alert-token"
SLOW_RULES = "burst: {posts: 1, per_seconds: 3600}\nrules: []\n"
"""One alert post an hour: whatever else an alert queues stays in the outbox."""


class Served(NamedTuple):
    bot: BotProcess
    slack: MockSlack
    tmp: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp: Path = tmp_path_factory.mktemp("metrics")
    rules = tmp / "alert-rules.yaml"
    rules.write_text(SLOW_RULES)
    slack = MockSlack().start()
    env = bot_env(tmp, slack, CHATOPS_ALERTMANAGER_TOKEN=ALERT_TOKEN,
                  CHATOPS_ALERT_CHANNEL="C0ALERTS", CHATOPS_ALERT_RULES=str(rules))
    try:
        with bot_processes(FAKE_SERVE, env, count=1) as (bot,):
            yield Served(bot, slack, tmp)
    finally:
        slack.stop()


def metrics_url(bot: BotProcess) -> str:
    parts = urlsplit(bot.url)
    return f"{parts.scheme}://{parts.netloc}/metrics"


def scrape(bot: BotProcess) -> Samples:
    with urllib.request.urlopen(metrics_url(bot), timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def settled(bot: BotProcess, done: Any, what: str) -> Samples:
    """Scrape until `done(samples)` holds."""
    found = eventually(lambda: (s := scrape(bot)) and done(s) and s, what=what)
    assert isinstance(found, dict)
    return found


def _approve_value(call: Call) -> str | None:
    for block in call.args.get("blocks") or []:
        for element in block.get("elements") or []:
            if str(element.get("action_id", "")).startswith(f"{APPROVE}:"):
                return str(element["value"])
    return None


def plan_message(slack: MockSlack, words: str) -> tuple[str, str, str]:
    """The plan message whose text has `words`, as Slack shows it: (run id, channel, ts)."""
    [call] = slack.wait(lambda calls: [c for c in calls if c.method in (
        "chat.postMessage", "chat.update") and words in c.text() and _approve_value(c)][-1:],
        what=f"the plan {words!r}", timeout=60)
    ts = call.args.get("ts") if call.method == "chat.update" else call.ts
    return str(_approve_value(call)), str(call.args["channel"]), str(ts)


def test_a_request_shows_up_in_the_counters(served: Served) -> None:
    bot, slack, _ = served
    before = scrape(bot)
    sender = Sender(bot.url, SECRET, slack.base)
    assert sender.command("run scale_deployment deployment=checkout-api namespace=prod "
                          "replicas=6", user="U0ALICE").status == 200
    slack.wait_for("chat.update", "to 6 replicas")
    after = eventually(lambda: (s := scrape(bot)) and value(
        s, "chatops_plans_total", runbook="scale_deployment") > value(
        before, "chatops_plans_total", runbook="scale_deployment") and s,
        what="the plan counted")
    assert isinstance(after, dict)
    assert value(after, "chatops_messages_total", surface="slack") > value(
        before, "chatops_messages_total", surface="slack")
    assert value(after, "chatops_slack_api_calls_total", method="chat.postMessage") >= 1
    assert value(after, "chatops_lease_holder") == 1.0  # a sole replica always leads
    assert value(after, "chatops_parses_total", intent="scale_deployment",
                 confidence="ge_0.9") >= 1


def test_user_text_never_becomes_a_label(served: Served) -> None:
    bot, slack, _ = served
    marker = "zz-label-injection-7f3a"
    sender = Sender(bot.url, SECRET, slack.base)
    assert sender.command(f"run scale_deployment deployment={marker} namespace={marker} "
                          f"replicas=2", user=f"U0{marker.upper()[:8]}").status == 200
    assert sender.command(f"{marker} please {marker}", user="U0ALICE").status == 200
    eventually(lambda: len(slack.of("chat.postMessage")) >= 2, what="the answers")
    samples = scrape(bot)
    assert not [key for key in samples if any(marker in v for _, v in key[1])]


def test_slack_429s_are_counted_even_when_a_retry_succeeds(
        served: Served) -> None:
    bot, slack, _ = served
    before = value(scrape(bot), "chatops_slack_api_ratelimited_total",
                   method="chat.postMessage")
    slack.fail("chat.postMessage", 429, times=1, retry_after=1)
    sender = Sender(bot.url, SECRET, slack.base)
    assert sender.command("run scale_deployment deployment=checkout-api namespace=prod "
                          "replicas=7", user="U0ALICE").status == 200
    eventually(lambda: value(scrape(bot), "chatops_slack_api_ratelimited_total",
                             method="chat.postMessage") == before + 1,
               what="the 429 counted")


def test_metrics_answer_only_get(served: Served) -> None:
    bot, _, _ = served
    request = urllib.request.Request(metrics_url(bot), data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(metrics_url(bot) + "?name[]=x", timeout=10)
    assert refused.value.code == 400


# ---------------------------------------------------------------- decisions and runs


def test_an_approved_run_counts_its_approval_its_final_state_and_its_durations(
        served: Served) -> None:
    bot, slack, _ = served
    sender = Sender(bot.url, SECRET, slack.base)
    sender.command("run scale_deployment deployment=checkout-api namespace=staging "
                   "replicas=8", user="U0ALICE")
    run_id, channel, ts = plan_message(slack, "to 8 replicas")
    before = scrape(bot)
    sender.click(APPROVE, run_id, user="U0BOB", channel=channel, message_ts=ts)
    after = settled(bot, lambda s: moved(before, s, "chatops_runs_total",
                                         runbook="scale_deployment", state="succeeded"),
                    "the run counted")
    assert moved(before, after, "chatops_approvals_total", decision="approve") == 1
    assert moved(before, after, "chatops_runs_total", runbook="scale_deployment",
                 state="succeeded") == 1
    assert moved(before, after, "chatops_run_duration_seconds_count",
                 runbook="scale_deployment") == 1
    assert moved(before, after, "chatops_run_duration_seconds_sum",
                 runbook="scale_deployment") >= 0
    assert moved(before, after, "chatops_run_duration_seconds_bucket",
                 runbook="scale_deployment", le="+Inf") == 1
    # The scale's rollout check (one verification of the run).
    assert moved(before, after, "chatops_verification_duration_seconds_count") >= 1
    assert moved(before, after, "chatops_runs_total", runbook="scale_deployment",
                 state="failed") == 0


def test_a_denied_plan_counts_the_denial_and_its_final_state(served: Served) -> None:
    bot, slack, _ = served
    sender = Sender(bot.url, SECRET, slack.base)
    sender.command("run scale_deployment deployment=checkout-api namespace=dev replicas=9",
                   user="U0ALICE")
    run_id, channel, ts = plan_message(slack, "to 9 replicas")
    before = scrape(bot)
    sender.click(DENY, run_id, user="U0CAROL", channel=channel, message_ts=ts)
    after = settled(bot, lambda s: moved(before, s, "chatops_runs_total",
                                         runbook="scale_deployment", state="denied"),
                    "the denial counted")
    assert moved(before, after, "chatops_approvals_total", decision="deny") == 1
    assert moved(before, after, "chatops_approvals_total", decision="approve") == 0
    assert moved(before, after, "chatops_run_duration_seconds_count",
                 runbook="scale_deployment") == 0  # nothing ran


# ---------------------------------------------------------------- Slack and the outbox


def test_slack_api_errors_are_counted_by_method_and_error(served: Served) -> None:
    bot, slack, _ = served
    before = scrape(bot)
    slack.channel_errors["C0GONE"] = "channel_not_found"
    try:
        Sender(bot.url, SECRET, slack.base).message(
            "run deployment_status deployment=checkout-api namespace=prod", user="U0BOB",
            channel="C0GONE", ts=next_ts(), mention=True)
        after = settled(bot, lambda s: moved(before, s, "chatops_slack_api_errors_total",
                                             method="chat.postMessage",
                                             error="channel_not_found"),
                        "the Slack error counted")
    finally:
        del slack.channel_errors["C0GONE"]
    refused = [c for c in slack.of("chat.postMessage") if c.args.get("channel") == "C0GONE"]
    assert moved(before, after, "chatops_slack_api_errors_total", method="chat.postMessage",
                 error="channel_not_found") == len(refused) >= 1
    assert moved(before, after, "chatops_slack_api_errors_total", method="chat.update",
                 error="channel_not_found") == 0


def _post_alerts(bot: BotProcess, names: list[str]) -> int:
    payload = {"version": "4", "status": "firing", "alerts": [
        {"status": "firing", "fingerprint": f"fp-{name}", "labels": {"alertname": name}}
        for name in names]}
    base = bot.url.split("/slack/events", 1)[0]
    request = urllib.request.Request(
        f"{base}/alertmanager?channel=C0ALERTS", data=json.dumps(payload).encode(),
        method="POST", headers={"Content-Type": "application/json",
                                "Authorization": f"Bearer {ALERT_TOKEN}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return int(response.status)


def test_the_outbox_depth_is_what_waits_in_the_outbox(served: Served) -> None:
    bot, slack, tmp = served
    assert value(scrape(bot), "chatops_alert_outbox_depth") == 0
    assert _post_alerts(bot, ["MetricsDiskA", "MetricsDiskB", "MetricsDiskC"]) == 200
    # One post an hour goes out; the other roots and their notes wait their turn.
    slack.wait_for("chat.postMessage", "MetricsDisk")
    outbox = AlertStore(tmp / "state.db")

    def waiting(samples: Samples) -> bool:
        depth = value(samples, "chatops_alert_outbox_depth")
        return depth >= 3 and depth == outbox.pending()

    after = settled(bot, waiting, "the outbox depth to show what waits")
    assert value(after, "chatops_alert_outbox_depth") == outbox.pending("C0ALERTS")


# ---------------------------------------------------------------- on the sandbox


def _serve(policy: Path, kubeconfig: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "chatops", "serve", "--host", "127.0.0.1", "--port", "0",
            "--policy", str(policy), "--kubeconfig", str(kubeconfig), *extra]


def _ready(bot: BotProcess) -> bool:
    base = bot.url.split("/slack/events", 1)[0]
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return False


def _deployment(namespace: str, name: str) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "app", "image": "nginx:1.25"}]}}}}


@pytest.mark.k8s
def test_the_model_the_cluster_and_the_lease_show_up_in_the_metrics(
        world: World, sandbox: Any, namespace: str, tmp_path: Path,
        slack_api: MockSlack) -> None:
    """`chatops serve` with the model as the Lease holder, another without it as a
    follower: an out-of-scope answer, a real 403 (an intern's change the API server
    refuses) and a real 404 (a deployment deleted between its plan and its approval)."""
    from kubernetes import client

    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(DEMO_POLICY))
    lease = {"CHATOPS_LEADER_ELECTION": "true", "CHATOPS_LEASE_NAMESPACE": namespace}
    leader = BotProcess(_serve(policy, sandbox.kubeconfig),
                        bot_env(tmp_path, slack_api, CHATOPS_POD_NAME="bot-a", **lease))
    follower: BotProcess | None = None
    try:
        leader.wait_ready(120)
        settled(leader, lambda s: value(s, "chatops_lease_holder") == 1, "bot-a to lead")
        follower = BotProcess(_serve(policy, sandbox.kubeconfig, "--no-model"),
                              bot_env(tmp_path, slack_api, CHATOPS_POD_NAME="bot-b", **lease))
        follower.wait_ready(120)
        started = follower
        eventually(lambda: _ready(started), what="bot-b ready")
        assert value(scrape(follower), "chatops_lease_holder") == 0
        assert value(scrape(leader), "chatops_lease_holder") == 1
        eventually(lambda: _ready(leader), timeout=120, what="the model loaded")
        sender = Sender(leader.url, SECRET, slack_api.base)
        dev, prod = world.ns["dev"], world.ns["prod"]

        before = scrape(leader)
        sender.message("create a networkpolicy that blocks all egress", user="U0ALICE",
                       channel="C0OPS", ts=next_ts(), mention=True)
        slack_api.wait_for("chat.postMessage", "I can't create", timeout=60)
        after = settled(leader, lambda s: moved(before, s, "chatops_out_of_scope_total"),
                        "the out-of-scope answer counted")
        assert moved(before, after, "chatops_out_of_scope_total") == 1
        assert moved(before, after, "chatops_plans_total", runbook="scale_deployment") == 0

        # mallory (interns) may ask for a change, but her own RBAC can only read.
        before = scrape(leader)
        sender.command(f"run scale_deployment deployment=checkout-api namespace={prod} "
                       "replicas=4", user="U0MALLORY")
        settled(leader, lambda s: moved(before, s, "chatops_kubernetes_api_errors_total",
                                        status="403"), "the API server's 403 counted")
        slack_api.wait(lambda calls: [c for c in calls if "may not" in c.text()
                                      and "mallory" in c.text()], what="her refusal")
        assert world.replicas("prod", "checkout-api") == 3

        apps = client.AppsV1Api(world.api)
        apps.create_namespaced_deployment(dev, _deployment(dev, "metrics-gone"))  # type: ignore[arg-type]
        sender.command(f"run scale_deployment deployment=metrics-gone namespace={dev} "
                       "replicas=2", user="U0BOB")
        run_id, channel, ts = plan_message(slack_api, "metrics-gone")
        apps.delete_namespaced_deployment("metrics-gone", dev)
        eventually(lambda: "metrics-gone" not in [
            d.metadata and d.metadata.name for d in apps.list_namespaced_deployment(dev).items],
            what="the deployment gone")
        before = scrape(leader)
        sender.click(APPROVE, run_id, user="U0CAROL", channel=channel, message_ts=ts)
        after = settled(leader, lambda s: moved(before, s, "chatops_kubernetes_api_errors_total",
                                                status="404"), "the API server's 404 counted")
        slack_api.wait(lambda calls: [c for c in calls if "metrics-gone not found" in c.text()],
                       what="the run's refusal")
        assert moved(before, after, "chatops_kubernetes_api_errors_total", status="403") == 0
    finally:
        for bot in (follower, leader):
            if bot is not None:
                bot.stop()
