"""`/metrics` of a real `chatops serve` process: Prometheus text with the bot's counters,
filled by what the process did, and labels that no request text can reach."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.slack.conftest import SECRET, eventually
from tests.slack.mock_slack import MockSlack
from tests.slack.processes import FAKE_SERVE, BotProcess, bot_env, bot_processes
from tests.slack.sender import Sender

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BotProcess, MockSlack]]:
    tmp: Path = tmp_path_factory.mktemp("metrics")
    slack = MockSlack().start()
    try:
        with bot_processes(FAKE_SERVE, bot_env(tmp, slack), count=1) as (bot,):
            yield bot, slack
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


def test_a_request_shows_up_in_the_counters(served: tuple[BotProcess, MockSlack]) -> None:
    bot, slack = served
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


def test_user_text_never_becomes_a_label(served: tuple[BotProcess, MockSlack]) -> None:
    bot, slack = served
    marker = "zz-label-injection-7f3a"
    sender = Sender(bot.url, SECRET, slack.base)
    assert sender.command(f"run scale_deployment deployment={marker} namespace={marker} "
                          f"replicas=2", user=f"U0{marker.upper()[:8]}").status == 200
    assert sender.command(f"{marker} please {marker}", user="U0ALICE").status == 200
    eventually(lambda: len(slack.of("chat.postMessage")) >= 2, what="the answers")
    samples = scrape(bot)
    assert not [key for key in samples if any(marker in v for _, v in key[1])]


def test_slack_429s_are_counted_even_when_a_retry_succeeds(
        served: tuple[BotProcess, MockSlack]) -> None:
    bot, slack = served
    before = value(scrape(bot), "chatops_slack_api_ratelimited_total",
                   method="chat.postMessage")
    slack.fail("chat.postMessage", 429, times=1, retry_after=1)
    sender = Sender(bot.url, SECRET, slack.base)
    assert sender.command("run scale_deployment deployment=checkout-api namespace=prod "
                          "replicas=7", user="U0ALICE").status == 200
    eventually(lambda: value(scrape(bot), "chatops_slack_api_ratelimited_total",
                             method="chat.postMessage") == before + 1,
               what="the 429 counted")


def test_metrics_answer_only_get(served: tuple[BotProcess, MockSlack]) -> None:
    bot, _ = served
    request = urllib.request.Request(metrics_url(bot), data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(metrics_url(bot) + "?name[]=x", timeout=10)
    assert refused.value.code == 400
