"""Words that decide: the evidence a meta intent the model guessed must have in the text.

`confirm`, `deny`, `cancel` and `undo` approve, refuse, drop or reverse somebody's change.
The model was trained on short replies ("yes", "k", "no", "nah"), so it also reads short
text with nothing in it ("hmm", "...", "asdfghjkl", an emoji) as one of them, confidently:
"hmm" was `confirm` at 0.99. A guess of one of these intents is therefore taken only when
the text holds a word (or emoji) that says it; the model still picks which, and the lists
are wide on purpose: a reply they miss gets "I did not understand" and the buttons still
work, while a junk reply they let through would decide somebody's request.
"""

from __future__ import annotations

import re

# A word whole, with its hyphens and digits: "go-live" and "k8s" hold no "go" and no "k".
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[+-]1\b")
_SHORTCODE = re.compile(r":([a-z0-9_+-]+):")

_NO = frozenset({
    "no", "n", "nope", "nah", "nay", "nein", "not", "don't", "dont", "never", "negative",
    "nix", "nogo", "-1",
})
_STOP = frozenset({"stop", "halt", "abort", "cancel", "cancelled", "canceled", "wait", "hold"})

_WORDS: dict[str, frozenset[str]] = {
    "confirm": frozenset({
        "yes", "y", "ya", "yah", "yea", "yeah", "yep", "yup", "yess", "yass", "aye", "sure",
        "ok", "okay", "okey", "k", "kk", "ack", "roger", "go", "proceed", "approve",
        "approved", "approving", "confirm", "confirmed", "confirming", "lgtm", "sgtm",
        "ship", "run", "execute", "apply", "do", "send", "correct", "right", "exactly",
        "absolutely", "definitely", "affirmative", "agreed", "agree", "fine", "good", "great",
        "perfect", "alright", "allright", "granted", "accept", "accepted", "+1", "make",
        "hit", "bet", "affirm",
    }),
    "deny": _NO | _STOP | frozenset({
        "deny", "denied", "denying", "reject", "rejected", "rejecting", "decline", "declined",
        "veto", "refuse", "refused", "wrong", "incorrect", "leave", "belay", "hang",
    }),
    "cancel": _NO | _STOP | frozenset({
        "cancelling", "forget", "nevermind", "nvm", "scratch", "scrap", "drop",
        "discard", "ignore", "withdraw", "retract", "kill", "off", "quit", "skip", "bother",
        "belay", "hang",
    }),
    "undo": frozenset({
        "undo", "undid", "revert", "reverted", "reverse", "reversed", "back", "rollback",
        "restore", "restored", "unwind", "unapply", "previous", "before", "original", "ctrl",
    }),
}

_EMOJI: dict[str, tuple[str, ...]] = {
    "confirm": ("\N{THUMBS UP SIGN}", "\N{WHITE HEAVY CHECK MARK}", "\N{HEAVY CHECK MARK}",
                "\N{BALLOT BOX WITH CHECK}", "\N{OK HAND SIGN}", "\N{SQUARED OK}",
                "\N{ROCKET}"),
    "deny": ("\N{THUMBS DOWN SIGN}", "\N{CROSS MARK}", "\N{HEAVY MULTIPLICATION X}",
             "\N{NO ENTRY SIGN}", "\N{NO ENTRY}", "\N{OCTAGONAL SIGN}",
             "\N{RAISED HAND}", "\N{FACE WITH NO GOOD GESTURE}"),
    "cancel": ("\N{CROSS MARK}", "\N{NO ENTRY SIGN}", "\N{OCTAGONAL SIGN}",
               "\N{RAISED HAND}", "\N{WASTEBASKET}"),
    "undo": ("\N{LEFTWARDS ARROW WITH HOOK}",
             "\N{BLACK LEFT-POINTING DOUBLE TRIANGLE}", "\N{BACK WITH LEFTWARDS ARROW ABOVE}"),
}

