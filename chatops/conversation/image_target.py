"""The image a change asks for, when the message also shows another.

A user trial: "Image: ghcr.io/acme/indexer:0.14.2  State: Running -- bump it to 0.14.3 in
prod (search-indexer)" was read with the pasted image, 0.14.2, the one running: "nothing
to change". Had the paste shown an older image, the plan would have set that one. The
image the order names after "to" is the one asked for.
"""

from __future__ import annotations

import re

from chatops.errors import SlotError
from chatops.runbook.slots import parse_image

# "to 0.14.3", "to `nginx:1.25`", "to ghcr.io/acme/api:v2": the word after "to".
_TO = re.compile(r"\bto\s+[`'\"]?([A-Za-z0-9][\w./:@-]*?)[`'\"]?(?=[\s,;!?)]|\.(?:\s|$)|$)",
                 re.IGNORECASE)


def image_after_to(text: str, tagged: str) -> str | None:
    """The one image reference or bare tag written after "to" in `text`, when it differs
    from `tagged` (the model's value) and the model's value is not after a "to" itself;
    None otherwise (none, several, or the model's own)."""
    targets = []
    for match in _TO.finditer(text):
        try:
            targets.append(parse_image("image", match.group(1)))
        except SlotError:
            continue
    if len(set(targets)) != 1 or tagged in targets:
        return None
    return targets[0]
