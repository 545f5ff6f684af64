"""Slack text that came from users or the cluster cannot ping, forge links or break out of
code blocks (security issue item 9).

Blocks were already escaped; the `text` fallback (shown in notifications and wherever blocks
are not) was not, and a ``` inside a log line closed the code block around it.
"""

from __future__ import annotations

from typing import Any

from chatops.slack.blocks import FALLBACK_LIMIT, code_blocks, fallback_text
from tests.slack.conftest import Bot, eventually
from tests.slack.mock_slack import Call

PING = "<!channel>"
LINK = "<https://evil.example|click here>"


def test_fallback_text_escapes_control_characters() -> None:
    out = fallback_text(f"no such namespace {PING} & {LINK}")
    assert "<" not in out and ">" not in out
    assert out == ("no such namespace &lt;!channel&gt; &amp; "
                   "&lt;https://evil.example|click here&gt;")


def test_fallback_text_is_cut_to_the_limit() -> None:
    out = fallback_text("x" * (FALLBACK_LIMIT * 2))
    assert len(out) == FALLBACK_LIMIT and out.endswith("…")
    assert fallback_text("short") == "short"


def test_fallback_text_never_ends_in_half_an_entity() -> None:
    # Escaping makes "<" four characters long; the cut must not leave "&l" behind.
    for offset in range(4):
        out = fallback_text("x" * (FALLBACK_LIMIT - 2 - offset) + "<" * 10)
        assert len(out) <= FALLBACK_LIMIT
        body = out.removesuffix("…")
        assert body.count("&") == body.count("&lt;"), out[-12:]


def _section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [block["text"]["text"] for block in blocks]


def test_code_block_content_cannot_close_the_fence() -> None:
    log = "ok\n```\n<!channel> *you have been hacked*\n```\nmore"
    for text in _section_texts(code_blocks(log)):
        assert text.startswith("```") and text.endswith("```")
        inner = text[3:-3]
        assert "``" not in inner, inner
        assert "<" not in inner
        # Still reads the same once the invisible separators are dropped.
        assert inner.replace("\u200b", "") == log.replace("<", "&lt;").replace(">", "&gt;")


def test_code_block_content_cannot_extend_the_fence_at_its_edges() -> None:
    for log in ("`leading", "trailing`", "``", "`"):
        (text,) = _section_texts(code_blocks(log))
        inner = text[3:-3]
        assert not inner.startswith("`") and not inner.endswith("`"), text


def _fallbacks(bot: Bot) -> list[tuple[str, str]]:
    """Every `text` argument the bot sent, with the method it went with."""
    methods = ("chat.postMessage", "chat.update", "chat.postEphemeral")
    calls: list[Call] = [c for c in bot.slack.calls
                         if c.method in methods or c.method.startswith("respond/")]
    return [(c.method, str(c.args["text"])) for c in calls if "text" in c.args]


def test_echoed_user_text_does_not_ping_from_the_notification_text(bot: Bot) -> None:
    # A slash command: the refusal replaces the placeholder (chat.update).
    bot.sender.command(f"run show_pods namespace={PING}", user="U0BOB")
    bot.slack.wait_for("chat.update", "not a valid namespace")
    # A direct message: the refusal is posted in the thread (chat.postMessage).
    bot.sender.message(f"run nosuch_{PING}", user="U0BOB", channel="D0BOB",
                       channel_type="im")
    eventually(lambda: [c for c in bot.slack.of("chat.postMessage")
                        if "no runbook called" in c.text()], what="the DM refusal")

    sent = _fallbacks(bot)
    assert {method for method, _ in sent} >= {"chat.update", "chat.postMessage"}
    echoed = [text for _, text in sent if "!channel" in text]
    assert len(echoed) >= 2, sent  # both refusals echo the user's text...
    for method, text in sent:
        assert PING not in text, f"{method} text pings: {text!r}"  # ...escaped
        assert "<" not in text, f"{method} text has a control character: {text!r}"