_SHORTCODES: dict[str, frozenset[str]] = {
    "confirm": frozenset({"+1", "thumbsup", "white_check_mark", "heavy_check_mark",
                          "ballot_box_with_check", "ok_hand", "ok", "rocket", "shipit"}),
    "deny": frozenset({"-1", "thumbsdown", "x", "no_entry", "no_entry_sign",
                       "octagonal_sign", "raised_hand", "hand", "no_good"}),
    "cancel": frozenset({"x", "no_entry_sign", "octagonal_sign", "raised_hand", "hand",
                         "wastebasket"}),
    "undo": frozenset({"leftwards_arrow_with_hook", "rewind", "back"}),
}

# Phrases whose words would say yes, no, stop or undo but which say nothing of the kind:
# "go figure", "not sure", "no idea", "brb", "back to you", "kill me now".
_IDIOMS = re.compile(
    r"\bgo figure\b|\bnot (?:sure|certain)\b|\bno (?:idea|clue|worries|problem|rush)\b|"
    r"\b(?:i )?don[\u2019']?t know\b|\bdunno\b|\b(?:be )?right back\b|\bbrb\b|"
    r"\bback to you\b|\bget back to\b|\bkill me\b|\bnever (?:seen|heard|mind me)\b|"
    r"\bskip to\b|\bcorrect me(?: if i[' ]?a?m wrong)?\b|"
    r"\bgood (?:morning|night|question|luck|point)\b|\b(?:looks?|seems?|feels?|is) off\b|"
    r"\bright\?|\bokay\?|\bno way\b(?=.*\?)|\bwait,? what\b|\bhold my\b|"
    # Someone else's decision, a wrong thread, a header: "waiting for bob to say yes", "the
    # IC should confirm this, not me", "oops wrong thread, ignore me", "accept header".
    r"\bwaiting (?:for|on)\b.*|\b(?:should|will|has to|needs to|must) (?:confirm|approve|"
    r"decide|say yes|sign off)\b.*|\bnot me\b|\bnot a problem\b|\bignore (?:me|this)\b|"
    r"\bwrong (?:thread|channel|chat)\b|\baccept[- ](?:header|encoding|language)\b",
    re.IGNORECASE)
# What is quoted is not said: "it says 'reply yes to approve'".
_QUOTED = re.compile(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|\u201c[^\u201d]*\u201d|"
                     r"\u2018[^\u2019]*\u2019|`[^`]*`")
# One sentence that asks: no other sentence before its question mark.
_A_QUESTION = re.compile(r"[^.!?\n]*\?+")
# A question that asks the bot to do it: "can you undo what you just did?".
_ASKED_OF_THE_BOT = re.compile(r"^\W*(?:<@\w+>\s*)?(?:(?:can|could|would|will) (?:you|u)|please|"
                               r"pls)\b", re.IGNORECASE)
# A yes that asks to wait is no yes: "sure, one sec", "ok not yet", "k, just a moment". And
# "go" is a yes only as an order ("go", "go ahead", "go for it"), not in a cheer or another
# phrase ("go team", "go home").
_WAIT = re.compile(
    r"\b(?:one|a|1|just a|half a) (?:sec|secs|second|moment|min|minute|mo|tick)\b|"
    r"\b(?:hang|hold) on\b|\bgive me (?:a|one|some|\d+)\b|\bin a (?:sec|bit|minute|moment|"
    r"while|few)\b|\bnot (?:yet|now|just yet)\b|\b(?:later|after|once|when|until)\b")
_GO_ELSEWHERE = re.compile(r"\bgo (?!ahead\b|for it\b|on\b|now\b|please\b|pls\b|go\b)"
                           r"[a-z]+")
# Words about deciding are nobody's decision, and a yes or an undo handed to someone else
# runs nothing (session 50's review: an approver's "reply yes to approve", "react with :+1:
# to approve", "to approve, type ok" and "someone approve this pls" each approved the plan
# waiting in the thread). A no or a cancel that names someone else still stops
# ("never mind, someone else did it"): stopping runs nothing.
_DECIDE = (r"(?:approve|confirm|accept|deny|reject|decline|cancel|undo|run|proceed|go "
           r"ahead|execute|apply|ship|decide|sign off|ok|okay|\+1)")
