"""The Slack Web API client, with Slack's own retry handlers for 429s, 5xx and resets."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from chatops.settings import Settings

DEFAULT_API_URL = "https://slack.com/api/"


def make_client(settings: Settings, *, rate_limit_retries: int = 5,
                server_error_retries: int = 2, timeout: int = 15) -> WebClient:
    """A `WebClient` for the bot token, pointed at `CHATOPS_SLACK_API_URL` when set.

    A 429 is retried after the `Retry-After` Slack sends (up to `rate_limit_retries`
    times); a 5xx a bounded number of times with backoff; a reset connection twice.
    """
    base_url = (settings.slack_api_url or DEFAULT_API_URL).rstrip("/") + "/"
    return WebClient(
        token=settings.slack_bot_token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
            ServerErrorRetryHandler(max_retry_count=server_error_retries),
        ],
    )
