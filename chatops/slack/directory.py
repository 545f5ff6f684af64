"""Slack user group membership, fetched with `usergroups.list` and cached with a TTL.

The policy maps Slack user group ids (`S0SRE`) to Kubernetes groups, so the surface puts
the sender's user group ids into `Message.groups`. One `usergroups.list` call answers for
every user; it is repeated when the cache is older than `ttl`.

When Slack cannot be asked, the last good answer is used only while it is younger than
`ttl` (a forced refresh after `invalidate()` may fail early). Once it is older, nobody gets
any user group until a refresh succeeds: a person removed from `@sre` must not keep sre
rights for as long as Slack keeps failing. Missing groups only ever mean fewer rights, never
more. A failed refresh is tried again after `retry_after` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from chatops.slack.deliver import slack_error

log = logging.getLogger(__name__)


class UserGroups:
    """Which Slack user groups each user belongs to."""

    def __init__(self, client: WebClient, *, ttl: float = 300.0, retry_after: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self.ttl = ttl
        self.retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()
        self._members: Mapping[str, tuple[str, ...]] = {}
        self._fetched = float("-inf")
        self._expires = float("-inf")

    def groups_of(self, user: str) -> tuple[str, ...]:
        """The ids of the user groups `user` is in (refreshing the cache when stale).

        No groups at all while the last good answer is older than `ttl`.
        """
        with self._lock:
            # One refresh at a time; the others wait and then read the fresh map.
            now = self._clock()
            if now >= self._expires:
                self._refresh(now)
            if now - self._fetched >= self.ttl:
                return ()
            return self._members.get(user, ())

    def invalidate(self) -> None:
        """Forget the cache; the next lookup asks Slack again."""
        with self._lock:
            self._expires = float("-inf")

    def _refresh(self, now: float) -> None:
        try:
            response = self._client.usergroups_list(include_users=True)
        except SlackClientError as exc:
            self._expires = now + self.retry_after
            if now - self._fetched < self.ttl:
                log.warning("usergroups.list failed (%s); keeping %d cached memberships for "
                            "%.0f s more", slack_error(exc), len(self._members),
                            self._fetched + self.ttl - now)
            else:
                log.warning("usergroups.list failed (%s); the cached memberships are older "
                            "than %.0f s, so nobody gets user group rights until Slack "
                            "answers again", slack_error(exc), self.ttl)
                self._members = {}
            return
        members: dict[str, list[str]] = {}
        for group in response.get("usergroups") or []:
            group_id = group.get("id")
            if not isinstance(group_id, str):
                continue
            for user in group.get("users") or []:
                members.setdefault(str(user), []).append(group_id)
        self._members = {user: tuple(ids) for user, ids in members.items()}
        self._fetched = now
        self._expires = now + self.ttl
        log.debug("user groups refreshed: %d users in groups", len(self._members))
