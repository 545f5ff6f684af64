"""Questions about what the bot does, answered with `help`.

People new to the bot ask it what it can do in their own words: "can you do rollbacks?",
"what runbooks do you have for nodes", "how do I ask you to restart something?", "what's
the syntax for scaling", "how does approval work here". The model, trained on requests,
reads most of them as the runbook a word names (a restart at 0.86, the nodes' status) or
as out of scope, and the bot answered "outside what I can do" or ran a read nobody asked
for. Such a question names no object; it asks about the bot, by "you", "the bot" or
"chatops", or about how to ask it. A question about kubectl or Helm is not about the bot.
"""

from __future__ import annotations

import re

_BOT = r"(?:you|u|the bot|this bot|chatops|the chatops bot|ops ?bot)"
_ABOUT_THE_BOT = re.compile(
    r"^\W*(?:(?:hi|hey|hello|sorry|ok|so|quick q(?:uestion)?|help|bot|chatops|"
    r"i'?m new(?: (?:on|to|here|in|the|this|call|rotation|team|channel|on-call))*|"
    r"(?:(?:can|could) (?:you|u) |please |pls )?(?:remind|tell|show) me)\W+)*(?:"
    # "what are the commands again?", "what are your options"
    r"what (?:are|were) (?:the|your) (?:runbooks?|commands?|actions?|options)\b|"
    # "can you give me a quick tour", "give me the rundown of what you do"
    r"(?:(?:can|could) (?:you|u) )?(?:give|show) (?:me|us) (?:an?|the) (?:quick |short )?"
    rf"(?:tour|rundown|overview)(?: of (?:what |how )?{_BOT}\b[^.!?]*)?\W*$|"
    # "what runbooks do you have for nodes", "which commands does chatops know"
    rf"(?:what|which) (?:runbooks?|commands?|actions?|operations?|things|stuff|options)\b"
    rf"[^.!?]*\b{_BOT}\b|"
    # "what can you do with cronjobs", "what are you able to do with deployments?"
    rf"what (?:else )?(?:can|could|do|does|will) {_BOT} (?:do|handle|manage|run|offer|"
    rf"support)\b|what (?:are|is) {_BOT} (?:able|allowed) to do\b|"
    # "remind me what you can do": the question embedded
    rf"what {_BOT} (?:can|could) (?:do|handle|manage|run|offer|support)\b|"
    # "can you do rollbacks?", "do you support scaling?", "can the bot handle cronjobs?"
    # (Not "can you do the restarts?": the thread's, a request.)
    rf"(?:can|could|do|does|will) {_BOT} (?:do|support|handle|manage|run|help with) "
    r"(?:any )?[a-z-]+(?:s|ing)\s*\??\s*$|"
    # "how do I ask you to restart something?", "how do we get the bot to drain a node"
    rf"how (?:do|can|would|should) (?:i|we|one|people|you) (?:ask|get|tell|make|have) "
    rf"{_BOT}\b|is there a way to (?:ask|get|tell|have) {_BOT}\b|"
    # "what's the syntax for scaling", "what is the command to restart"
    r"(?:what's|what is|whats) the (?:syntax|format|command|right way) (?:for|to|of)\b|"
    # "how does this bot work", "how does approval work here"
    r"how (?:does|do) (?:this|the) (?:bot|thing|approvals?|approving|two[- ]person rule)\b"
    r"[^.!?]*\bwork|how (?:does|do) (?:approvals?|approving) work\b|"
    # "how can you help me during an incident", "/chatops help", "man chatops"
    rf"how (?:can|could|would|will) {_BOT} help\b|"
    # "who are you", "what is chatops", "are you able to restart things?", "how do I
    # request a restart with you", "what do I type to scale something", "is there a cheat
    # sheet" (session 49)
    rf"(?:who|what) (?:are|is) (?:you|u|this bot|the bot|chatops|this thing)\W*$|"
    rf"(?:are|is) {_BOT} (?:able|allowed) to [a-z-]+ (?:any |the )?(?:things|stuff|anything|"
    r"something|workloads|deployments|pods|nodes|cronjobs|jobs|apps|services)\s*\??\s*$|"
    r"how (?:do|can|would|should) (?:i|we) (?:request|ask for|trigger|do|run|start) "
    rf"(?:a |an )?[a-z-]+ (?:with|from|via|through|using) {_BOT}\b|"
    r"what (?:do|should|can) (?:i|we) (?:type|say|write|send|enter) (?:to|for|if)\b|"
    r"is there an? (?:cheat ?sheet|manual|user guide|guide|quick ?start|help page)"
    rf"(?: for {_BOT})?\W*$|"
    r"/?(?:chatops|bot) (?:help|usage|commands|\?)\W*$|(?:man|help|usage) (?:chatops|the bot)\W*$)",
    re.IGNORECASE)
ABOUT_THE_BOT_CHARS = 300
"""How many characters of a message a question about the bot is looked for in."""
_NOT_THE_BOT = re.compile(r"\b(?:kubectl|helm|k9s|kustomize|argo(?:cd)?|flux|terraform|"
                          r"k8s api|the api server)\b", re.IGNORECASE)


def asks_what_the_bot_does(text: str) -> bool:
    """Whether `text` asks what the bot can do or how to ask it (see the module), not how
    another tool does something."""
    # Such a question is short: its first words are read (an attacker review padded one
    # with 32,000 dashes and the pattern took 12 s).
    head = text[:ABOUT_THE_BOT_CHARS]
    return (_ABOUT_THE_BOT.search(head) is not None
            and _NOT_THE_BOT.search(text) is None)
