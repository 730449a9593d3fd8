"""Slack payloads reduced to ``CommandRequest``s, and who counts as an admin."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.config import Settings
from handlers.chat.replies import CommandRequest

log = logging.getLogger(__name__)

ADMIN_CACHE_S = 300.0


def ack_only(ack: Any) -> None:
    """The ack function for listeners whose work is all lazy (events)."""
    ack()


def is_dm_channel(channel_id: str, channel_name: str = "") -> bool:
    """Direct-message conversations (ids start with D): commands there are personal."""
    return channel_id.startswith("D") or channel_name == "directmessage"


def team_of(body: dict[str, Any]) -> str:
    """The workspace id of any payload shape (slash, event, interaction)."""
    team = body.get("team_id") or body.get("team") or (body.get("user") or {}).get("team_id")
    if isinstance(team, dict):
        team = team.get("id")
    return team or ""


class AdminCheck:
    """Decides ``is_admin``: everyone, unless SLACK_ADMINS_ONLY asks for admins and owners."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._cache: dict[str, tuple[float, bool]] = {}

    def __call__(self, client: WebClient, user_id: str) -> bool:
        if not self._settings.slack_admins_only:
            return True
        cached = self._cache.get(user_id)
        if cached and time.monotonic() - cached[0] < ADMIN_CACHE_S:
            return cached[1]
        try:
            user = client.users_info(user=user_id)["user"]
            admin = bool(user.get("is_admin") or user.get("is_owner"))
        except SlackApiError as err:
            log.warning("users.info failed (%s); treating user as non-admin", err.response["error"])
            return False
        self._cache[user_id] = (time.monotonic(), admin)
        return admin


def slash_request(body: dict[str, Any], *, is_admin: bool) -> CommandRequest:
    """A ``/podbrief …`` payload as a CommandRequest."""
    channel_id = body.get("channel_id", "")
    return CommandRequest(
        platform="slack",
        channel_ref=channel_id,
        user_id=body.get("user_id", ""),
        text=body.get("text", ""),
        team_id=team_of(body),
        is_admin=is_admin,
        is_dm=is_dm_channel(channel_id, body.get("channel_name", "")),
        channel_name=_channel_name(body.get("channel_name", "")),
    )


def _channel_name(name: str) -> str:
    """Slack's name for the channel ("" for DMs and private channels Slack will not name)."""
    return "" if name in ("directmessage", "privategroup") else name
