"""Which channel a chat request is about: the channel itself, or the user's personal brief."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.channels import subscriptions as channels
from bot.core.errors import NotFound
from bot.core.models import Channel
from bot.core.services import Services
from bot.core.tenancy import tenant_for, visible_podcast_ids
from handlers.chat.replies import CommandRequest

NOTHING_FOLLOWED = "This channel follows nothing yet. Try `subscribe open-source AI` first."


def visible_to(session: Session, request: CommandRequest) -> frozenset[int] | None:
    """The podcasts the requester's workspace may see (None in the console: all of them)."""
    return visible_podcast_ids(
        session, tenant_for(request.platform, request.team_id, request.user_id)
    )


def is_personal(request: CommandRequest, args: dict[str, Any]) -> bool:
    """Personal (DM brief) requests: ``--me`` or typed in a direct message."""
    return bool(args.get("me")) or request.is_dm


def find_request_channel(
    session: Session, request: CommandRequest, *, personal: bool
) -> Channel | None:
    """The channel (or the user's personal brief) a request is about, if it was ever set up."""
    return channels.find_channel(session, **_channel_key(request, personal))


def reading_channel(
    session: Session, request: CommandRequest, *, personal: bool = False
) -> Channel:
    """The channel a reading command is about (the user's DM brief with --me or in a DM)."""
    personal = personal or request.is_dm
    channel = find_request_channel(session, request, personal=personal)
    if channel is not None:
        return channel
    if not personal and find_request_channel(session, request, personal=True) is not None:
        raise NotFound(NOTHING_FOLLOWED + " (Add --me for your personal brief.)")
    raise NotFound(NOTHING_FOLLOWED)


def request_channel(
    services: Services, session: Session, request: CommandRequest, *, personal: bool
) -> Channel:
    """The channel a request acts on (the user's DM brief when personal), created on demand."""
    existing = find_request_channel(session, request, personal=personal)
    if existing is not None:
        return existing
    name = "" if personal else request.channel_name
    channel = channels.get_or_create_channel(session, **_channel_key(request, personal), name=name)
    channel.brief_time = services.settings.default_brief_time
    channel.timezone = services.settings.default_timezone
    channel.brief_size = services.settings.brief_size
    session.add(channel)
    return channel


def _channel_key(request: CommandRequest, personal: bool) -> dict[str, str]:
    return {
        "platform": request.platform,
        "team_id": request.team_id,
        "channel_ref": request.user_id if personal else request.channel_ref,
        "user_id": request.user_id if personal else "",
    }
