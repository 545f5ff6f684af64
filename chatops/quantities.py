"""Kubernetes resource quantities: CPU in millicores, memory in bytes.

Two readers with different strictness:

* `parse_quantity` reads what the cluster (or a metrics API) writes: the whole Kubernetes
  quantity grammar, `250m`, `0.5`, `2`, `1234567n`, `128Mi`, `1G`, `129e6`.
* `parse_cpu` and `parse_memory` read what a person asks for: a narrow set of forms
  (`250m`, `0.5`, `2`; `256Mi`, `1Gi`, `512M`) and refuse the rest with a reason, in
  particular a lower-case `m` on memory (`256m` is 0.256 bytes to Kubernetes, never what was
  meant) and the `MB`/`GB` spellings Kubernetes does not accept.

The formatters write the shortest exact form (`250m`, `2`, `256Mi`, `1536Mi`), and the
`nice_*` helpers round a suggestion up to a value a person would pick.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9),
            "T": Decimal(10**12), "P": Decimal(10**15), "E": Decimal(10**18)}
_QUANTITY = re.compile(r"^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)"
                       r"(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$")

MAX_TEXT = 32
MI = 2**20
GI = 2**30


class QuantityError(ValueError):
    """A quantity that cannot be used; `hint` says what would be accepted."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_quantity(text: str) -> Decimal:
    """The value of a Kubernetes quantity in base units (cores, bytes); raises
    `QuantityError` for anything outside the grammar."""
    value = text.strip()
    match = _QUANTITY.match(value) if len(value) <= MAX_TEXT else None
    if not match:
        raise QuantityError(f"{value[:MAX_TEXT]!r} is not a Kubernetes quantity.")
    number, suffix = Decimal(match.group(1)), match.group(2) or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix[:1] in ("e", "E"):
        try:
            return number.scaleb(int(suffix[1:]))
        except (InvalidOperation, ValueError, OverflowError) as e:
            raise QuantityError(f"{value!r} is out of range.") from e
    return number * _DECIMAL[suffix]


def millicores(text: str) -> int:
    """A CPU quantity from the cluster in millicores, rounded up (`1234567n` -> 2)."""
    return math.ceil(parse_quantity(text) * 1000)


def memory_bytes(text: str) -> int:
    """A memory quantity from the cluster in bytes, rounded up."""
    return math.ceil(parse_quantity(text))


