"""Posting briefs to Slack with slack_sdk, tagged so a retry can tell it already posted.

Each post carries message ``metadata`` (event_type ``podbrief_brief``, payload
``{"delivery_id": …}``); ``find_sent`` reads it back with ``conversations.history``, paged back
to when the delivery was first claimed (a personal brief's DM is opened to find its channel).
Posts to one channel are spaced at least a second apart (Slack's chat.postMessage limit).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.config import Settings
from bot.core.errors import (
    ChannelGone,
    HistoryUnavailable,
    PodbriefError,
    RateLimited,
    ServiceUnavailable,
)
from bot.core.models import Channel
from bot.core.values import Brief
from handlers.slack_app.render import brief_metadata, render_brief

log = logging.getLogger(__name__)

EVENT_TYPE = "podbrief_brief"
GONE_ERRORS = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive"}
TRANSIENT_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
HISTORY_PAGE = 200  # conversations.history's recommended page size
HISTORY_PAGES = 25  # at most 5,000 messages back
CLOCK_SKEW = timedelta(minutes=5)


class SlackPublisher:
    """A ``bot.core.ports.Publisher`` over slack_sdk's WebClient."""

    platform = "slack"

    def __init__(
        self,
        client: WebClient,
        *,
        min_interval_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        token_for: Callable[[str], str | None] | None = None,
    ) -> None:
        self.client, self.min_interval_s = client, min_interval_s
        # OAuth installs have one bot token per workspace: token_for(team_id) looks it up.
        self.token_for = token_for
        self._monotonic, self._sleep = monotonic, sleep
        self._last_post: dict[str, float] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: Settings, token_for: Callable[[str], str | None] | None = None
    ) -> SlackPublisher:
        """A publisher with SLACK_BOT_TOKEN (or per-team tokens), against SLACK_API_URL if set."""
        base_url = settings.slack_api_url or WebClient.BASE_URL
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        client = WebClient(token=token, base_url=base_url.rstrip("/") + "/", timeout=30)
        return cls(client, token_for=token_for)

    def send_brief(self, channel: Channel, brief: Brief, *, delivery_id: int) -> str:
        """Post the brief; returns the message ts."""
        blocks, text = render_brief(brief)
        self._throttle(channel.channel_ref)
        response = self._call(
            self.client.chat_postMessage,
            channel,
            channel=channel.channel_ref,
            blocks=blocks,
            text=text,
            unfurl_links=False,
            unfurl_media=False,
            # Episode ids let a thread follow-up resolve its episodes without a lookup.
            metadata=brief_metadata(brief, delivery_id=delivery_id),
        )
        return str(response["ts"])

    def find_sent(
        self, channel: Channel, *, delivery_id: int, since: datetime | None = None
    ) -> str | None:
        """The ts of a post tagged with ``delivery_id`` since ``since``, if Slack has one;
        HistoryUnavailable when the history cannot be read (no scope, a DM Slack won't open)."""
        try:
            for message in self._history(channel, since):
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if (
                    metadata.get("event_type") == EVENT_TYPE
                    and payload.get("delivery_id") == delivery_id
                ):
                    return str(message["ts"])
        except ServiceUnavailable:
            raise  # transient: the caller retries later rather than risk a second post
        except PodbriefError as exc:
            raise HistoryUnavailable(
                f"cannot read {channel.channel_ref}'s history to check for an earlier post: {exc}"
            ) from exc
        return None

    def _history(self, channel: Channel, since: datetime | None) -> Iterator[dict]:
        """Messages newest first back to ``since``, every page of them (up to HISTORY_PAGES)."""
        kwargs: dict = {
            "channel": self._conversation(channel),
            "limit": HISTORY_PAGE,
            "include_all_metadata": True,
        }
        if since is not None:
            kwargs["oldest"] = f"{(since - CLOCK_SKEW).timestamp():.6f}"
        for _ in range(HISTORY_PAGES):
            response = self._call(self.client.conversations_history, channel, **kwargs)
            yield from response.get("messages") or []
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return
            kwargs["cursor"] = cursor

    def _conversation(self, channel: Channel) -> str:
        """The conversation id whose history holds the post: a personal brief's DM channel."""
        if not channel.user_id or channel.channel_ref.startswith("D"):
            return channel.channel_ref
        opened = self._call(self.client.conversations_open, channel, users=channel.user_id)
        return str(opened["channel"]["id"])

    def _throttle(self, channel_ref: str) -> None:
        # About one message per second per channel: reserve this channel's next slot under the
        # lock, then wait for it outside the lock so other channels are not held up.
        with self._lock:
            now = self._monotonic()
            slot = max(now, self._last_post.get(channel_ref, float("-inf")) + self.min_interval_s)
            self._last_post[channel_ref] = slot
        if slot > now:
            self._sleep(slot - now)

    def _call(self, method, target: Channel, **kwargs):
        if self.token_for is not None and (token := self.token_for(target.team_id)):
            kwargs["token"] = token
        try:
            return method(**kwargs)
        except SlackApiError as exc:
            raise slack_error(exc) from exc
        except (SlackClientError, OSError) as exc:
            raise ServiceUnavailable(f"Slack unreachable: {exc.__class__.__name__}") from exc


def slack_error(exc: SlackApiError) -> PodbriefError:
    """The domain error for a Slack API error response."""
    response = exc.response
    code = response.get("error", "unknown_error") if response is not None else "unknown_error"
    status = getattr(response, "status_code", 200)
    if status == 429 or code == "ratelimited":
        retry_after = float((response.headers or {}).get("Retry-After", 1) or 1)
        return RateLimited(f"Slack rate limit ({code})", retry_after=retry_after)
    if code in GONE_ERRORS:
        return ChannelGone(f"Slack: {code}")
    if code in TRANSIENT_ERRORS or status >= 500:
        return ServiceUnavailable(f"Slack: {code}")
    return PodbriefError(f"Slack refused the brief: {code}")
