"""Handlers for the reading commands: podcasts, episodes, summary, brief, ask, search, status, why.

The core does the work (``handlers.core_api.core`` finds it); these only shape replies.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.channels import schedule as channel_schedule
from bot.channels import subscriptions as channels
from bot.core.db import session_scope
from bot.core.errors import NotFound
from bot.core.models import Channel
from bot.core.moments import format_timestamp
from bot.core.ports import Publisher
from bot.core.services import Services
from bot.core.urlsafety import shown_name
from bot.core.values import AskScope
from bot.feeds import catalog
from handlers.chat.commands import CommandRequest, Line, Reply
from handlers.chat.core_api import core

log = logging.getLogger(__name__)

NOTHING_FOLLOWED = "This channel follows nothing yet. Try `subscribe open-source AI` first."


def _channel(session: Session, request: CommandRequest, *, personal: bool = False) -> Channel:
    """The channel a reading command is about (the user's DM brief with --me or in a DM)."""
    personal = personal or request.is_dm
    channel = find_request_channel(session, request, personal=personal)
    if channel is not None:
        return channel
    if not personal and find_request_channel(session, request, personal=True) is not None:
        raise NotFound(NOTHING_FOLLOWED + " (Add --me for your personal brief.)")
    raise NotFound(NOTHING_FOLLOWED)


def find_request_channel(
    session: Session, request: CommandRequest, *, personal: bool
) -> Channel | None:
    """The channel (or the user's personal brief) a request is about, if it was ever set up."""
    return channels.find_channel(
        session,
        platform=request.platform,
        team_id=request.team_id,
        channel_ref=request.user_id if personal else request.channel_ref,
        user_id=request.user_id if personal else "",
    )


def _local_date(services: Services, channel: Channel) -> date:
    return channel_schedule.local_today(channel, services.clock.now())


def podcasts(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Every feed podbrief polls, with its health."""
    list_feeds = core("bot.feeds.store", "list_feeds")
    with session_scope(services.engine) as session:
        feeds = list(list_feeds(session))
        lines = [Line(_feed_line(feed)) for feed in feeds]
    if not lines:
        lines = [Line("No podcasts yet. Add one with `follow FEED_URL`.")]
    return Reply(title="Podcasts", lines=lines)


def _feed_line(feed: Any) -> str:
    title = shown_name(feed.title, feed.url)
    health = feed.status
    if feed.failure_count:
        health += f", {feed.failure_count} failures"
    if feed.last_error:
        health += f": {feed.last_error[:120]}"
    return f"#{feed.id} {title} — {health}"


def episodes(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Recent episodes, optionally of one podcast."""
    with session_scope(services.engine) as session:
        rows = catalog.recent_episodes(session, podcast_ref=args.get("podcast"), limit=10)
        lines = [_episode_line(episode, podcast) for episode, podcast in rows]
    if not lines:
        lines = [Line("No episodes yet. New feeds fill in after the next poll.")]
    return Reply(title="Recent episodes", lines=lines)


def _episode_line(episode: Any, podcast: Any) -> Line:
    when = episode.published_at.date().isoformat() if episode.published_at else "undated"
    text = f"#{episode.id} {podcast.title} · {episode.title} ({when}, {episode.status})"
    return Line(text, url=episode.link or None, label="page" if episode.link else None)


def summary(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """An episode's summary with its key moments."""
    get_summary = core("bot.insights.summaries", "get_summary")
    with session_scope(services.engine) as session:
        episode, podcast = catalog.get_episode(session, args["episode"])
        found = get_summary(session, episode.id)
        if found is None:
            raise NotFound(f"Episode #{episode.id} has no summary yet ({episode.status}).")
        lines = [Line(str(_field(found, "summary")))]
        for point in _field(found, "key_points") or []:
            start = float(_field(point, "start") or 0.0)
            lines.append(Line(f"▶ {format_timestamp(start)} {_field(point, 'text')}"))
        topics = _field(found, "topics") or []
        if topics:
            lines.append(Line("Topics: " + ", ".join(topics)))
        title = f"{podcast.title} · {episode.title}" if podcast else episode.title
    return Reply(title=title, lines=lines)


def _field(obj: Any, name: str) -> Any:
    """A field from a dict, dataclass or model alike."""
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def brief(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Today's brief for this channel (or your own): posted once, then shown as already posted."""
    brief_now = core("bot.delivery.todays_brief", "brief_now")
    with session_scope(services.engine) as session:
        channel = _channel(session, request, personal=bool(args.get("me")))
    # Outside the session: the claim commits in its own transaction (SQLite has one writer).
    publisher = _platform_publisher(services, channel.platform)
    today = brief_now(services, channel, services.clock.now(), publisher)
    composed = today.brief
    lines = [] if composed.items else [Line(composed.empty_reason or "Nothing new today.")]
    shared = not (args.get("me") or request.is_dm)
    visibility = "in_channel" if shared else "ephemeral"
    return Reply(title=today.heading(channel), brief=composed, lines=lines, visibility=visibility)


def _platform_publisher(services: Services, platform: str) -> Publisher | None:
    """The channel's platform publisher, so taking over a stalled day first asks if it posted."""
    from handlers.cli.publishers import build_publishers, slack_token_lookup

    return build_publishers(services.settings, slack_token_lookup(services)).get(platform)


def ask(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """A cited answer; private unless ``--share`` (or asked in a brief's thread)."""
    answer_question = core("bot.ask.answers", "answer_question")
    scope = AskScope(episode_id=request.episode_id)
    with session_scope(services.engine) as session:
        answer = answer_question(services, session, args["question"], scope=scope)
    shared = args.get("share") or request.episode_id is not None
    return Reply(
        title=f"Q: {args['question']}",
        answer=answer,
        visibility="in_channel" if shared else "ephemeral",
    )


def search(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """The best-matching transcript passages, each a click from its moment."""
    search_passages = core("bot.search.retrieval", "search_passages")
    with session_scope(services.engine) as session:
        found = search_passages(
            session, args["terms"], scope=AskScope(), limit=5, embedder=services.embedder
        )
    lines = [
        Line(
            f"{p.podcast} · {p.episode}: {_clip(p.text, 280)}",
            url=p.url or None,
            label=f"▶ {format_timestamp(p.start)}",
        )
        for p in found
    ]
    if not lines:
        lines = [Line(f"Nothing found for “{args['terms']}”.")]
    return Reply(title=f"Search: {args['terms']}", lines=lines)


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word with "…" when longer."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def status(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Feeds, failures, queue, next brief and spend."""
    gather_status = core("bot.reports.status", "gather_status")
    with session_scope(services.engine) as session:
        channel = _existing(session, request)
        report = gather_status(services, session, channel=channel)
        lines = [Line(text) for text in status_lines(report)]
    return Reply(title="Status", lines=lines)


def _existing(session: Session, request: CommandRequest) -> Channel | None:
    try:
        return _channel(session, request)
    except NotFound:
        return None


def status_lines(report: Any) -> list[str]:
    """Readable lines from a status report (its own ``lines()`` if it has one)."""
    if hasattr(report, "lines") and callable(report.lines):
        return [str(line) for line in report.lines()]
    if dataclasses.is_dataclass(report):
        report = dataclasses.asdict(report)
    if isinstance(report, dict):
        return [f"{key.replace('_', ' ')}: {_plain(value)}" for key, value in report.items()]
    return [str(line) for line in report] if isinstance(report, list) else [str(report)]


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def why(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Why today's brief picked these items (and why others lost)."""
    explain_brief = core("bot.briefs.compose", "explain_brief")
    with session_scope(services.engine) as session:
        channel = _channel(session, request, personal=bool(args.get("me")))
        explained = explain_brief(services, session, channel, _local_date(services, channel))
    if isinstance(explained, list):
        lines = [Line(str(text)) for text in explained]
    else:
        lines = [Line(f"{item.rank}. {item.text[:120]} — {item.why}") for item in explained.items]
        lines += [Line(text) for text in explained.explanation]
    return Reply(title="Why these items", lines=lines or [Line("Nothing to explain yet.")])
