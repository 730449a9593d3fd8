"""A workspace or guild leaving (or coming back): its channels stop (or resume) getting briefs."""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from bot.core.models import Channel

log = logging.getLogger(__name__)

LEFT_REASON = "bot removed from the workspace or guild"


def mark_team_gone(session: Session, *, platform: str, team_id: str) -> int:
    """Mark every active channel of ``team_id`` gone; returns how many changed."""
    channels = _channels(session, platform=platform, team_id=team_id, status="active")
    for channel in channels:
        channel.status = "gone"
        channel.status_reason = LEFT_REASON
        session.add(channel)
    session.commit()
    log.info("%s team %s left: %d channels marked gone", platform, team_id, len(channels))
    return len(channels)


def reactivate_team(session: Session, *, platform: str, team_id: str) -> int:
    """Bring back the channels that went quiet only because the bot was removed."""
    channels = [
        channel
        for channel in _channels(session, platform=platform, team_id=team_id, status="gone")
        if channel.status_reason == LEFT_REASON
    ]
    for channel in channels:
        channel.status = "active"
        channel.status_reason = None
        session.add(channel)
    session.commit()
    return len(channels)


def _channels(session: Session, *, platform: str, team_id: str, status: str) -> list[Channel]:
    query = select(Channel).where(
        Channel.platform == platform, Channel.team_id == team_id, Channel.status == status
    )
    return list(session.exec(query))