_EXPLAINS = re.compile(
    r"\b(?:reply|respond|answer|react|say|type|write|post|send|hit|press|click|tap|use|put"
    r"|drop|comment|add|give)\b[^.!?\n]*?\bto " + _DECIDE + r"(?![\w-])|"
    r"^\W*to " + _DECIDE + r"\b")
_SOMEONE_ELSE = re.compile(r"\b(?:some|any)(?:one|body)\b|\bwhoever\b|"
                           r"\bone of (?:you|y'?all|us)\b")
_RUNS = frozenset({"confirm", "undo"})
"""The decisions that run something."""
# "Mind" alone decides nothing ("keep that in mind"); a mind changed cancels.
_CHANGED_MIND = re.compile(r"\bchanged? (?:my|our) minds?\b|\bchange of plans?\b")
# Words that decide only in a short reply ("wrong, don't"), not in a remark about something
# else ("the accept header is wrong on those requests").
_SHORT_ONLY = frozenset({"wrong", "incorrect"})

YES_OR_NO = frozenset({
    "yes", "y", "ya", "yah", "yea", "yeah", "yep", "yup", "sure", "ok", "okay", "k", "kk",
    "correct", "right", "exactly", "confirm", "approve", "no", "n", "nope", "nah", "deny",
    "wrong", "incorrect",
})
"""Replies that say yes or no and nothing else: never the value a question asked for (a
namespace is not called "yeah"), but the answer to the question itself."""

DECIDING = frozenset(_WORDS)
"""The meta intents that change what happens to somebody's request."""


def says(intent: str, text: str) -> bool:
    """Whether `text` holds a word or emoji that says `intent` (always, for other intents)."""
    if intent not in DECIDING:
        return True
    # A question of four words or more asks, it does not decide ("can we undo it later if
    # it goes bad?"); "yes?", "ok, go?" or "can you undo what you just did?" still may.
    if _A_QUESTION.fullmatch(text.strip()) and len(text.split()) >= 4 \
            and not _ASKED_OF_THE_BOT.search(text):
        return False
    text = _QUOTED.sub(" ", text)
    lowered = text.lower().replace("\N{RIGHT SINGLE QUOTATION MARK}", "'")
    if _EXPLAINS.search(lowered) or (intent in _RUNS and _SOMEONE_ELSE.search(lowered)):
        return False  # "reply yes to approve", "someone approve this pls"
    lowered = _IDIOMS.sub(" ", lowered)
    if intent == "confirm":
        if _WAIT.search(lowered):
            return False
        lowered = _GO_ELSEWHERE.sub(" ", lowered)
    codes = set(_SHORTCODE.findall(lowered))
    if codes & _SHORTCODES[intent]:
        return True
    if any(mark in text for mark in _EMOJI[intent]):
        return True
    if intent == "cancel" and _CHANGED_MIND.search(lowered):
        return True
    words = set(_WORD.findall(_SHORTCODE.sub(" ", lowered)))
    if len(text.split()) > 4:
        words -= _SHORT_ONLY
    return not _WORDS[intent].isdisjoint(words)


_QUESTION_MARK = re.compile(r"[?\uff1f\u203d\u2048\u2049]")
_OPENS_A_QUESTION = re.compile(
    r"^\W*(?:(?:so|ok|okay|hey|um+|hmm+)\W+)?(?:(?:can|could|should|shall|may|might|would|will)"
    r"\s+(?:i|we|you|u|they|everyone|everybody)|(?:is|are|am)\s+(?:i|we|it|this|that|you|u|"
    r"they|everyone|everybody)|(?:do|does|did)\s+(?:i|we|you|u|they|everyone|everybody))\b",
    re.IGNORECASE)


def asks_back(text: str) -> bool:
    """Whether `text` is put as a question ("that ok?", "yes?", "good to go? thx", "ok？",
    "should I approve"): under a waiting plan it asks, and approves nothing (session 49:
    each approved and ran it). An approval is said ("ok", "approve") or clicked; a question
    the person answers themselves after it still decides ("good to go? yes, approved")."""
    text = text.strip()
    marks = list(_QUESTION_MARK.finditer(text))
    if marks:
        after = text[marks[-1].end():]
        return not (after.strip() and says("confirm", after))
    return _OPENS_A_QUESTION.search(text) is not None
