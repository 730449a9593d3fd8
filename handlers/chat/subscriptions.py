"""Handlers for the subscription and settings commands.

Each handler takes ``(services, request, args)`` and returns a neutral ``Reply``; it opens its
own short session. The reading commands (brief, ask, …) live in ``reading.py``.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from bot.briefs.preview import preview_topic
from bot.channels import subscriptions as channels
from bot.channels.schedule import local_today, resolve_timezone
from bot.core.db import session_scope
from bot.core.errors import InvalidInput, PodbriefError
from bot.core.services import Services
from bot.core.urlsafety import shown_name
from bot.feeds import store as feed_store
from bot.reports.workspace import schedule_text
from handlers.chat.channels import find_request_channel, is_personal, request_channel, visible_to
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
        # What the topic matches this week, so the subscriber can reword at once.
        today = local_today(channel, services.clock.now())
        visible = visible_to(session, request)
        preview = preview_topic(services, session, topic, today, visible=visible) if added else []
    if not added:
        return Reply(lines=[Line(f"Already following “{topic}” in {_where(personal)}.")])
    where = "by DM" if personal else "here"
    return Reply(
        lines=[
            Line(f"Subscribed to “{topic}” in {_where(personal)}."),
            *(Line(text) for text in preview),
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
    """Fetch the feed first; follow it only when it is one, and say what comes next."""
    from bot.feeds import following  # the module, so tests can swap in a fake fetch

    try:
        followed = following.follow_feed(services, args["feed_url"])
    except PodbriefError as err:
        # Nothing was followed: the check failed before anything was stored.
        return Reply(
            lines=[
                Line(f"Can't follow that feed: {getattr(err, 'reason', err)}."),
                Line("Nothing was followed. Check the address, or paste the show's RSS feed URL."),
            ],
            error=True,
        )
    with session_scope(services.engine) as session:
        channel = request_channel(services, session, request, personal=request.is_dm)
        podcast = feed_store.get_podcast(session, followed.podcast_id)
        added = channels.follow_podcast(session, channel, podcast, user_id=request.user_id)
    name = f"{followed.name} (podcast #{followed.podcast_id})"
    if not added:
        return Reply(lines=[Line(f"Already following {name}.")])
    lines = [Line(f"Following {name}: {_feed_contents(followed)}.")]
    lines.append(Line(_when_ready(services, request, followed.queued)))
    return Reply(lines=lines)


def _feed_contents(followed: Any) -> str:
    count = f"{followed.episodes} episode{'' if followed.episodes == 1 else 's'}"
    if not followed.newest_title:
        return count
    newest = followed.newest_at
    when = f", {newest.day} {newest:%b %Y}" if newest else ""
    return f"{count}, the newest “{followed.newest_title}”{when}"


def _when_ready(services: Services, request: CommandRequest, queued: int) -> str:
    """When the first insights arrive, in chat terms (never a shell command)."""
    if not queued:
        return "Nothing new to process: its episodes are already in."
    episodes = f"its newest {queued} episode{'' if queued == 1 else 's'}"
    if request.platform == "console":
        # `podbrief chat` runs no scheduler: process right here, so `brief` works next.
        from bot.jobs.pipeline import process_pending

        done = process_pending(services).get("done", 0)
        return f"Processed {episodes} ({done} ready): try `brief` or `ask …` now."
    minutes = max(2, math.ceil(services.settings.process_job_seconds / 60) + queued)
    return f"Queued {episodes}: the first insights should be ready in about {minutes} minutes."


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
        if field == "timezone":
            value = resolve_timezone(value)  # "est" is refused with America/New_York offered
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
