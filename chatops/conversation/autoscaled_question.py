"""A question of whether a deployment is autoscaled ("is checkout-api autoscaled in prod?",
"does web have an hpa?"): answered with `rightsize`, which names the autoscaler that
targets the deployment, or says none does.

Left from session 40's trials: the model reads such questions out of scope (0.99) or is
unsure of them, and the person got "I'm not sure" or "outside what I can do".
"""

from __future__ import annotations

import re

RIGHTSIZE = "rightsize"
"""The read that answers: the deployment's resources and its autoscaler."""

_HPA = r"(?:an?\s+|any\s+|the\s+)?(?:hpa|autoscal(?:er|ing)|horizontal\s+pod\s+autoscaler)s?"
_ASKS = re.compile(
    # is it autoscaled, are they autoscaling
    r"^\W*(?:(?:so|hey|qq|quick\s+question|btw)\W+)*(?:is|are|was)\b[^?.!]{0,60}?"
    r"\bauto-?scal(?:ed|ing)\b"
    # does it have an hpa, has web got an autoscaler
    rf"|^\W*(?:(?:so|hey|qq|quick\s+question|btw)\W+)*(?:does|do|has|have)\b[^?.!]{{0,60}}?"
    rf"\b(?:have|has|got|use|uses|run\s+with)\s+{_HPA}\b"
    # is there an hpa on it, any autoscaler for it
    rf"|^\W*(?:(?:so|hey|qq|quick\s+question|btw)\W+)*(?:is\s+there|are\s+there|any)\s+{_HPA}"
    r"\s+(?:on|for|targeting|attached\s+to|behind)\b",
    re.IGNORECASE)


def asks_if_autoscaled(text: str) -> bool:
    """Whether `text` asks whether something is autoscaled or has an autoscaler."""
    return _ASKS.search(text) is not None
