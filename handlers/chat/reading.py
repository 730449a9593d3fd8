"""Handlers for the reading commands: podcasts, episodes, summary, brief, ask, search, status, why.

The core does the work; these only shape replies.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.ask import answers
from bot.briefs import compose
from bot.channels import schedule as channel_schedule
from bot.core.db import session_scope
from bot.core.errors import NotFound
from bot.core.models import Channel
from bot.core.moments import moment_label, point_mark
from bot.core.services import Services
from bot.core.urlsafety import shown_name
from bot.core.values import AskScope
from bot.delivery import todays_brief
from bot.feeds import catalog
from bot.feeds import store as feed_store
from bot.insights import summaries
from bot.reports import status as status_report
from bot.search import retrieval
from handlers.chat.channels import reading_channel
from handlers.chat.replies import CommandRequest, Line, Reply

log = logging.getLogger(__name__)


def _local_date(services: Services, channel: Channel) -> date:
    return channel_schedule.local_today(channel, services.clock.now())


def podcasts(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Every feed podbrief polls, with its health."""
    with session_scope(services.engine) as session:
        feeds = list(feed_store.list_feeds(session))
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
    with session_scope(services.engine) as session:
        episode, podcast = catalog.get_episode(session, args["episode"])
        found = summaries.get_summary(session, episode.id)
        title = f"{podcast.title} · {episode.title}" if podcast else episode.title
    lines = [Line(found.summary)]
    lines += [
        Line(f"{point_mark(float(point['start']))} {point['text']}") for point in found.key_points
    ]
    if found.topics:
        lines.append(Line("Topics: " + ", ".join(found.topics)))
    return Reply(title=title, lines=lines)


def brief(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Today's brief for this channel (or your own): posted once, then shown as already posted."""
    with session_scope(services.engine) as session:
        channel = reading_channel(session, request, personal=bool(args.get("me")))
    # Outside the session: the claim commits in its own transaction (SQLite has one writer).
    # The channel's publisher lets taking over a stalled day first ask whether it posted.
    publisher = services.publishers.get(channel.platform)
    today = todays_brief.brief_now(services, channel, services.clock.now(), publisher)
    composed = today.brief
    lines = [] if composed.items else [Line(composed.empty_reason or "Nothing new today.")]
    shared = not (args.get("me") or request.is_dm)
    visibility = "in_channel" if shared else "ephemeral"
    return Reply(title=today.heading(channel), brief=composed, lines=lines, visibility=visibility)


def ask(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """A cited answer; private unless ``--share`` (or asked in a brief's thread)."""
    scope = AskScope(episode_id=request.episode_id)
    with session_scope(services.engine) as session:
        answer = answers.answer_question(services, session, args["question"], scope=scope)
    shared = args.get("share") or request.episode_id is not None
    return Reply(
        title=f"Q: {args['question']}",
        answer=answer,
        visibility="in_channel" if shared else "ephemeral",
    )


def search(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """The best-matching transcript passages, each a click from its moment."""
    with session_scope(services.engine) as session:
        found = retrieval.search_passages(
            session, args["terms"], scope=AskScope(), limit=5, embedder=services.embedder
        )
    lines = [
        Line(
            f"{p.podcast} · {p.episode}: {_clip(p.text, 280)}",
            url=p.url or None,
            label=moment_label(p.start),
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
    with session_scope(services.engine) as session:
        channel = _existing(session, request)
        report = status_report.gather_status(services, session, channel=channel)
    return Reply(title="Status", lines=[Line(text) for text in report.lines()])


def _existing(session: Session, request: CommandRequest) -> Channel | None:
    try:
        return reading_channel(session, request)
    except NotFound:
        return None


def why(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Why today's brief picked these items (and why others lost)."""
    with session_scope(services.engine) as session:
        channel = reading_channel(session, request, personal=bool(args.get("me")))
        explained = compose.explain_brief(
            services, session, channel, _local_date(services, channel)
        )
    lines = [Line(text) for text in explained]
    return Reply(title="Why these items", lines=lines or [Line("Nothing to explain yet.")])
