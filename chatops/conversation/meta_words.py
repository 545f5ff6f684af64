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
import unicodedata
from collections.abc import Collection

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
    # "no objections, approve" was read as a deny: no "no" to the plan.
    r"\b(?:no|zero|without) (?:objections?|concerns?|issues?|complaints?|blockers?|"
    r"reservations?|qualms)\b|\bnothing against (?:it|this|that)\b|"
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
# A yes runs somebody's change, so in words it is taken only as the writer's own decision,
# now (`own_yes`): plainly said, every word of it (or of its last sentence, after context)
# a yes, politeness, thanks, who says it or what they checked. Session 50's two reviews:
# an approver's "reply yes to approve", "someone approve this pls", "the IC said go ahead",
# "I'd approve", "yes tomorrow", "ok noted", "> yes", ":+1: :thinking_face:", "ok i
# suppose" and "ok :/" each approved the plan waiting in the thread. Anything else is told
# so, and the buttons still work; a no or a cancel stays as wide as before (stopping runs
# nothing).
_PLAIN_YES_WORDS = frozenset({
    "yes", "y", "ya", "yah", "yea", "yeah", "yep", "yup", "yess", "yass", "aye", "sure", "ok",
    "okay", "okey", "k", "kk", "ack", "roger", "go", "proceed", "approve", "approved",
    "approving", "confirm", "confirmed", "lgtm", "sgtm", "ship", "run",
    "execute", "apply", "do", "correct", "exactly", "absolutely", "definitely",
    "affirmative", "agreed", "agree", "fine", "good", "great", "perfect", "alright",
    "allright", "granted", "accept", "accepted", "+1", "affirm", "thing",
    # politeness, thanks, who says it, and having looked
    "please", "pls", "plz", "thanks", "thank", "you", "thx", "ty", "cheers", "now", "i",
    "i'm", "i've", "me", "my", "it", "this", "that", "all", "from", "checked", "reviewed",
    "verified", "looked", "and", "also", "then", "let's", "lets", "just", "everything",
    # agreeing with what the bot said or asked ("that's right", "yes, that one")
    "right", "that's", "one", "so",
})
_PLAIN_YES_PHRASES = re.compile(
    r"\b(?:good to go|(?:ok|okay|safe|fine|good|clear) to (?:run|proceed|ship|go(?: ahead)?|"
    r"apply|execute)|happy to approve|go ahead|go for it|looks? good(?: to me)?|"
    r"sounds? good|hit it|ship it|the plan|the diff|the dry-?run|all good|looks? fine|"
    r"(?:this|that|it)(?:'s| is) fine|i'?m on call|make it so|send it|with it|"
    r"(?:looks|sounds) right(?: to me)?|what i meant|the right one|"
    # what was done before saying yes ("yes, i checked with the team, go ahead")
    r"(?:i |we )?(?:double[- ]?)?checked (?:with )?the [a-z]+|the team agreed|"
    r"(?:i'?m|i am) (?:the )?(?:ic|on[- ]?call|incident commander)|(?:ic|on[- ]?call) here|"
    r"(?:that |this |it )?should (?:fix|help with|sort) (?:it|this|that)|"
    r"(?:i )?(?:saw|read) the (?:plan|diff|dry[- ]?run|preview|change)|"
    r"no (?:objections?|concerns?|issues?|blockers?|problems?|risks?|worries)"
    r"(?: from me| here)?|nothing (?:to add|else)|not a problem|by all means|"
    r"(?:we )?talked about it(?: on the call)?|the change window is open|"
    # thanks, to someone or for something ("approved, thanks bob"), and what was checked
    r"(?:thanks|thank you|ty|cheers)(?: for (?:the|this|that|your) (?:plan|diff|dry[- ]?run|"
    r"preview|fix|write-?up|details|context|ping|heads[- ]up))?(?=\s*(?:[.,;:!)]|$))|"
    r"(?:checked|verified|reviewed|looked at) (?:the|your) [a-z-]+"
    r"(?: [a-z-]+)?(?=\s*[.,;:!-])|^\W*to confirm\s*[,:])")
_NOT_PLAIN = re.compile(
    r"=|\u2192|->|\be\.g\b|(?:^|\n)\s*(?:>|&gt;)|\by(?:eah?|ea|a),? right\b|"
    # an emoticon of doubt or a smirk: "ok :/", "yes -_-", "sure ;-)"
    r"(?<![\w:])[:;=8]-?[/\\|(pPsS$@]|(?<![\w:]);-?\)|-_-|\bx-?d\b|\u00af\\_|\bsure,? jan\b|"
    # an unticked box, a trailing ellipsis: "[ ] approve", "ok..."
    r"\[\s*\]|(?:\.{2,}|\u2026)\W*$")
"""An equation or arrow ("yes = approve"), an example, a Slack quote ("> yes"), sarcasm,
an emoticon of doubt."""


