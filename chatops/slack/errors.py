"""A listener that fails: the person gets a short apology with a reference id, the log gets
the traceback under the same reference, and the app carries on.

Bolt calls the app's error handler (`report_error`, registered with `app.error` in
`build_app`) for failures in middleware and acknowledgement functions. Failures in lazy
listeners, where the real work runs, Bolt only logs in one line; `reported` wraps each lazy
listener so that they reach `report_error` too.
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from chatops.messages.slack import sorry_text
from chatops.slack.deliver import slack_error

log = logging.getLogger(__name__)


def _where(body: Mapping[str, Any]) -> tuple[str, str, str | None] | None:
    """(channel, user, thread) of the person behind a payload, when it says."""
    event, view = body.get("event"), body.get("view")
    if isinstance(event, Mapping):
        channel, user = event.get("channel"), event.get("user")
        thread = event.get("thread_ts") or event.get("ts")
    elif isinstance(view, Mapping):
        # A modal's submission: where it was opened from is in its private metadata.
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        channel, thread = meta.get("channel"), meta.get("thread")
        user = (body.get("user") or {}).get("id")
    else:
        user = body.get("user_id") or (body.get("user") or {}).get("id")
        container = body.get("container") or {}
        channel = (body.get("channel_id") or (body.get("channel") or {}).get("id")
                   or container.get("channel_id"))
        thread = (body.get("message") or {}).get("thread_ts") or container.get("thread_ts")
    if isinstance(channel, str) and isinstance(user, str) and channel and user:
        return channel, user, str(thread) if thread else None
    return None


def report_error(error: Exception, body: Mapping[str, Any], respond: Respond | None,
                 client: WebClient | None) -> str:
    """Log `error` with its traceback under a new reference and tell the person, only them,
    where the payload allows (the response URL, else an ephemeral message). Returns the
    reference."""
    reference = uuid.uuid4().hex[:8]
    log.error("a Slack listener failed (reference %s)", reference, exc_info=error)
    text = sorry_text(reference)
    try:
        if respond is not None and respond.response_url:
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif client is not None and (where := _where(body)) is not None:
            channel, user, thread = where
            client.chat_postEphemeral(channel=channel, user=user, text=text,
                                      thread_ts=thread)
    except SlackClientError as exc:
        log.warning("could not tell the person about error %s: %s", reference,
                    slack_error(exc))
    except Exception:
        log.exception("could not tell the person about error %s", reference)
    return reference


def on_error(error: Exception, body: dict[str, Any], respond: Respond | None,
             client: WebClient | None) -> None:
    """The app's error handler (`app.error`)."""
    report_error(error, body, respond, client)


_ARGUMENTS: dict[str, Callable[[BoltRequest], Any]] = {
    "body": lambda request: request.body,
    "event": lambda request: request.body.get("event"),
    "respond": lambda request: request.context.respond,
    "client": lambda request: request.context.client,
    "context": lambda request: request.context,
}


def reported(listener: Callable[..., None]) -> Callable[..., None]:
    """`listener` as a lazy listener whose failures go to `report_error`.

    `listener` may take any of `body`, `event`, `respond`, `client`, `context`; Bolt tells
    lazy listeners apart by name, so the wrapper keeps `listener`'s.
    """
    names = inspect.getfullargspec(listener).args
    unknown = set(names) - set(_ARGUMENTS)
    if unknown:
        raise TypeError(f"{listener.__name__} takes {sorted(unknown)}, which a lazy listener "
                        f"is not given (use {sorted(_ARGUMENTS)})")

    def lazy(request: BoltRequest) -> None:
        try:
            listener(**{name: _ARGUMENTS[name](request) for name in names})
        except Exception as exc:
            report_error(exc, request.body, request.context.respond, request.context.client)

    lazy.__name__ = listener.__name__
    lazy.__qualname__ = listener.__qualname__
    lazy.__doc__ = listener.__doc__
    return lazy
