"""Emoji that answer yes or no, read as the words they stand for.

The encoder has no emoji in its vocabulary: every one becomes the same unknown token, so
"👍" and "👎" look alike to the model, and the shipped one read a bare "👍" as `deny`.
People do answer a plan with a thumb in an incident, so the few emoji that plainly say yes
or no are given to the model as "yes" and "no"; the slot values, as everywhere, keep the
text as typed.
"""

from __future__ import annotations

_YES = frozenset("\N{THUMBS UP SIGN}\N{WHITE HEAVY CHECK MARK}\N{HEAVY CHECK MARK}"
                 "\N{BALLOT BOX WITH CHECK}\N{OK HAND SIGN}\N{SQUARED OK}\N{ROCKET}")
_NO = frozenset("\N{THUMBS DOWN SIGN}\N{CROSS MARK}\N{HEAVY MULTIPLICATION X}"
                "\N{NO ENTRY SIGN}\N{NO ENTRY}\N{OCTAGONAL SIGN}")
# Presentation selectors and skin tones change how an emoji looks, not what it says.
_LOOKS = frozenset("\N{VARIATION SELECTOR-16}\N{VARIATION SELECTOR-15}"
                   + "".join(chr(c) for c in range(0x1F3FB, 0x1F400)))


def as_word(word: str) -> str:
    """`word`, or "yes" / "no" when it is made only of emoji that say so."""
    marks = {ch for ch in word if ch not in _LOOKS}
    if marks and marks <= _YES:
        return "yes"
    if marks and marks <= _NO:
        return "no"
    return word
