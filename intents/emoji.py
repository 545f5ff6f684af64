"""Emoji that answer yes or no, read as the words they stand for.

The encoder has no emoji in its vocabulary: every one becomes the same unknown token, so
"👍" and "👎" look alike to the model, and the shipped one read a bare "👍" as `deny`.
People do answer a plan with a thumb in an incident, so the few emoji that plainly say yes
or no are given to the model as "yes" and "no"; the slot values, as everywhere, keep the
text as typed.

Slack sends an emoji picked in its client as a shortcode in the message's text ("👍" arrives
as ":+1:", with a skin tone as ":+1::skin-tone-3:"), so the shortcodes of the same emoji
say the same (`shortcodes_say`); other shortcodes are Slack markup the NLU drops
(`intents/text.py`).
"""

from __future__ import annotations

import re

_YES = frozenset("\N{THUMBS UP SIGN}\N{WHITE HEAVY CHECK MARK}\N{HEAVY CHECK MARK}"
                 "\N{BALLOT BOX WITH CHECK}\N{OK HAND SIGN}\N{SQUARED OK}\N{ROCKET}")
_NO = frozenset("\N{THUMBS DOWN SIGN}\N{CROSS MARK}\N{HEAVY MULTIPLICATION X}"
                "\N{NO ENTRY SIGN}\N{NO ENTRY}\N{OCTAGONAL SIGN}")
_YES_CODES = frozenset({"+1", "thumbsup", "white_check_mark", "heavy_check_mark",
                        "ballot_box_with_check", "ok_hand", "ok", "rocket"})
_NO_CODES = frozenset({"-1", "thumbsdown", "x", "heavy_multiplication_x", "no_entry_sign",
                       "no_entry", "octagonal_sign"})
_SHORTCODE = re.compile(r":([a-z0-9_+\-]+):")
# Presentation selectors and skin tones change how an emoji looks, not what it says.
_LOOKS = frozenset("\N{VARIATION SELECTOR-16}\N{VARIATION SELECTOR-15}"
                   + "".join(chr(c) for c in range(0x1F3FB, 0x1F400)))


def shortcodes_say(run: str) -> str | None:
    """"yes" or "no" when `run` is made only of shortcodes of emoji that say so (a skin
    tone changes nothing: ":+1::skin-tone-2:"), else None."""
    if not run.startswith(":"):
        return None  # most words: no regular expression on the NLU's path
    codes = _SHORTCODE.findall(run)
    if "".join(f":{code}:" for code in codes) != run:
        return None
    said = {code for code in codes if not code.startswith("skin-tone-")}
    if said and said <= _YES_CODES:
        return "yes"
    if said and said <= _NO_CODES:
        return "no"
    return None


def as_word(word: str) -> str:
    """`word`, or "yes" / "no" when it is made only of emoji (or their shortcodes) that
    say so."""
    coded = shortcodes_say(word)
    if coded is not None:
        return coded
    marks = {ch for ch in word if ch not in _LOOKS}
    if marks and marks <= _YES:
        return "yes"
    if marks and marks <= _NO:
        return "no"
    return word
