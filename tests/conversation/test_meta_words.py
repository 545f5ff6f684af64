"""Which replies may decide: the evidence check behind a guessed meta intent."""

from __future__ import annotations

import pytest

from chatops.conversation.meta_words import DECIDING, asks_back, own_yes, says
from finetune.phrases import META_PHRASES
from intents.emoji import as_word


@pytest.mark.parametrize("intent", sorted(DECIDING))
def test_every_phrasing_the_model_learned_says_its_intent(intent: str) -> None:
    assert [p for p in META_PHRASES[intent] if not says(intent, p)] == []


@pytest.mark.parametrize(("intent", "text"), [
    ("confirm", "Yes!!"), ("confirm", "sounds good, ship it"), ("confirm", "👍🏽"),
    ("confirm", ":white_check_mark:"), ("confirm", "LGTM"), ("confirm", "+1"),
    ("deny", "Nope."), ("deny", "don’t"), ("deny", ":-1:"), ("deny", "❌"),
    ("cancel", "nvm"), ("cancel", "never mind"), ("cancel", "🛑"),
    ("undo", "put it back"), ("undo", "revert"), ("undo", ":rewind:"),
    ("confirm", "hit it"), ("confirm", "🚀"), ("deny", "belay that"), ("cancel", "hang on"),
])
def test_replies_that_say_it(intent: str, text: str) -> None:
    assert says(intent, text)


@pytest.mark.parametrize("text", ["hmm", "...", "asdfghjkl", "%%%%", "🙃", "o_O", "1234",
                                  ":sweat_smile:", "brb", ":smile", "!!!!", "☃", "ñññ", "aaaaaaa",
                                  "go figure", "not sure", "no idea tbh", "I don't know",
                                  "brb, be right back", "back to you", "kill me now",
                                  "correct me if I'm wrong but this looks off",
                                  "yesterday", "okra", "nothing"])
@pytest.mark.parametrize("intent", sorted(DECIDING))
def test_junk_says_nothing(intent: str, text: str) -> None:
    assert not says(intent, text)


def test_other_intents_need_no_word() -> None:
    assert says("help", "???") and says("restart_deployment", "hmm")


@pytest.mark.parametrize(("word", "read"), [
    ("👍", "yes"), ("👍🏿", "yes"), ("✔️", "yes"), ("✅✅", "yes"), ("👎", "no"), ("❌", "no"),
    ("🚀", "yes"), ("🙃", "🙃"), ("👍👎", "👍👎"), ("yes", "yes"), ("", ""),
])
def test_answering_emoji_are_read_as_words(word: str, read: str) -> None:
    assert as_word(word) == read


@pytest.mark.parametrize("intent", sorted(DECIDING))
@pytest.mark.parametrize("text", [
    # A question that does not ask the bot, someone else's decision, a quote, a word
    # inside another ("k8s", "go-live"), a remark that happens to hold a deciding word.
    "should we maybe undo this later if it misbehaves?",
    "is it ok to approve without the IC here?",
    "waiting on priya to say yes",
    "the release manager has to approve this, not me",
    "the doc says 'type yes to continue' but nothing happens",
    "k8s 1.29 is what prod runs",
    "go-live moved to monday, keep it in mind",
    "the content-type is wrong on that endpoint again",
    "sorry, wrong thread, ignore me",
    "not a problem, reading the diff now",
])
def test_remarks_that_hold_deciding_words_decide_nothing(intent: str, text: str) -> None:
    assert not says(intent, text)


@pytest.mark.parametrize(("intent", "text"), [
    ("undo", "could you undo what you just did?"),
    ("confirm", "yes?"),
    ("cancel", "changed my mind, drop it"),
    ("deny", "wrong, don't"),
    ("confirm", "ok go. looks fine."),
])
def test_decisions_asked_or_short_still_decide(intent: str, text: str) -> None:
    assert says(intent, text)


