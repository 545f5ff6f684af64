"""`chatops shell`: the same conversation engine as Slack, rendered as text in a terminal.

Lines are messages from the current user; `:as NAME` switches user; `approve ID` and
`deny ID` decide on a plan as the current user; `:quit` leaves. When stdin is not a
terminal it reads one message per line and prints the replies, so it can be scripted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, TextIO

from chatops.conversation import ConversationService
from chatops.conversation.asking import opens_with_a_mention
from chatops.messages.console import MENTION_NOT_FOR_ME, offered_text, speaking_as_text
from chatops.model import Message
from chatops.replies import Reply

_DECISION = re.compile(r"^(approve|deny)\s+(\S+)\s*$", re.IGNORECASE)
_AS = re.compile(r"^:as\s+(\S+)\s*$")


@dataclass
class Shell:
    """A console conversation: one thread, a current user, replies printed as text."""

    service: ConversationService
    user: str
    out: TextIO
    channel: str = "console"
    thread: str = "console"
    prompt: bool = False
    _seq: int = field(default=0)

    def _message(self, text: str) -> Message:
        self._seq += 1
        return Message(user=self.user, text=text, channel=self.channel, thread=self.thread,
                       ts=str(self._seq), source="console")

    def _print(self, reply: Reply) -> None:
        prefix = {"refusal": "! ", "question": "? ", "notice": "* "}.get(reply.kind, "")
        self.out.write(f"{prefix}{reply.text}\n")
        # Slack shows a question's offered names as buttons; here they are listed, unless
        # the text already names them all (an ambiguity's numbered choices).
        if reply.choices and not all(choice in reply.text for choice in reply.choices):
            self.out.write(offered_text(reply.choices) + "\n")
        self.out.flush()

    def _progress(self, reply: Reply) -> None:
        if reply.run is not None and reply.run.progress:
            self.out.write(f"  ... {reply.run.progress}\n")
        else:
            self.out.write(f"  ... {reply.text}\n")
        self.out.flush()

    def say(self, line: str) -> list[Reply]:
        """Handle one console line and print (and return) the replies."""
        text = line.strip()
        if not text:
            return []
        if match := _AS.match(text):
            self.user = match.group(1)
            self.out.write(speaking_as_text(self.user) + "\n")
            return []
        if opens_with_a_mention(text):
            # "<@U0CAROL> please cordon node-2": Slack's surface leaves it to Carol (a user
            # trial: the console planned it); the console has no bot mention of its own.
            # Heard all the same: a yes after "<@U0CAROL> should I cancel it?" answers it.
            self.service.overhear(self._message(text))
            self.out.write(MENTION_NOT_FOR_ME + "\n")
            return []
        if match := _DECISION.match(text):
            decision: Literal["approve", "deny"] = (
                "approve" if match.group(1).lower() == "approve" else "deny")
            replies = self.service.decide(match.group(2), self._message(text), decision,
                                          on_update=self._progress)
        else:
            replies = self.service.handle(self._message(text), on_update=self._progress)
        for reply in replies:
            self._print(reply)
        return replies

    def run(self, lines: Iterable[str], read_prompt: Callable[[str], str] | None = None) -> None:
        """Read messages until end of input or `:quit`; `read_prompt` is used on a terminal."""
        for reply in self.service.recover():
            self._print(reply)
        if read_prompt is not None:
            while True:
                try:
                    line = read_prompt(f"{self.user}> ")
                except (EOFError, KeyboardInterrupt):
                    self.out.write("\n")
                    return
                if line.strip() in {":quit", ":q", "exit"}:
                    return
                self.say(line)
        else:
            for line in lines:
                if line.strip() in {":quit", ":q"}:
                    return
                self.say(line)
