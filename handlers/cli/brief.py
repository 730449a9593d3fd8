"""``podbrief brief`` and ``podbrief summary``: the brief and episode summaries from the shell."""

from __future__ import annotations

import logging
from datetime import date
from typing import NoReturn

import typer
from rich.console import Console
from sqlalchemy import or_
from sqlmodel import Session, select

from bot.briefs.compose import compose_brief, compose_topic_brief
from bot.core.errors import InvalidInput, NotFound, PodbriefError
from bot.core.models import Channel
from bot.core.services import Services
from bot.core.values import Brief
from bot.insights.summaries import get_summary
from handlers.cli.output import print_json
from handlers.cli.root import runtime

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    """Add the ``brief`` and ``summary`` commands."""
    app.command("brief")(brief_command)
    app.command("summary")(summary_command)


def brief_command(
    ctx: typer.Context,
    channel: str | None = typer.Option(None, "--channel", help="Channel id, platform ref or name."),
    topic: list[str] = typer.Option(
        [], "--topic", help="An ad-hoc topic (repeatable) instead of a channel's topics."
    ),
    day: str | None = typer.Option(None, "--date", help="Local date YYYY-MM-DD (default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON contract shape."),
) -> None:
    """Compose the brief for a channel or for ad-hoc topics (read-only: nothing is recorded)."""

    services = runtime(ctx).services()
    try:
        brief = build_brief(services, channel, topic, day)
    except PodbriefError as exc:
        _fail(exc)
    if as_json:
        print_json(brief.to_json())
        return
    from handlers.console.render import print_brief

    print_brief(Console(), brief)


def build_brief(
    services: Services, channel_ref: str | None, topics: list[str], day: str | None
) -> Brief:
    """The brief the options ask for; one channel is used when there is exactly one."""
    with Session(services.engine, expire_on_commit=False) as session:
        if topics:
            local_date = parse_date(day) or services.clock.now().date()
            return compose_topic_brief(services, session, topics, local_date)
        channel = find_channel(session, channel_ref)
        local_date = parse_date(day) or _local_today(services, channel)
        return compose_brief(services, session, channel, local_date)


def summary_command(
    ctx: typer.Context,
    episode_id: int = typer.Argument(..., help="Episode id (see `podbrief episodes list`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON contract shape."),
) -> None:
    """Print an episode's summary: what it covers, key points with times, guests, topics."""

    services = runtime(ctx).services()
    try:
        with Session(services.engine) as session:
            view = get_summary(session, episode_id)
    except PodbriefError as exc:
        _fail(exc)
    if as_json:
        print_json(view.to_json())
        return
    from handlers.console.render import render_summary

    Console().print(render_summary(view))


def find_channel(session: Session, ref: str | None) -> Channel:
    """A channel by id, platform ref or name; the only channel when ``ref`` is None."""
    if ref is None:
        channels = session.exec(select(Channel).limit(2)).all()
        if len(channels) == 1:
            return channels[0]
        raise InvalidInput("Say which brief: --channel REF or --topic TEXT.")
    conditions = [Channel.channel_ref == ref, Channel.name == ref]
    if ref.isdigit():
        conditions.append(Channel.id == int(ref))
    channel = session.exec(select(Channel).where(or_(*conditions))).first()
    if channel is None:
        raise NotFound(f"No channel {ref!r}.")
    return channel


def parse_date(value: str | None) -> date | None:
    """``YYYY-MM-DD`` → date; a one-line InvalidInput otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"Not a date: {value!r} (use YYYY-MM-DD).") from None


def _local_today(services: Services, channel: Channel) -> date:
    from zoneinfo import ZoneInfo

    try:
        return services.clock.now().astimezone(ZoneInfo(channel.timezone)).date()
    except (KeyError, ValueError):
        return services.clock.now().date()


def _fail(exc: PodbriefError) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)
