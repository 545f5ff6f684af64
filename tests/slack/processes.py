"""Bot processes for the multi-process tests: `chatops serve` (or its fake-cluster twin)
as subprocesses on random ports, sharing one state and audit database."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

from prometheus_client.parser import text_string_to_metric_families

from tests.slack.conftest import SECRET, TOKEN
from tests.slack.mock_slack import MockSlack

_URL = re.compile(r"listening on (http://\S+)")
SOCKET_MODE_URL = re.compile(r"probes and /alertmanager on (http://\S+);")


class BotProcess:
    """One bot subprocess; `url` is its /slack/events endpoint."""

    def __init__(self, argv: Sequence[str], env: dict[str, str],
                 ready: re.Pattern[str] = _URL) -> None:
        self.pattern = ready
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip())
            match = self.pattern.search(line)
            if match:
                self.url = match.group(1)
                self._ready.set()

    def wait_ready(self, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("bot process did not start:\n" + "\n".join(self.lines))
        return self.url

    def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Its `/metrics`, scraped now: (sample name, sorted labels) -> value."""
        base = self.url.split("/slack/events", 1)[0]
        with urlopen(f"{base}/metrics", timeout=10) as response:
            text = response.read().decode()
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(text) for s in family.samples}

    def kill(self) -> None:
        """SIGKILL it and reap it at once: a zombie would still look alive to the other
        replicas' check of whether a run's owner process exists."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def bot_env(tmp_path: Path, slack: MockSlack, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "CHATOPS_"))}
    env.update({
        "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
        "CHATOPS_SLACK_API_URL": slack.url, "CHATOPS_STATE_DB": str(tmp_path / "state.db"),
        "CHATOPS_AUDIT_DB": str(tmp_path / "audit.db"), "CHATOPS_DATA_DIR": str(tmp_path),
        **extra,
    })
    return env


@contextmanager
def bot_processes(argv: Sequence[str], env: dict[str, str], count: int = 2
                  ) -> Iterator[list[BotProcess]]:
    """Start `count` bots with `argv` and the same environment; stop them afterwards."""
    bots = [BotProcess(argv, env) for _ in range(count)]
    try:
        for bot in bots:
            bot.wait_ready()
        yield bots
    finally:
        for bot in bots:
            bot.stop()


FAKE_SERVE = [sys.executable, "-m", "tests.slack.fake_serve"]


def serve_argv(policy: Path, kubeconfig: Path, *extra: str) -> list[str]:
    """`chatops serve` itself (the CLI entry point) over HTTP on a free loopback port, on a
    real cluster, without the NLU model (`run NAME key=value` is understood)."""
    return [sys.executable, "-m", "chatops", "serve", "--host", "127.0.0.1", "--port", "0",
            "--no-model", "--policy", str(policy), "--kubeconfig", str(kubeconfig), *extra]
