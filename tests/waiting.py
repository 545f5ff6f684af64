"""Waiting on signals, not sleeps, for the "nothing else happened" checks of the Slack tests.

A test that asserts that a request changed nothing must first know that the bot is done
with it; sleeping "long enough" is both slow and a race. The signals here are exact:

* `wait_until_idle(bot)`, for a bot served in the test process: every lazy listener that
  the requests answered so far queued has returned. (Message edits go out later, spaced
  per message; `Bot.flush()` waits for those.)
* `exited_cleanly(*bots)`, for bot processes a test has stopped: each shut down on its own
  after SIGTERM. A bot process runs every listener it had queued to the end before it
  exits (the listener pool's workers are joined at interpreter exit), so nothing that was
  sent to it is still on its way.

To wait for something that must happen, poll for it with
`tests.slack.conftest.eventually` (or `MockSlack.wait_for`).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from tests.slack.conftest import eventually

if TYPE_CHECKING:
    from tests.slack.conftest import Bot
    from tests.slack.processes import BotProcess


def drain(pool: ThreadPoolExecutor, *, timeout: float = 15.0, what: str = "the pool") -> None:
    """Return once every task submitted to `pool` before this call has finished.

    One blocking marker per worker goes into the queue behind what is already there (the
    queue is first in, first out). When every thread of the pool holds a marker, none of
    them is still running an earlier task and no earlier task is left in the queue; the
    markers are then released.
    """
    release = threading.Event()
    lock = threading.Lock()
    holding: set[threading.Thread] = set()

    def hold() -> None:
        with lock:
            holding.add(threading.current_thread())
        release.wait(timeout)

    # ThreadPoolExecutor has no public view of its size or its threads (`_max_workers` and
    # `_threads` have been there since Python 3.2). Threads are only started by `submit`,
    # so once the markers are in, the set is complete: at most one thread per marker.
    markers = [pool.submit(hold) for _ in range(pool._max_workers)]
    threads = pool._threads

    def every_worker_holds_a_marker() -> bool:
        with lock:
            return bool(threads) and threads <= holding

    try:
        eventually(every_worker_holds_a_marker, timeout=timeout,
                   what=f"{what} to finish the work queued before")
    finally:
        release.set()
    for marker in markers:
        marker.result(timeout)


def wait_until_idle(bot: Bot, *, timeout: float = 15.0) -> None:
    """Wait until `bot` is done with every request it has answered so far: the lazy
    listeners (the real work, in Bolt's listener pool) those requests queued have returned.
    The message edits they queued may still wait for their turn; `bot.flush()` sends them.

    Call it once the requests were answered (a `Sender` call returns with the answer):
    Bolt queues a request's lazy listeners before it answers.
    """
    pool = bot.app.listener_runner.listener_executor
    assert isinstance(pool, ThreadPoolExecutor), type(pool)
    drain(pool, timeout=timeout, what="the bot's listeners")


def exited_cleanly(*bots: BotProcess) -> None:
    """Check that stopped bot processes shut down by themselves (exit status 0).

    Only then did each run the listeners it had queued to the end before it exited; one
    that had to be killed may have dropped some, and "nothing else happened" would prove
    nothing.
    """
    for bot in bots:
        status = bot.proc.poll()
        assert status == 0, (f"the bot process ended with status {status}, not a clean "
                             "shutdown:\n" + "\n".join(bot.lines[-20:]))
