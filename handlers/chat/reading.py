"""Handlers for the reading commands: podcasts, episodes, summary, brief, ask, search, status, why.

The core does the work; these only shape replies.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.ask import answers
from bot.briefs import compose
from bot.channels import schedule as channel_schedule
from bot.channels import subscriptions as channel_store
from bot.core.db import session_scope
from bot.core.errors import NotFound
from bot.core.models import Channel
from bot.core.moments import moment_label, point_mark
from bot.core.services import Services
from bot.core.values import AskScope
from bot.delivery import followups, todays_brief
from bot.feeds import catalog
from bot.feeds import store as feed_store
from bot.feeds.health import FeedHealth, feed_health
from bot.insights import summaries
from bot.reports import status as status_report
from bot.search import retrieval
from handlers.chat.channels import find_request_channel, reading_channel, visible_to
from handlers.chat.replies import CommandRequest, Line, Reply

log = logging.getLogger(__name__)


def _local_date(services: Services, channel: Channel) -> date:
    return channel_schedule.local_today(channel, services.clock.now())


def podcasts(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """The podcasts this channel follows, with their health (and how many others podbrief has)."""
    with session_scope(services.engine) as session:
        channel = find_request_channel(session, request, personal=request.is_dm)
        followed = channel_store.list_subscriptions(session, channel).podcasts if channel else []
        visible = visible_to(session, request)
        everything = feed_store.list_feeds(session, visible=visible)
        lines = [Line(_feed_line(feed_health(feed, services.settings))) for feed in followed]
    others = len({p.id for p in everything} - {p.id for p in followed})
    if not followed:
        lines = [Line("This channel follows no podcasts yet. Add one with `follow FEED_URL`.")]
        if others:
            shows = f"{others} podcast{'' if others == 1 else 's'}"
            lines.append(Line(f"Its topics draw on the {shows} podbrief already has."))
    elif others:
        shows = f"{others} more podcast{'' if others == 1 else 's'}"
        lines.append(Line(f"Its topics also draw on {shows} podbrief has."))
    return Reply(title="Podcasts this channel follows", lines=lines)


def _feed_line(health: FeedHealth) -> str:
    return f"#{health.podcast_id} {health.name} — {health.summary(None)}"


def episodes(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Recent episodes, optionally of one podcast."""
    with session_scope(services.engine) as session:
        rows = catalog.recent_episodes(
            session, podcast_ref=args.get("podcast"), limit=10, visible=visible_to(session, request)
        )
        lines = [_episode_line(episode, podcast) for episode, podcast in rows]
    if not lines:
        lines = [Line("No episodes yet. Follow a show with `follow FEED_URL` to add some.")]
    return Reply(title="Recent episodes", lines=lines)


def _episode_line(episode: Any, podcast: Any) -> Line:
    when = episode.published_at.date().isoformat() if episode.published_at else "undated"
    text = f"#{episode.id} {podcast.title} · {episode.title} ({when}, {episode.status})"
    return Line(text, url=episode.link or None, label="page" if episode.link else None)


def summary(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """An episode's summary with its key moments."""
    with session_scope(services.engine) as session:
        visible = visible_to(session, request)
        episode, podcast = catalog.get_episode(session, args["episode"], visible=visible)
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
    # an empty brief's reason is rendered with the brief itself; a topic with nothing new
    # beside other topics' items still says so, with what there is instead
    lines = [Line(note) for note in composed.notes] if composed.items else []
    shared = not (args.get("me") or request.is_dm)
    visibility = "in_channel" if shared else "ephemeral"
    return Reply(title=today.heading(channel), brief=composed, lines=lines, visibility=visibility)


def ask(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """A cited answer; private unless ``--share`` (or asked in a brief's thread)."""
    question = args["question"]
    with session_scope(services.engine) as session:
        visible = visible_to(session, request)  # a workspace sees its own and public shows
        if request.episode_id is not None:  # a brief thread's follow-up: that episode first
            answer = followups.answer_followup(
                services, session, question, request.episode_id, visible=visible
            )
        else:
            scope = AskScope(podcast_ids=visible)
            answer = answers.answer_question(services, session, question, scope=scope)
        if not answer.passages and (hint := catalog.empty_library_hint(session, chat=True)):
            answer = replace(answer, answer=hint)  # nothing processed yet: say how
    shared = args.get("share") or request.episode_id is not None
    return Reply(
        title=f"Q: {args['question']}",
        answer=answer,
        visibility="in_channel" if shared else "ephemeral",
    )


def search(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """The best-matching transcript passages, each a click from its moment."""
    with session_scope(services.engine) as session:
        scope = AskScope(podcast_ids=visible_to(session, request))
        found = retrieval.search_passages(
            session, args["terms"], scope=scope, limit=5, embedder=services.embedder
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
        report = status_report.gather_status(
            services, session, channel=channel, visible=visible_to(session, request)
        )
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