@pytest.mark.parametrize("text", [
    # Session 50's review: each approved the waiting plan. A yes in words is taken only as
    # the writer's own decision now; the buttons and "approve" still work.
    "reply yes to approve", "to approve: yes", "someone approve this pls", "some one approve",
    "the IC said go ahead", "I'd approve", "it'd be fine", "yes if the canary is fine",
    "yes tomorrow", "ok wait", "yes in 5", "approve at 5pm", "ok noted", "sure, will take a look",
    "> yes", "&gt; yes", ":+1: :thinking_face:", "👍 🤔", "yes = approve", "yeah right",
    "e.g. yes", "yes thanks wait", "approve with a yes", "sre: approve", "one more yes please",
    "yes but check the dashboards first", "not my call, but yes", "approve... kidding",
    "let the IC approve", "the way to approve is yes", "you approve it with ok",
])
def test_only_the_writer_s_own_yes_now_confirms(text: str) -> None:
    assert not says("confirm", text)
    assert not own_yes(text)


@pytest.mark.parametrize("text", [
    "no objections, approve", "approve, nothing to add", "approved 💯", "ship it 🚢",
    "approve, I'm the IC", "yes, I saw the plan, approve", "**yes**", "approved — thanks",
])
def test_a_yes_with_what_was_checked_or_a_cheer_confirms(text: str) -> None:
    assert own_yes(text) and says("confirm", text)


def test_a_yes_may_thank_only_the_people_whose_requests_wait_by_name() -> None:
    assert says("confirm", "approved, thanks bob", thanked={"bob"})
    assert not says("confirm", "approved, thanks bob")
    assert not says("confirm", "yes thanks maybe", thanked={"bob"})


@pytest.mark.parametrize("text", [
    # The second review: with no word of `_NOT_A_DECISION` these approved ("ok i suppose",
    # "yes 5pm", "ok :/", "ok, already did it"); a yes among other words is no longer
    # taken, nor a context sentence after it.
    "ok i suppose", "yes 5pm", "ok l8r", "prob fine", "ok :/", "yes ;-)", "ok -_-",
    "ya right", "ok, already did it", "yes, the graph is right", "dba: yes", "fwd: yes",
    "ok go. the dashboards look fine, error rate is flat, latency is back.",
    "yes, 6 replicas is what we want",
    # The third review: context sentences before a plain yes ("Tmrw. Approve.", "Testing.
    # Approve."), emoticons, an unticked box, a trailing ellipsis, "confirming" (checking).
    "Tmrw. Approve.", "Testing. Approve.", "Staging. Approve.", "Hmm. Ok.", "ok -.-",
    "ok ^^;", "yes ;_;", "[ ] approve", "- [ ] yes", "ok...", "yes\u2026", "confirming",
    "Yes, I checked with the payments team and they are fine with it. Go ahead and do it.",
])
def test_a_yes_among_other_words_is_not_taken(text: str) -> None:
    assert not own_yes(text)


@pytest.mark.parametrize("text", [
    "ok go", "approved, thanks", "lgtm ship it", ":+1: go", "ok, I've checked, approve",
    "sure thing, run it", "👍🏽", ":+1::skin-tone-2:", "approved — thanks", "I approve this",
    "*approved*", "yes from me", "reviewed, approved", "let's ship it", "go ahead please",
    "good to go, approve", "looks good, approve", "checked the dashboards, approve",
    "to confirm, yes go ahead", "yes, I'm on call and this is fine", "that's right",
])
def test_a_plain_yes_with_thanks_or_what_was_checked_confirms(text: str) -> None:
    assert own_yes(text) and says("confirm", text)


@pytest.mark.parametrize(("text", "asks"), [
    ("that ok?", True), ("good to go?", True), ("yes?", True), ("go? :eyes:", True),
    ("release ok?!", True), ("good to go? thx", True), ("ok? :)", True), ("ok\uff1f", True),
    ("approve? let me check first", True), ("can I approve", True),
    ("are we good to go", True), ("should I approve this", True),
    ("ok", False), ("yes, go", False), ("approve", False), ("lgtm :+1:", False),
    ("approved, ship it", False), ("do it", False), ("ok, do it", False),
    ("good to go? yes, approved", False), ("approve? yes, approve", False),
    ("Does it look ok? yes - approve", False), ("ok‽", True), ("approve? 🤔", True),
])
def test_a_question_asks_back(text: str, asks: bool) -> None:
    """A question under a waiting plan approves nothing (session 49)."""
    assert asks_back(text) is asks
