"""A stand-in for the model that reads every message as one meta intent, confidently: the
model's worst reading of a short reply, on purpose."""

from __future__ import annotations

from chatops.model import ParsedIntent


class Sure:
    """Reads any text as `intent` at 0.99."""

    def __init__(self, intent: str) -> None:
        self.intent = intent

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, {}, 0.99, (("oos", 0.01),), "model")
