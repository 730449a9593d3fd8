"""Posting briefs to Discord over its HTTP API (httpx), guarded against a second post.

Two guards: ``nonce`` + ``enforce_nonce`` (Discord returns the earlier message instead of
creating a second one when the same nonce arrives again, but only for a few minutes), and a
visible tag, the header embed's footer "podbrief brief #<delivery id>", which ``find_sent``
looks for in the last HISTORY_LIMIT messages before any retry or takeover. The tag outlives the
nonce window, so a brief posted but never marked (a crash, a long outage) is found, not repeated.
Mentions are never pinged.
"""

from __future__ import annotations

import logging

import discord
import httpx

from bot.core.config import Settings
from bot.core.errors import ChannelGone, PodbriefError, RateLimited, ServiceUnavailable
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
HISTORY_LIMIT = 50


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

    def find_sent(self, channel: Channel, *, delivery_id: int) -> str | None:
        """The id of a recent message tagged with this delivery (footer or nonce), if any."""
        try:
            history = f"/channels/{self._target(channel)}/messages"
            response = self._request("GET", history, params={"limit": HISTORY_LIMIT})
        except ServiceUnavailable:
            raise  # transient: the caller retries later rather than risk a second post
        except PodbriefError as exc:  # no history access: the nonce still guards the post
            log.warning("cannot check %s for an earlier post: %s", channel.channel_ref, exc)
            return None
        for message in response.json():
            if is_delivery(message, delivery_id):
                return str(message["id"])
        return None

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
