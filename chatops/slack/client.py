"""The Slack Web API client, with Slack's own retry handlers for 429s, 5xx and resets, and
every call counted by method in the metrics (calls, errors, 429s)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.slack_response import SlackResponse

from chatops.metrics import METRICS, Metrics
from chatops.settings import Settings

DEFAULT_API_URL = "https://slack.com/api/"


def _method_of(url: str) -> str:
    """`chat.update` of `https://slack.com/api/chat.update?x=y`."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "?"


class _CountedRateLimits(RateLimitErrorRetryHandler):
    """Slack's 429 handling (wait for Retry-After, try again), counting each 429 — also
    those a retry then hid from the caller.

    The metrics are the class's, never the instance's: Bolt deep-copies the retry handlers
    for each request's client, and a metric (it holds a lock) cannot be copied.
    """

    metrics: Metrics = METRICS

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if response is not None and response.status_code == 429:
            self.metrics.slack_ratelimited.labels(_method_of(request.url)).inc()
        return bool(super()._can_retry(state=state, request=request, response=response,
                                       error=error))


class MeteredWebClient(WebClient):
    """A `WebClient` whose every call is counted by method, and every error by its code
    (in the class's metrics, for the reason `_CountedRateLimits` gives)."""

    metrics: Metrics = METRICS

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        """Call `api_method`, counting it (and its error, if Slack answers one)."""
        self.metrics.slack_calls.labels(api_method).inc()
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            code = exc.response.get("error") if exc.response is not None else None
            self.metrics.slack_errors.labels(api_method, str(code or "unknown")[:40]).inc()
            raise


def make_client(settings: Settings, *, rate_limit_retries: int = 5,
                server_error_retries: int = 2, timeout: int = 15) -> WebClient:
    """A `WebClient` for the bot token, pointed at `CHATOPS_SLACK_API_URL` when set.

    A 429 is retried after the `Retry-After` Slack sends (up to `rate_limit_retries`
    times); a 5xx a bounded number of times with backoff; a reset connection twice.
    """
    base_url = (settings.slack_api_url or DEFAULT_API_URL).rstrip("/") + "/"
    client: WebClient = MeteredWebClient(
        token=settings.slack_bot_token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            _CountedRateLimits(max_retry_count=rate_limit_retries),
            ServerErrorRetryHandler(max_retry_count=server_error_retries),
        ],
    )
    return client