_CPU_INPUT = re.compile(r"^(?:([0-9]{1,7})m|([0-9]{1,4})(?:\.([0-9]{1,3}))?)$")
_MEMORY_INPUT = re.compile(r"^([0-9]{1,7})(?:\.([0-9]{1,3}))?\s?([KMGT]i?|[kmgt]i|[kmgt])?$")
_SUFFIX_BYTES = {"K": 10**3, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
                 "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def parse_cpu(text: str) -> int:
    """A CPU amount a person asked for, in millicores: `250m`, `0.5`, `2`, `1.25` (at most
    three decimals, so the result is whole millicores)."""
    value = re.sub(r"\s+", "", text.lower()).removesuffix("cores").removesuffix("core")
    match = _CPU_INPUT.match(value)
    if not match:
        raise QuantityError(f"{text.strip()[:MAX_TEXT]!r} is not a CPU amount.",
                            "Use millicores (250m) or cores (0.5, 2).")
    if match.group(1) is not None:
        return int(match.group(1))
    whole, fraction = int(match.group(2)), (match.group(3) or "").ljust(3, "0")
    return whole * 1000 + int(fraction)


def parse_memory(text: str) -> int:
    """A memory amount a person asked for, in bytes: `256Mi`, `1Gi`, `1.5Gi`, `512M`."""
    value = text.strip()
    hint = "Use Mi or Gi (256Mi, 1Gi), or M and G for powers of ten (500M)."
    if re.fullmatch(r"[0-9.]+\s?m", value):
        raise QuantityError(f"{value!r} would mean {value[:-1].strip()} thousandths of a byte "
                            "to Kubernetes.", f"For mebibytes write {value[:-1].strip()}Mi.")
    if re.fullmatch(r"[0-9.]+\s?[kKmMgGtT]i?[bB]", value):
        raise QuantityError(f"{value!r} is not a Kubernetes memory quantity.", hint)
    match = _MEMORY_INPUT.match(value)
    if not match:
        raise QuantityError(f"{value[:MAX_TEXT]!r} is not a memory amount.", hint)
    whole, fraction, suffix = match.group(1), match.group(2) or "", match.group(3) or ""
    if len(suffix) == 2:
        suffix = suffix[0].upper() + "i"
    elif suffix in ("m", "g", "t"):
        suffix = suffix.upper()
    unit = _SUFFIX_BYTES.get(suffix, 1)
    amount = Decimal(f"{whole}.{fraction or 0}") * unit
    if amount != amount.to_integral_value():
        raise QuantityError(f"{value!r} is not a whole number of bytes.", hint)
    return int(amount)


def format_cpu(milli: int) -> str:
    """`250m`, or whole cores as `2`."""
    return str(milli // 1000) if milli % 1000 == 0 and milli else f"{milli}m"


def format_memory(size: int) -> str:
    """The shortest exact form (`1Gi`, `1536Mi`, `512M`, bytes); binary on a tie."""
    forms = [str(size)]
    for suffix in ("Ti", "Gi", "Mi", "Ki"):
        if size and size % _BINARY[suffix] == 0:
            forms.append(f"{size // _BINARY[suffix]}{suffix}")
            break
    for suffix in ("T", "G", "M", "k"):
        unit = int(_DECIMAL[suffix])
        if size and size % unit == 0:
            forms.append(f"{size // unit}{suffix}")
            break
    return min(forms, key=lambda f: (len(f), not f.endswith("i")))


def describe_cpu(milli: int) -> str:
    """`250m`, `2 cores`: a CPU amount in a sentence."""
    text = format_cpu(milli)
    return text if text.endswith("m") else f"{text} core" + ("s" if text != "1" else "")


def describe_memory(size: int) -> str:
    """`256Mi`, `12 bytes`: a memory amount in a sentence."""
    text = format_memory(size)
    return f"{text} bytes" if text.isdigit() else text


def show_memory(size: float) -> str:
    """An observed amount for people, not exact: `121Mi`, `1.5Gi`, `900Ki`."""
    if size >= GI:
        return f"{size / GI:.1f}".rstrip("0").rstrip(".") + "Gi"
    if size >= MI:
        return f"{round(size / MI)}Mi"
    return f"{max(1, round(size / 1024))}Ki"


def show_cpu(cores: float) -> str:
    """An observed CPU amount for people: `80m`, `1.2` (cores)."""
    milli = cores * 1000
    if milli >= 1000:
        return f"{cores:.2f}".rstrip("0").rstrip(".")
    return f"{max(1, round(milli))}m" if milli > 0 else "0m"


def nice_cpu(milli: float) -> int:
    """Round a suggested CPU amount up to a value a person would pick: steps of 10m below
    100m, 50m below 1 core, 250m above (at least 10m)."""
    for limit, step in ((100, 10), (1000, 50)):
        if milli <= limit:
            return max(10, math.ceil(milli / step) * step)
    return math.ceil(milli / 250) * 250


def nice_memory(size: float) -> int:
    """Round a suggested memory amount up: steps of 16Mi below 128Mi, 64Mi below 1Gi, 256Mi
    below 4Gi, 1Gi above (at least 16Mi)."""
    for limit, step in ((128 * MI, 16 * MI), (GI, 64 * MI), (4 * GI, 256 * MI)):
        if size <= limit:
            return max(16 * MI, math.ceil(size / step) * step)
    return math.ceil(size / GI) * GI
