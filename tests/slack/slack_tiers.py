"""Slack's published Web API rate limits, and a check of recorded calls against them.

Source: https://docs.slack.dev/apis/web-api/rate-limits. Limits apply "per API method per
workspace per app": every replica of the bot shares one budget per method. Tier 1 is
1+ requests a minute, Tier 2 20+, Tier 3 50+, Tier 4 100+ ("+": Slack may allow more, so
the published floor is what a bot can count on). chat.postMessage has a special limit:
"one message per second per channel" (short bursts allowed), counted here as at most 60 in
any 60 s in one channel. Each method's tier is on its reference page
(https://docs.slack.dev/reference/methods/<method>).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from tests.slack.mock_slack import Call

TIER_1, TIER_2, TIER_3, TIER_4 = 1, 20, 50, 100
"""Requests per minute, per method, per workspace."""

PER_MINUTE: dict[str, int] = {
    "auth.test": TIER_4,  # "Special" on its page; Bolt calls it once per process
    "apps.connections.open": TIER_1,
    "chat.delete": TIER_3,
    "chat.getPermalink": TIER_4,  # "Special"
    "chat.postEphemeral": TIER_4,
    "chat.update": TIER_3,
    "conversations.history": TIER_3,
    "conversations.info": TIER_3,
    "conversations.replies": TIER_3,
    "reactions.add": TIER_3,
    "usergroups.list": TIER_2,
    "usergroups.users.list": TIER_2,
    "users.info": TIER_4,
    "views.open": TIER_4,
    "views.publish": TIER_4,
    "views.update": TIER_4,
}
POSTS_PER_CHANNEL_MINUTE = 60
"""chat.postMessage: one a second in each channel."""

WINDOW = 60.0


def most_in_window(times: Sequence[float], seconds: float = WINDOW) -> int:
    """The largest number of `times` inside any interval of `seconds`."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


def web_api_calls(calls: Iterable[Call]) -> list[Call]:
    """Calls of Web API methods (not posts to a slash command's `response_url`)."""
    return [c for c in calls if not c.method.startswith("respond/")]


def busiest_minutes(calls: Iterable[Call]) -> dict[str, int]:
    """Per method (chat.postMessage: per `chat.postMessage#CHANNEL`), the most calls in any
    60 s."""
    times: dict[str, list[float]] = defaultdict(list)
    for call in web_api_calls(calls):
        key = call.method
        if key == "chat.postMessage":
            key = f"{key}#{call.args.get('channel')}"
        times[key].append(call.at)
    return {key: most_in_window(at) for key, at in sorted(times.items())}


def over_the_limits(calls: Iterable[Call]) -> list[str]:
    """What went over Slack's published limits (empty: nothing). A method with no known tier
    is reported too, so a new method is looked up before it is called under load."""
    problems = []
    for key, most in busiest_minutes(calls).items():
        method = key.split("#", 1)[0]
        limit = (POSTS_PER_CHANNEL_MINUTE if method == "chat.postMessage"
                 else PER_MINUTE.get(method))
        if limit is None:
            problems.append(f"{method}: no known tier (add it to PER_MINUTE)")
        elif most > limit:
            problems.append(f"{key}: {most} calls in 60 s, Slack allows {limit}")
    return problems
