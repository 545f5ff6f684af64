"""The image a change asks for, when the message also shows another.

A user trial: "Image: ghcr.io/acme/indexer:0.14.2  State: Running -- bump it to 0.14.3 in
prod (search-indexer)" was read with the pasted image, 0.14.2, the one running: "nothing
to change". Had the paste shown an older image, the plan would have set that one. The
image the order names after "to" is the one asked for.
"""

from __future__ import annotations

import re

from chatops.conversation.asking import clauses
from chatops.conversation.kinds import clean_text
from chatops.errors import SlotError
from chatops.runbook.slots import parse_image

# "to 0.14.3", "to `nginx:1.25`", "to ghcr.io/acme/api:v2": the word after "to".
_TO = re.compile(r"\bto\s+[`'\"]?([A-Za-z0-9][\w./:@-]*?)[`'\"]?(?=[\s,;!?)]|\.(?:\s|$)|$)",
                 re.IGNORECASE)


# The words of an image's order: "bump it to", "set X to", "upgrade to", "pin to".
_ORDERS_AN_IMAGE = re.compile(r"\b(?:bump|set|upgrade|update|pin|move|change|roll|deploy|"
                              r"switch|go|put|use|image|tag|version)\b", re.IGNORECASE)


def image_after_to(text: str, tagged: str) -> str | None:
    """The one image reference or versioned tag written after "to" in a clause of `text`
    that orders an image, when the model's value `tagged` stands in another clause that
    orders none (pasted context: "Image: ...:0.14.2 State: Running -- bump it to 0.14.3");
    None otherwise. A number alone is no image here ("pinned to 3": an attacker review
    planned nginx:3), nor is a "to" in the clause of the model's own value."""
    cleaned = clean_text(text)
    where = clauses(cleaned)
    at = text.find(tagged)
    own = next(((a, b) for a, b in where if a <= at < b), None)
    if at < 0 or own is None or _ORDERS_AN_IMAGE.search(cleaned[own[0]:own[1]].replace(
            tagged, " ")) is not None:
        return None
    targets = []
    for match in _TO.finditer(text):
        clause = next(((a, b) for a, b in where if a <= match.start() < b), None)
        if (clause is None or clause == own
                or _ORDERS_AN_IMAGE.search(cleaned[clause[0]:clause[1]]) is None
                or match.group(1).isdigit()):
            continue
        try:
            targets.append(parse_image("image", match.group(1)))
        except SlotError:
            continue
    if len(set(targets)) != 1 or tagged in targets:
        return None
    return targets[0]
