"""Whether a process still exists, for the run store and the sandbox manager alike."""

from __future__ import annotations

import contextlib
import os


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists on this host (a zombie child of ours is reaped, not alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it just isn't ours
    # A zombie child of ours still answers kill(0); reap it if it is ours.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True
