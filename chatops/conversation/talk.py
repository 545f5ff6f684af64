"""Talk: messages about a change that ask nothing of the bot.

On top of `asking.not_a_request` (negations, questions, reports, conditions by their first
words), the ways a third attacker showed people talk about changes in an incident channel:
their own plans ("I'll drain node-7 tonight", "gonna bounce cart in a min"), reports in
the past tense ("I've drained ...", "just nuked the stuck pod", kubectl output pasted),
hypotheticals ("imagine we drained ...", "thought experiment: ..."), quotes (a Slack
blockquote, a ticket's title, "per the runbook: ...", an alert's suggested action),
commands put up for review ("`kubectl ...` is this the right command?"), sarcasm ("restart
it, they said"), tests of the bot ("testing, ignore: ..."), messages relayed to someone
else ("tell <@U1> to restart ..."), a request for a human's approval ("need a +1 to roll
back ..."), anecdotes and timelines. None of them is answered with a plan.

A message that also asks the bot ("can you", "please") or gives an order in a clause of
its own is a request after all, except where the talk says to do nothing, tests the bot,
relays, asks a human's approval or mocks: those hold whatever else the message says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatops.conversation.asking import ASKS_ANYWAY, CHANGE, clauses, later_order, orders
from chatops.conversation.kinds import TARGETS, clean_text
from chatops.model import SlotSpan

# A change verb in the -ing form, and in the past tense.
_ING = (r"restarting|bouncing|rolling(?: back)?|reverting|scaling|draining|cordoning|"
        r"uncordoning|deleting|killing|nuking|suspending|resuming|pausing|bumping|evicting|"
        r"recycling|redeploying|upgrading|downgrading")
_PAST = (r"restarted|bounced|rolled(?: back)?|reverted|scaled|drained|cordoned|uncordoned|"
         r"deleted|killed|nuked|kicked|suspended|resumed|paused|bumped|evicted|recycled|"
         r"redeployed|took|moved|ran|upgraded|downgraded|patched|applied")
# Who plans or reports: not "you", which asks ("if you could restart ...").
_WE = (r"i|we|he|she|they|ops|someone|somebody|[\w-]+ team|the team|"
       r"(?:i|we|he|she|they)[\u2019']?(?:ll|ve|d|re|m)")

# Always talk, whatever else the message says.
_HOLDS = re.compile(
    # Do nothing, a test: "just tell me, don't do it", "(don't actually)", "testing, ignore"
    r"\b(?:don[\u2019']?t|do not) (?:actually |really )?(?:do|run|execute|change|apply|touch) "
    r"(?:it|anything|this|that|them)\b|\bdon[\u2019']?t actually\b|\bdo nothing\b|"
    r"\bjust (?:tell|show) me\b|\bignore (?:this|me|it)\b|\bignore\s*[:.!]|"
    r"\b(?:testing|test) (?:the bot|this|perms|permissions)\b|^\W*test(?:ing)?\b[\s,:!]|"
    r"\bchecking if the bot\b|\bdry[- ]run only\b|"
    # Relayed to someone else: "tell <@U1> to ...", "let sarah know she can ...", "can you
    # ask the data team to pause ..."
    # (At the start only, and not "let me know when ...", "I will ask you to resume it",
    # "..., and let them know".)
    r"^\W*(?:(?:can|could|would) (?:you|u) |pls |please |just )?(?:tell|ask|remind|ping|nudge)"
    r"\s+(?!(?:me|us|you|u)\b)(?:(?:the [\w-]+(?: team)?|[\w.@-]+)\s+)?(?:to|that)\b|"
    r"^\W*(?:(?:can|could|would) (?:you|u) |pls |please |just )?let\s+(?!(?:me|us)\b)"
    r"(?:(?:the [\w-]+(?: team)?|[\w.@-]+)\s+)?know\b|"
    # A human's approval asked for: "need a +1 to roll back", "a second pair of eyes"
    r"\b(?:need|get|want)(?: a)? \+1\b|\bsecond (?:pair of eyes|opinion)\b|"
    r"\bsign-?off from\b|"
    # Sarcasm and scorn
    r"\bthey said\b|\bwhat could (?:possibly )?go wrong\b|"
    r"\b(?:that[\u2019']?ll|that will|it[\u2019']?ll|this will) (?:definitely|totally|surely) "
    r"(?:work|fix|help)\b|\bsure sure\b|\byeah right\b|\bmoney is(?:n[\u2019']?t| not) real\b|"
    r"\bbecause that worked\b",
    re.IGNORECASE | re.MULTILINE)
# Plans and reports, which count in the clause that names the target: "we rolled out a
# config change this morning. halt token-refresh for now" asks for a suspend.
_PLANNED_OR_DONE = re.compile(
    # One's own plan, now or later: "I'll drain ...", "we can uncordon ...", "gonna bounce",
    # "planning to roll back", "tomorrow I'm restarting ..."
    # (Not "can we restart api?": a plan says when or who, "we" alone asks.)
    r"\b(?:(?:" + _WE + r")\s+(?:will|can|could|might|may|are|is|am)|"
    r"(?:i|we|he|she|they)[\u2019']?(?:ll|re|m))\s+(?:just |probably |then |also )?"
    r"(?:" + CHANGE + r"|" + _ING + r")\b|"
    r"\b(?:gonna|planning to|plan (?:is )?to|intend to|about to)\s+(?:\w+\s+)?(?:" + CHANGE
    + r")\b|"
    # Reports: "I've drained ...", "just nuked the stuck pod", "ops paused X on friday"
    r"\b(?:" + _WE + r")\s+(?:just |already |also |have |has |had )?(?:" + _PAST + r")\b|"
    r"^\W*(?:just|already)\s+(?:" + _PAST + r")\b|"
    # A past tense that opens the message: "kicked the checkout-api pods at 14:05".
    r"^\W*(?:kicked|bounced|restarted|drained|cordoned|uncordoned|nuked|killed|deleted|"
    r"rolled back|reverted|scaled|suspended|resumed|evicted|recycled|redeployed)\b",
    re.IGNORECASE | re.MULTILINE)
# Frames anywhere: talk unless the bot is asked or an order has a clause of its own.
_UNLESS_ASKED = re.compile(
    # A command put up for review: "is this the right command?", "double check this: ...";
    # not "lgtm, please restart ledger", which asks.
    r"\b(?:is this|is that) (?:the )?(?:right|correct)\b|\bdouble[- ]check\b|"
    r"\bsanity[- ]check\b|\blooks (?:fine|good|right|ok) to me\b|\breviewing\b|"
    r"\bbefore i run it\b|"
    # Hypotheticals and anecdotes
    r"\b(?:hypothetically|theoretically|purely theoretical|thought experiment|imagine|"
    r"in a world where|what would happen|used to|back in (?:\d{4}|the day)|back when|"
    r"someday|one day|in the old days)\b|"
    # Opinions: "I'm against suspending ...", "draining it now feels reckless"
    r"\b(?:i[\u2019']?m|i am|we[\u2019']?re|we are) against\b|\b(?:feels|seems|sounds|looks|is) "
    r"(?:reckless|risky|dangerous|premature|like a bad idea)\b|\bbad idea\b|"
    # Quotes: a blockquote, a ticket's title, a runbook, an alert's advice
    r"^\s*(?:>|&gt;)|\b[A-Z]{2,}-\d+ (?:title|says|summary)\b|"
    r"\b(?:jira|ticket|issue|incident)\b[^.?!]{0,20}\bsays\b|\bper the (?:runbook|doc|docs|"
    r"wiki|ticket|plan|playbook)\b|^\W*quoting\b|^\W*\[?(?:firing|resolved)\b|"
    r"^\W*alertmanager\b|\b(?:recommended|suggested)(?: action)?\s*:|"
    # Pasted terminals: a prompt, kubectl's output lines, an error
    r"(?:^|\n)\s*(?:```)?\s*\$\s*kubectl\b|(?:^|\n)\s*(?:deployment\.apps|node|pod)/\S+ "
    r"(?:scaled|restarted|rolled back|cordoned|drained|deleted|evicted)\b|\berror:|"
    r"\berror when\b|"
    # A timeline: "13:58 bounced ...\n14:07 rollback"
    r"^\W*\d{1,2}:\d{2}\b|"
    # A question, not a request: "does orders need 4Gi?", "is a rolling restart of X going
    # to drop sessions?", "how would I restart it myself?"
    r"^\W*(?:does|do|is|are|was|were|did|has|have)\b(?!\s+(?:you|u)\b)[^.!]*\?\s*$|"
    r"^\W*how (?:would|should|could|can|do) (?:i|we|one)\b",
    re.IGNORECASE | re.MULTILINE)


def just_talk(text: str, spans: Iterable[SlotSpan] = ()) -> bool:
    """Whether `text` talks about a change without asking the bot for it (see above).
    `spans`: the model's; a plan or a report counts only in a clause that holds a target
    the model tagged (anywhere when it tagged none)."""
    cleaned = clean_text(text)
    if _HOLDS.search(cleaned):
        return True
    if ASKS_ANYWAY.search(cleaned):
        return False
    # The order inside a frame is the frame's ("thought experiment: scale api to 0",
    # "> drain node-7"); only a later sentence or line gives one of its own.
    framed = _UNLESS_ASKED.search(cleaned)
    if framed is not None and not later_order(cleaned, framed.end()):
        return True
    targets = [span for span in spans if span.slot in TARGETS]
    bounds = [(a, b) for a, b in clauses(cleaned)
              if not targets or any(a <= span.start < b for span in targets)]
    found = next((m for m in _PLANNED_OR_DONE.finditer(cleaned)
                  if any(a <= m.start() < b for a, b in bounds)), None)
    # An order in a clause of its own: "I've drained node-7, now uncordon node-3".
    return found is not None and not orders(cleaned[found.end():])
