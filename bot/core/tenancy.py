"""Which podcasts a workspace may see: its own follows, and the operator's shared feeds.

A tenant is a Slack workspace or a Discord guild (a DM outside any workspace is a tenant of its
own); the console and CLI are the operator and see everything (``None``). Feeds are fetched once
per URL and shared underneath, but a podcast that some workspace follows in chat is visible only
to the workspaces that follow it. Feeds nobody follows in chat were added by the operator
(``podbrief feeds add``) and are shared with every workspace, except private ones: a feed URL
that carries a token is never shown to a workspace that did not follow it itself.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import httpx
from sqlmodel import Session, col, select

from bot.core.models import Channel, Podcast, Subscription

# a path segment that looks like an access token: long, mixing letters and digits
_TOKEN_SEGMENT = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}$")


@dataclass(frozen=True, slots=True)
class Tenant:
    """A Slack workspace or Discord guild (``team_id``), on one platform."""

    platform: str
    team_id: str


def tenant_for(platform: str, team_id: str, user_id: str = "") -> Tenant | None:
    """The tenant of a request or channel; None for the console (the operator)."""
    if platform == "console":
        return None
    return Tenant(platform, team_id or f"dm:{user_id}")


def channel_tenant(channel: Channel) -> Tenant | None:
    """The tenant a channel belongs to."""
    return tenant_for(channel.platform, channel.team_id, channel.user_id)


def is_private_feed(url: str) -> bool:
    """True for a feed URL that carries credentials: user info, a query, or a token-like path."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return True
    if parsed.userinfo or parsed.query:
        return True
    return any(_TOKEN_SEGMENT.match(segment) for segment in parsed.path.split("/"))


def only_visible(query, column, visible: frozenset[int] | None):
    """``query`` narrowed to rows whose podcast id (``column``) is in ``visible`` (None: all)."""
    return query if visible is None else query.where(col(column).in_(visible))


def visible_podcast_ids(session: Session, tenant: Tenant | None) -> frozenset[int] | None:
    """The podcasts ``tenant`` may see; None (no limit) for the operator."""
    if tenant is None:
        return None
    followers: dict[int, set[Tenant | None]] = defaultdict(set)
    follows = select(Subscription.podcast_id, Channel).join(
        Channel, Channel.id == Subscription.channel_id
    )
    for podcast_id, channel in session.exec(follows.where(Subscription.podcast_id.is_not(None))):
        followers[podcast_id].add(channel_tenant(channel))
    visible = set()
    for podcast_id, url in session.exec(select(Podcast.id, Podcast.url)):
        following = followers.get(podcast_id)
        if (following and tenant in following) or (not following and not is_private_feed(url)):
            visible.add(podcast_id)
    return frozenset(visible)
