"""How torch's OpenMP threads wait, chosen before torch loads (OpenMP reads it then)."""

from __future__ import annotations

import os


def sleep_while_waiting() -> None:
    """Make OpenMP threads sleep rather than spin while they wait, unless the user chose.

    Measured on a 2-core box (bench/train_steps.py): spinning threads ran 2.3x slower than
    one thread with another busy process on the other core, sleeping ones 1.1x slower; when
    the box is quiet, sleeping ones are 1.06-1.25x faster than one thread. Has no effect
    once torch is loaded, so call it before the first torch import.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
