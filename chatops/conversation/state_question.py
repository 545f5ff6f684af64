"""A question about the state a change sets, read as the change.

A user trial: "is nightly-report suspended in prod?" and "did the nightly-report job run
in prod" were read as a suspend and a resume; the guards turned both down (no request), and
the person got "outside what I can do". A question whose reading the guards turned down as
no request, about the object the change would change, asks for that object's state: the
read-only runbook the change's `state_read` names answers it, about the same object.
Nothing is changed, and a request in question form ("can you suspend it?") is no such
question: the guards take it as a request.
"""

from __future__ import annotations

import re

_QUESTION = re.compile(
    r"^\W*(?:(?:hey|hi|so|ok|okay|quick question|qq|btw|hmm|also|and)\W+)*"
    r"(?:is|isn'?t|are|aren'?t|was|wasn'?t|were|did|didn'?t|does|doesn'?t|do|has|hasn'?t|"
    r"have|haven'?t|had|when|what|which|how|why|who|whether|any idea (?:if|whether|why))\b",
    re.IGNORECASE)


def asks_about_state(text: str) -> bool:
    """Whether `text` is a question: it opens like one or ends with a question mark."""
    return _QUESTION.match(text) is not None or text.rstrip(" \t.!)*_~`").endswith("?")