def own_yes(text: str, thanked: Collection[str] = ()) -> bool:
    """Whether `text` says yes as the writer's own decision now: every word of it says yes,
    asks politely, thanks (`thanked`: the people it may thank by name, those whose requests
    wait), says who says it or what they checked (`_PLAIN_YES_WORDS`,
    `_PLAIN_YES_PHRASES`), and its emoji (or shortcodes) say yes. Session 50's reviews: a
    yes taken on the absence of words that make it less let 171 of 515 more non-decisions
    run ("ok i suppose", "yes 5pm", "ok :/"), and one after sentences of context free of
    them 35 of 203 ("Tmrw. Approve.", "Testing. Approve."); a wrong refusal costs a click
    on the button."""
    lowered = text.lower().replace("\N{RIGHT SINGLE QUOTATION MARK}", "'")
    for name in thanked:
        lowered = re.sub(rf"\b(?:thanks|thank you|thx|ty|cheers),?\s+{re.escape(name.lower())}"
                         r"(?![\w-])", " thanks ", lowered)
    return _plain_words(lowered)


_MIXED_SYMBOLS = re.compile(r"(?![-]+$|[!.,]+$|[*_~`]+$)"
                            r"(?!:[a-z0-9_+-]+:(?::[a-z0-9_+-]+:)*$)[!-/:-@\[-`{-~]{2,}")
"""A token of two or more symbols, not a dash, a run of ! . , or Slack formatting, nor a
shortcode: an emoticon ("-.-", "^^;")."""
_FRIENDLY_CODES = frozenset({"pray", "100", "tada", "ship", "raised_hands", "muscle",
                             "heart", "slightly_smiling_face", "smile", "bow"})
_FRIENDLY = frozenset("\N{PERSON WITH FOLDED HANDS}\N{HUNDRED POINTS SYMBOL}"
                      "\N{PARTY POPPER}\N{SHIP}\N{PERSON RAISING BOTH HANDS IN CELEBRATION}"
                      "\N{FLEXED BICEPS}\N{HEAVY BLACK HEART}\N{SLIGHTLY SMILING FACE}")
"""Emoji that go with a yes and take nothing from it ("approved 💯", "ship it 🚢")."""


def _emoji_say_yes(lowered: str) -> bool:
    """Whether every emoji and shortcode in `lowered` is one that says yes (or goes with
    one, `_FRIENDLY`)."""
    if any(code not in _SHORTCODES["confirm"] | _FRIENDLY_CODES
           and not code.startswith("skin-tone-") for code in _SHORTCODE.findall(lowered)):
        return False  # ":+1: :thinking_face:", ":+1: :hourglass:"
    return not any(unicodedata.category(char) == "So"
                   and char not in _EMOJI["confirm"] and char not in _FRIENDLY
                   for char in _SHORTCODE.sub(" ", lowered))  # "👍 🤔", "👍❌"


def _plain_words(text: str) -> bool:
    """Whether every word of `text` says yes, asks politely, thanks or says who says it, and
    no token of it is a run of mixed symbols ("-.-", "^^;", ":'(")."""
    lowered = text.lower().replace("\N{RIGHT SINGLE QUOTATION MARK}", "'")
    if _NOT_PLAIN.search(lowered) or not _emoji_say_yes(lowered) or any(
            _MIXED_SYMBOLS.fullmatch(token) for token in lowered.split()):
        return False
    lowered = _PLAIN_YES_PHRASES.sub(" ", _SHORTCODE.sub(" ", lowered))
    words = re.findall(r"[a-z0-9+'-]+", lowered)
    return all(word.strip("'-") in _PLAIN_YES_WORDS or not word.strip("'-")
               for word in words)


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


def says(intent: str, text: str, *, plain: bool = True, thanked: Collection[str] = ()
         ) -> bool:
    """Whether `text` holds a word or emoji that says `intent` (always, for other intents);
    a yes only as the writer's own decision now (`own_yes`, which may thank `thanked` by
    name), unless `plain` is False."""
    if intent not in DECIDING:
        return True
    # A question of four words or more asks, it does not decide ("can we undo it later if
    # it goes bad?"); "yes?", "ok, go?" or "can you undo what you just did?" still may.
    if _A_QUESTION.fullmatch(text.strip()) and len(text.split()) >= 4 \
            and not _ASKED_OF_THE_BOT.search(text):
        return False
    text = _QUOTED.sub(" ", text)
    if intent == "confirm" and plain and not own_yes(text, thanked):
        return False  # "reply yes to approve", "someone approve this pls", "I'd approve"
    lowered = _IDIOMS.sub(" ", text.lower().replace("\N{RIGHT SINGLE QUOTATION MARK}", "'"))
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


_QUESTION_MARK = re.compile(r"[?\uff1f\u203d\u2048\u2049\u2047\u061f\u00bf\u2e2e\ufe56\ufe16]")
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
