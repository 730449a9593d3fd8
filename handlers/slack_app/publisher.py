"""Posting briefs to Slack with slack_sdk, tagged so a retry can tell it already posted.

Each post carries message ``metadata`` (event_type ``podbrief_brief``, payload
``{"delivery_id": …}``); ``find_sent`` reads it back with ``conversations.history``. Posts to one
channel are spaced at least a second apart (Slack's chat.postMessage limit).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.config import Settings
from bot.core.errors import ChannelGone, PodbriefError, RateLimited, ServiceUnavailable
from bot.core.models import Channel
from bot.core.values import Brief
from handlers.slack_app.render import brief_metadata, render_brief

log = logging.getLogger(__name__)

EVENT_TYPE = "podbrief_brief"
GONE_ERRORS = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive"}
TRANSIENT_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
HISTORY_LIMIT = 100


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

    def find_sent(self, channel: Channel, *, delivery_id: int) -> str | None:
        """The ts of a recent post tagged with ``delivery_id``, if Slack has one."""
        try:
            response = self._call(
                self.client.conversations_history,
                channel,
                channel=channel.channel_ref,
                limit=HISTORY_LIMIT,
                include_all_metadata=True,
            )
        except ServiceUnavailable:
            raise  # transient: the caller retries later rather than risk a second post
        except PodbriefError as exc:
            # No history to read (a DM by user id, no im:history scope, a deleted channel):
            # post anyway; the post itself then decides whether the channel is really gone.
            log.warning("cannot check %s for an earlier post: %s", channel.channel_ref, exc)
            return None
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == EVENT_TYPE
                and payload.get("delivery_id") == delivery_id
            ):
                return str(message["ts"])
        return None

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
