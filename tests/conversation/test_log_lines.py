"""A count of log lines tagged as a duration is the count of lines.

A user trial: "last 2 log lines of calc-app in prod" (the model tagged 2 as `since`) was
refused with "since: '2' is not a duration"; "last 20 log lines" was read right."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_carried_target import Reads
from tests.conversation.test_service_logic import Clock, say, service_on

CALC = {"deployment": "calc-app", "namespace": "prod"}


@pytest.mark.parametrize(("text", "slots", "lines"), [
    ("last 2 log lines of calc-app in prod", {**CALC, "since": "2"}, "2"),
    ("show 5 lines of logs for calc-app in prod", {**CALC, "since": "5"}, "5"),
])
def test_a_bare_number_before_lines_is_the_count(tmp_path: Path, catalogue: Catalogue,
                                                 text: str, slots: dict[str, str],
                                                 lines: str) -> None:
    cluster = FakeCluster(deployments={("prod", "calc-app"): 2})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    service.parser = Reads({text: ("pod_logs", slots)})
    out = say(service, "bob", text)
    assert not any("not a duration" in line for line in out), out
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.raw_slots.get("lines") == lines and "since" not in run.raw_slots


def test_a_duration_stays_a_duration(tmp_path: Path, catalogue: Catalogue) -> None:
    cluster = FakeCluster(deployments={("prod", "calc-app"): 2})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    text = "logs of calc-app in prod since 2 hours, last 40 lines"
    service.parser = Reads({text: ("pod_logs", {**CALC, "since": "2 hours", "lines": "40"})})
    say(service, "bob", text)
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert (run.raw_slots.get("since"), run.raw_slots.get("lines")) == ("2 hours", "40")
