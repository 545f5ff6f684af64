"""Build, start, stop and inspect the sandbox cluster (`ktc up`) as a detached process group.

The Go side writes `<state>/ready.json` atomically once the cluster is usable:
``{"ready": true, "kubeconfig": ..., "server": ..., "pid": ...}``. That file is the whole
contract; everything here is process management around it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from chatops.processes import pid_alive
from chatops.errors import ChatOpsError

log = logging.getLogger(__name__)

# The Go module lives next to the Python package in the repository (editable install).
DEFAULT_SRC_DIR = Path(__file__).resolve().parents[2] / "sandbox"

READY_FILE = "ready.json"
PID_FILE = "ktc.pid"
LOG_FILE = "ktc-up.log"
BINARY_FILE = "ktc.path"


class SandboxError(ChatOpsError):
    """The sandbox could not be built, started or stopped; the message says what to look at."""


@dataclass(frozen=True)
class SandboxStatus:
    """Where a sandbox cluster stands. `kubeconfig` is the admin (system:masters) kubeconfig."""

    ready: bool
    state_dir: Path
    kubeconfig: Path | None = None
    server: str | None = None
    pid: int | None = None
    version: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The machine-readable form printed by `chatops sandbox status --json`."""
        if not self.ready:
            return {"ready": False, "state_dir": str(self.state_dir)}
        return {
            "ready": True,
            "kubeconfig": str(self.kubeconfig),
            "server": self.server,
            "pid": self.pid,
            "version": self.version,
            "state_dir": str(self.state_dir),
        }


def build_binary(
    src_dir: Path = DEFAULT_SRC_DIR,
    *,
    progress: Callable[[str], None] | None = None,
    env: dict[str, str] | None = None,
) -> Path:
    """Build (or reuse the cached) `ktc` binary with `sandbox/build.sh` and return its path.

    Progress lines from the build script are passed to `progress` as they arrive (a cold build
    takes 10-20 minutes on 2 cores, so silence would look like a hang).
    """
    script = src_dir / "build.sh"
    if not script.is_file():
        raise SandboxError(f"no build script at {script}; is the sandbox source dir right?")
    proc = subprocess.Popen(
        ["bash", str(script)],
        cwd=src_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    last = ""
    tail: list[str] = []
    for raw in proc.stdout:
        line = raw.rstrip("\n")
        if not line:
            continue
        last = line
        tail = [*tail[-40:], line]
        if progress is not None:
            progress(line)
    rc = proc.wait()
    if rc != 0:
        raise SandboxError(f"sandbox build failed (exit {rc}):\n" + "\n".join(tail))
    binary = Path(last)
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise SandboxError(f"build script did not print a usable binary path (last line: {last!r})")
    return binary


def status(state_dir: Path) -> SandboxStatus:
    """Report whether a sandbox is running for `state_dir`, without touching it."""
    info = _read_ready(state_dir)
    if info is None or not pid_alive(int(info.get("pid", 0))):
        return SandboxStatus(ready=False, state_dir=state_dir)
    return SandboxStatus(
        ready=bool(info.get("ready")),
        state_dir=state_dir,
        kubeconfig=Path(str(info["kubeconfig"])),
        server=str(info["server"]),
        pid=int(info["pid"]),
        version=str(info.get("version") or "") or None,
    )


def up(
    state_dir: Path,
    binary: Path,
    *,
    nodes: int = 3,
    timeout: float = 300.0,
    extra_args: Sequence[str] = (),
) -> SandboxStatus:
    """Start `ktc up` detached in its own session and wait until the cluster is Ready.

    Returns at once when a sandbox for `state_dir` is already running. The process keeps
    running after this returns; stop it with `down`. On failure the process is stopped and the
    tail of its log is in the error.
    """
    current = status(state_dir)
    if current.ready:
        return current
    state_dir.mkdir(parents=True, exist_ok=True)
    # A stale ready file from a crashed run must not be mistaken for the new cluster.
    with contextlib.suppress(FileNotFoundError):
        (state_dir / READY_FILE).unlink()
    log_path = state_dir / LOG_FILE
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [str(binary), "up", "--state", str(state_dir), "--nodes", str(nodes), *extra_args],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # Own session: a Ctrl-C in the caller's terminal must not kill the cluster, and `down`
            # can signal the whole group.
            start_new_session=True,
        )
    (state_dir / PID_FILE).write_text(f"{proc.pid}\n")
    try:
        return _wait_ready(state_dir, proc, timeout, log_path)
    except BaseException:
        _stop(proc.pid, grace=10.0)
        raise


def down(state_dir: Path, *, grace: float = 20.0) -> bool:
    """Stop the sandbox for `state_dir`: SIGTERM, then SIGKILL after `grace` seconds.

    Returns True when a running sandbox was stopped, False when none was running.
    """
    pid = _pid_of(state_dir)
    stopped = False
    if pid is not None and pid_alive(pid):
        _stop(pid, grace=grace)
        stopped = True
    for name in (READY_FILE, PID_FILE):
        with contextlib.suppress(FileNotFoundError):
            (state_dir / name).unlink()
    return stopped


def mint_kubeconfig(
    state_dir: Path, binary: Path, user: str, groups: Sequence[str], out: Path
) -> Path:
    """Write a client-certificate kubeconfig for `user` in `groups`, signed by the sandbox CA."""
    args = [str(binary), "kubeconfig", "--state", str(state_dir), "--user", user, "--out", str(out)]
    for g in groups:
        args += ["--group", g]
    res = subprocess.run(args, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SandboxError(f"ktc kubeconfig failed: {res.stderr.strip()}")
    return out


def log_tail(state_dir: Path, lines: int = 40) -> str:
    """The last lines of the supervisor's log, for error messages."""
    path = state_dir / LOG_FILE
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _wait_ready(
    state_dir: Path, proc: subprocess.Popen[bytes], timeout: float, log_path: Path
) -> SandboxStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rc = proc.poll()
        if rc is not None:
            raise SandboxError(
                f"ktc up exited with code {rc} before the cluster was ready; "
                f"log {log_path}:\n{log_tail(state_dir)}"
            )
        st = status(state_dir)
        if st.ready and st.pid == proc.pid:
            return st
        time.sleep(0.2)
    raise SandboxError(
        f"sandbox not ready after {timeout:.0f}s; log {log_path}:\n{log_tail(state_dir)}"
    )


def _read_ready(state_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((state_dir / READY_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _pid_of(state_dir: Path) -> int | None:
    info = _read_ready(state_dir)
    if info is not None and "pid" in info:
        return int(info["pid"])
    try:
        return int((state_dir / PID_FILE).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _stop(pid: int, *, grace: float) -> None:
    # The supervisor leads its own process group (start_new_session); the upstream components
    # sit in groups of their own so the supervisor can stop them in order, and they die with it
    # through Pdeathsig if it has to be killed.
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.1)
    log.warning("sandbox supervisor %d ignored SIGTERM for %.0fs; killing it", pid, grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def print_progress(line: str, stream: IO[str] = sys.stderr) -> None:
    """Default progress sink for `build_binary`: echo build lines to stderr."""
    print(line, file=stream, flush=True)
