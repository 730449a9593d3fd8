"""Handlers for the subscription and settings commands.

Each handler takes ``(services, request, args)`` and returns a neutral ``Reply``; it opens its
own short session. The reading commands (brief, ask, …) live in ``reading.py``.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.channels import subscriptions as channels
from bot.core.db import session_scope
from bot.core.errors import InvalidInput, PodbriefError
from bot.core.services import Services
from bot.core.urlsafety import shown_name
from bot.feeds import store as feed_store
from bot.reports.workspace import schedule_text
from handlers.chat.channels import find_request_channel, is_personal, request_channel
from handlers.chat.parser import tokenize
from handlers.chat.replies import CommandRequest, Line, Reply

log = logging.getLogger(__name__)

_ON = {"on", "yes", "true", "1", "y"}
_OFF = {"off", "no", "false", "0", "n"}
_SETTING_KEYS = {
    "time": "brief_time",
    "brief_time": "brief_time",
    "at": "brief_time",
    "tz": "timezone",
    "timezone": "timezone",
    "zone": "timezone",
    "weekdays": "weekdays_only",
    "weekdays_only": "weekdays_only",
    "size": "brief_size",
    "brief_size": "brief_size",
    "items": "brief_size",
}


def _where(personal: bool) -> str:
    return "your personal brief" if personal else "this channel's brief"


def subscribe(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Follow a topic in this channel's (or the user's personal) brief."""
    personal = is_personal(request, args)
    with session_scope(services.engine) as session:
        channel = request_channel(services, session, request, personal=personal)
        topic = channels.normalise_topic(args["topic"])
        added = channels.subscribe_topic(session, channel, topic, user_id=request.user_id)
        when = schedule_text(channel)
    if not added:
        return Reply(lines=[Line(f"Already following “{topic}” in {_where(personal)}.")])
    where = "by DM" if personal else "here"
    return Reply(
        lines=[
            Line(f"Subscribed to “{topic}” in {_where(personal)}."),
            Line(f"Your brief arrives {where} at {when}."),
        ]
    )


def unsubscribe(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Stop following a topic."""
    personal = is_personal(request, args)
    with session_scope(services.engine) as session:
        channel = request_channel(services, session, request, personal=personal)
        channels.unsubscribe_topic(session, channel, args["topic"])
    topic = channels.normalise_topic(args["topic"])
    return Reply(lines=[Line(f"Unsubscribed from “{topic}” in {_where(personal)}.")])


def topics(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """The topics and podcasts this channel (and the user's personal brief) follow."""
    lines: list[Line] = []
    with session_scope(services.engine) as session:
        for personal in (True,) if request.is_dm else (False, True):
            channel = find_request_channel(session, request, personal=personal)
            subs = channels.list_subscriptions(session, channel) if channel else None
            if subs is None or not (subs.topics or subs.podcasts):
                continue
            lines.append(Line(f"{_where(personal).capitalize()} ({schedule_text(channel)}):"))
            lines += [Line(f"• {topic}") for topic in subs.topics]
            lines += [
                Line(f"• podcast #{p.id}: {shown_name(p.title, p.url)}") for p in subs.podcasts
            ]
    if not lines:
        lines = [Line("Nothing followed yet. Try `subscribe open-source AI` or `follow FEED_URL`.")]
    return Reply(title="Topics and podcasts", lines=lines)


def follow(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Add a feed and subscribe the channel to it; the next poll fetches its episodes."""
    try:
        with session_scope(services.engine) as session:
            podcast = feed_store.add_feed(session, args["feed_url"], settings=services.settings)
            channel = request_channel(services, session, request, personal=request.is_dm)
            added = channels.follow_podcast(session, channel, podcast, user_id=request.user_id)
            name = shown_name(podcast.title, podcast.url)
            podcast_id = podcast.id
    except PodbriefError as err:
        # The URL checks speak for the fetcher ("refusing to fetch from localhost"); say what
        # that means for the user's command. The session has rolled back: nothing was added.
        return Reply(lines=[Line(f"Can't follow that feed: {err}")], error=True)
    if not added:
        return Reply(lines=[Line(f"Already following {name} (#{podcast_id}).")])
    minutes = services.settings.poll_interval_minutes
    when = f"Its episodes arrive with the next feed poll (within about {minutes} minutes)."
    if request.platform == "console":
        # `podbrief chat` runs no scheduler, so no poll ever comes on its own.
        when = "Fetch its episodes now with `podbrief feeds poll` then `podbrief process`."
    return Reply(lines=[Line(f"Following {name} (podcast #{podcast_id})."), Line(when)])


def unfollow(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Stop following a podcast (the feed stays for other channels)."""
    with session_scope(services.engine) as session:
        channel = request_channel(services, session, request, personal=request.is_dm)
        podcast = channels.unfollow_podcast(session, channel, args["podcast"])
        name = shown_name(podcast.title, podcast.url)
    return Reply(lines=[Line(f"No longer following {name}.")])


def parse_settings(text: str) -> dict[str, Any]:
    """``time 08:30 tz Europe/Berlin weekdays on size 3`` (or ``key=value``) → changes."""
    words = [t.text for t in tokenize(text.replace("=", " "))]
    if len(words) % 2:
        raise InvalidInput("Settings come in pairs, e.g. `settings time 08:30 tz Europe/Berlin`.")
    changes: dict[str, Any] = {}
    for key, value in zip(words[::2], words[1::2], strict=True):
        field = _SETTING_KEYS.get(key.lower())
        if field is None:
            raise InvalidInput(f"Unknown setting “{key}”; use time, tz, weekdays or size.")
        changes[field] = _on_off(value) if field == "weekdays_only" else value
    return changes


def _on_off(value: str) -> bool:
    if value.lower() in _ON:
        return True
    if value.lower() in _OFF:
        return False
    raise InvalidInput(f"weekdays takes on or off, not “{value}”.")


def settings(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Show the brief schedule, or change it (validated all together)."""
    personal = is_personal(request, args)
    changes = parse_settings(args.get("changes") or "")
    with session_scope(services.engine) as session:
        channel = request_channel(services, session, request, personal=personal)
        channels.update_schedule(session, channel, **changes)
        schedule = schedule_text(channel)
    title = "Settings saved" if changes else "Settings"
    return Reply(
        title=title,
        lines=[
            Line(f"{_where(personal).capitalize()}: {schedule}."),
            Line("Change with e.g. `settings time 08:30 tz Europe/Berlin weekdays on size 5`."),
        ],
    )
