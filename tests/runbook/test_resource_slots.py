"""The `cpu` and `memory` slot types and the quantity helpers behind them."""

from __future__ import annotations

import pytest

from chatops.errors import SlotError
from chatops.quantities import (
    format_memory,
    memory_bytes,
    millicores,
    nice_cpu,
    nice_memory,
    show_cpu,
    show_memory,
)
from chatops.runbook.slots import Bounds, parse_slot

CPU = Bounds(1, 256000)
MEMORY = Bounds(4, 1048576)


@pytest.mark.parametrize(("raw", "canonical"), [
    ("250m", "250m"), ("0.5", "500m"), ("2", "2"), ("1.25", "1250m"), ("500 m", "500m"),
    ("1 core", "1"), ("1000m", "1"), ("none", "none"), ("remove", "none")])
def test_cpu_amounts(raw: str, canonical: str) -> None:
    assert parse_slot("cpu_request", "cpu", raw, CPU) == canonical


@pytest.mark.parametrize(("raw", "canonical"), [
    ("256Mi", "256Mi"), ("1Gi", "1Gi"), ("1.5Gi", "1536Mi"), ("512M", "512M"),
    ("1gi", "1Gi"), ("8192Ki", "8Mi"), ("none", "none")])
def test_memory_amounts(raw: str, canonical: str) -> None:
    assert parse_slot("memory_limit", "memory", raw, MEMORY) == canonical


@pytest.mark.parametrize(("slot_type", "raw", "words"), [
    ("cpu", "1.5m", "not a CPU amount"), ("cpu", "-1", "not a CPU amount"),
    ("cpu", "1e3", "not a CPU amount"), ("cpu", "0", "is zero"),
    ("cpu", "2 cpus", "not a CPU amount"), ("cpu", "257", "above the maximum of 256 cores"),
    ("memory", "256m", "thousandths of a byte"), ("memory", "1GB", "not a Kubernetes memory"),
    ("memory", "1.0001Gi", "not a memory amount"), ("memory", "2Ti", "above the maximum"),
    ("memory", "64", "Did you mean 64Mi?"), ("memory", "<@U123>", "not a memory amount"),
])
def test_bad_amounts_are_refused_with_a_reason(slot_type: str, raw: str, words: str) -> None:
    bounds = CPU if slot_type == "cpu" else MEMORY
    with pytest.raises(SlotError) as info:
        parse_slot("x", slot_type, raw, bounds)
    assert words in str(info.value)


def test_cluster_quantities_and_rounding() -> None:
    assert millicores("1234567n") == 2 and millicores("0.1") == 100 and millicores("2") == 2000
    assert memory_bytes("129e6") == 129_000_000 and memory_bytes("1Gi") == 2**30
    assert format_memory(129_000_000) == "129M" and format_memory(3 * 2**29) == "1536Mi"
    assert [nice_cpu(v) for v in (3, 95, 100, 101, 999, 1001)] == [10, 100, 100, 150, 1000,
                                                                   1250]
    mi = 2**20
    assert [nice_memory(v * mi) // mi for v in (1, 121, 181.5, 260, 1100, 5000)] == [
        16, 128, 192, 320, 1280, 5120]
    assert (show_cpu(0.08), show_cpu(1.234), show_memory(121 * mi), show_memory(1.5 * 2**30)) \
        == ("80m", "1.23", "121Mi", "1.5Gi")
