"""Posting briefs to Discord over its HTTP API (httpx), guarded against a second post.

Two guards: ``nonce`` + ``enforce_nonce`` (Discord returns the earlier message instead of
creating a second one when the same nonce arrives again, but only for a few minutes), and a
visible tag, the header embed's footer "podbrief brief #<delivery id>", which ``find_sent``
looks for in every message since the delivery was first claimed (paged, newest first) before any
retry or takeover. The tag outlives the nonce window, so a brief posted but never marked (a
crash, a long outage) is found, not repeated. Mentions are never pinged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import discord
import httpx

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
from handlers.discord_bot import limits
from handlers.discord_bot.render import brief_payload

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://discord.com/api/v10"
GONE_CODES = {
    10003: "Unknown Channel",
    50001: "Missing Access",
    50007: "Cannot send messages to this user",  # a personal brief's user closed their DMs
}
HISTORY_PAGE = 100  # Discord's largest page of channel messages
HISTORY_PAGES = 50  # at most 5,000 messages back: a busy channel's day, not its whole past
CLOCK_SKEW = timedelta(minutes=5)
DISCORD_EPOCH_MS = 1_420_070_400_000


def snowflake_time(snowflake: str | int) -> datetime:
    """When a Discord id (message, channel) was made: its top 42 bits are ms since 2015."""
    return datetime.fromtimestamp(((int(snowflake) >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def nonce_for(delivery_id: int) -> str:
    """The message nonce for a delivery (Discord allows up to 25 characters)."""
    return f"podbrief-{delivery_id}"


def tag_for(delivery_id: int) -> str:
    """The footer text that marks a brief message as this delivery's, in channel history."""
    return f"podbrief brief #{delivery_id}"


def tagged(payload: dict, delivery_id: int) -> dict:
    """``payload`` with the delivery tag as its header embed's footer, still within limits."""
    embeds = [discord.Embed.from_dict(embed) for embed in payload.get("embeds", [])]
    if embeds:
        embeds[0].set_footer(text=tag_for(delivery_id))
    return {**payload, "embeds": [embed.to_dict() for embed in limits.fit_message(embeds)]}


def is_delivery(message: dict, delivery_id: int) -> bool:
    """True when ``message`` is this delivery's brief: its nonce, or its footer tag."""
    if str(message.get("nonce")) == nonce_for(delivery_id):
        return True
    embeds = message.get("embeds") or [{}]
    footer = (embeds[0] or {}).get("footer") or {}
    return footer.get("text") == tag_for(delivery_id)


class DiscordPublisher:
    """A ``bot.core.ports.Publisher`` over Discord's REST API."""

    platform = "discord"

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self._dm_channels: dict[str, str] = {}  # user id → DM channel id

    @classmethod
    def from_settings(cls, settings: Settings) -> DiscordPublisher:
        """A publisher with DISCORD_TOKEN, against DISCORD_API_URL when set."""
        token = settings.discord_token.get_secret_value() if settings.discord_token else ""
        client = httpx.Client(
            base_url=(settings.discord_api_url or DEFAULT_API_URL).rstrip("/"),
            headers={
                "Authorization": f"Bot {token}",
                "User-Agent": "DiscordBot (https://github.com/podbrief/podbrief, 0.1)",
            },
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
        )
        return cls(client)

    def send_brief(self, channel: Channel, brief: Brief, *, delivery_id: int) -> str:
        """Post the brief; returns the message id."""
        payload = {
            **tagged(brief_payload(brief), delivery_id),
            "nonce": nonce_for(delivery_id),
            "enforce_nonce": True,
            "allowed_mentions": {"parse": []},  # a hostile transcript can never ping anyone
        }
        target = self._target(channel)
        response = self._request("POST", f"/channels/{target}/messages", json=payload)
        return str(response.json()["id"])

    def find_sent(
        self, channel: Channel, *, delivery_id: int, since: datetime | None = None
    ) -> str | None:
        """The id of a message tagged with this delivery (footer or nonce) posted since
        ``since``, if any; HistoryUnavailable when the channel's history cannot be read."""
        try:
            for page in self._history(self._target(channel), since):
                for message in page:
                    if is_delivery(message, delivery_id):
                        return str(message["id"])
        except ServiceUnavailable:
            raise  # transient: the caller retries later rather than risk a second post
        except PodbriefError as exc:
            raise HistoryUnavailable(
                f"cannot read {channel.channel_ref}'s history to check for an earlier post: {exc}"
            ) from exc
        return None

    def _history(self, target: str, since: datetime | None) -> Iterator[list[dict]]:
        """Pages of messages, newest first, back to ``since`` (or HISTORY_PAGES pages)."""
        params: dict[str, str | int] = {"limit": HISTORY_PAGE}
        for _ in range(HISTORY_PAGES):
            page = self._request("GET", f"/channels/{target}/messages", params=params).json()
            if not page:
                return
            yield page
            oldest = page[-1]["id"]
            if len(page) < HISTORY_PAGE or (since and snowflake_time(oldest) < since - CLOCK_SKEW):
                return
            params["before"] = oldest

    def _target(self, channel: Channel) -> str:
        """Where to post: a personal brief (``user_id`` set) goes to that user's DM channel."""
        if not channel.user_id:
            return channel.channel_ref
        if channel.user_id not in self._dm_channels:
            body = {"recipient_id": channel.user_id}
            response = self._request("POST", "/users/@me/channels", json=body)
            self._dm_channels[channel.user_id] = str(response.json()["id"])
        return self._dm_channels[channel.user_id]

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(f"Discord unreachable: {exc.__class__.__name__}") from exc
        if response.is_success:
            return response
        raise discord_error(response)


def discord_error(response: httpx.Response) -> PodbriefError:
    """The domain error for a failed Discord API response."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if response.status_code == 429:
        retry_after = body.get("retry_after") or response.headers.get("Retry-After") or 1
        return RateLimited("Discord rate limit", retry_after=float(retry_after))
    code = body.get("code")
    if response.status_code in (403, 404) and code in GONE_CODES:
        return ChannelGone(f"Discord: {GONE_CODES[code]}")
    if response.status_code >= 500:
        return ServiceUnavailable(f"Discord: HTTP {response.status_code}")
    message = body.get("message") or f"HTTP {response.status_code}"
    return PodbriefError(f"Discord refused the brief: {message}")
