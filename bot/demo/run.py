"""The offline demo: bundled sample feeds served on 127.0.0.1, through the production path."""

from __future__ import annotations

import asyncio
import io
import logging
import mimetypes
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import format_datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bot.briefs.compose import compose_brief
from bot.channels import subscriptions as channels
from bot.core.clock import utcnow
from bot.core.config import Settings
from bot.core.models import Channel, Podcast
from bot.core.services import Services
from bot.core.values import Brief

log = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).with_name("samples")
DEMO_TOPICS = ("open-source AI", "developer tools")
DEMO_CHANNEL = "demo"
PLACEHOLDER_RE = re.compile(r"\{\{(BASE_URL|DAYS_AGO:(\d+))\}\}")
CONTENT_TYPES = {
    ".xml": "application/rss+xml",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
}

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class DemoResult:
    """What the demo did and the brief it composed."""

    brief: Brief
    feeds: int = 0
    episodes: int = 0
    processed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    ready: int = 0  # the demo's episodes processed, this run or an earlier one on this database


def sample_feeds(samples: Path = SAMPLES_DIR) -> list[str]:
    """The sample shows (directories holding a feed.xml), in name order."""
    return sorted(p.parent.name for p in samples.glob("*/feed.xml"))


def fill_placeholders(text: str, base_url: str) -> str:
    """Replace ``{{BASE_URL}}`` and ``{{DAYS_AGO:N}}`` (an RFC 2822 date N days ago)."""
    now = utcnow()

    def replace(match: re.Match) -> str:
        if match.group(1) == "BASE_URL":
            return base_url
        return format_datetime(now - timedelta(days=int(match.group(2))))

    return PLACEHOLDER_RE.sub(replace, text)


class _SampleHandler(SimpleHTTPRequestHandler):
    """Serves the samples directory, filling placeholders in text files."""

    base_url = ""

    def send_head(self) -> io.BytesIO | None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404, "not found")
            return None
        data = path.read_bytes()
        if b"{{" in data:
            data = fill_placeholders(data.decode("utf-8"), self.base_url).encode("utf-8")
        self.send_response(200)
        content_type = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        self.send_header("Content-Type", content_type or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("demo server: " + format, *args)


@contextmanager
def serve_samples(samples: Path = SAMPLES_DIR) -> Iterator[str]:
    """Serve ``samples`` on a random free port of 127.0.0.1; yields the base URL."""
    handler = type("Handler", (_SampleHandler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(samples)))
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="demo-server", daemon=True)
    thread.start()
    try:
        yield handler.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def demo_settings(settings: Settings, database_url: str) -> Settings:
    """The demo's own settings: its database, every sample episode, local URLs allowed.

    The private-address allowance lives only in this copy, used only by the demo's services.
    """
    return settings.model_copy(
        update={
            "database_url": database_url,
            "allow_private_urls": True,
            "initial_episodes": max(settings.initial_episodes, 10),
        }
    )


def run_demo(services: Services, base_url: str, progress: Progress | None = None) -> DemoResult:
    """Follow the sample feeds, poll, process every episode and compose the demo brief.

    Idempotent: a rerun on the same database reuses its sample feeds (found by their
    ``demo_sample`` mark, served at this run's address) instead of adding three more.
    """
    from bot.feeds.fetching import SafeFetcher
    from bot.feeds.polling import poll_feeds
    from bot.jobs.pipeline import process_pending

    report = progress or (lambda stage, done, total: None)
    shows = sample_feeds()
    ids = follow_samples(services, base_url, shows)
    report("poll", 0, len(shows))
    polled = 0

    def on_polled(_outcome) -> None:
        nonlocal polled
        polled += 1
        report("poll", polled, len(shows))

    poll = asyncio.run(_poll(services, ids, poll_feeds, SafeFetcher, on_polled))
    errors = [f"{o.url}: {o.error}" for o in poll.outcomes if o.error]
    outcome = process_pending(services, on_progress=lambda n, total: report("process", n, total))
    brief = _demo_brief(services)
    return DemoResult(
        brief=brief,
        feeds=len(shows),
        episodes=poll.new,
        processed=outcome.get("done", 0),
        failed=outcome.get("failed", 0),
        errors=errors,
        ready=_ready(services, ids),
    )


def _ready(services: Services, podcast_ids: list[int]) -> int:
    """How many of the sample feeds' episodes are processed."""
    from sqlalchemy import func

    from bot.core.db import session_scope
    from bot.core.models import Episode

    with session_scope(services.engine) as session:
        query = select(func.count()).where(
            Episode.podcast_id.in_(podcast_ids),  # type: ignore[attr-defined]
            Episode.status == "done",
        )
        return session.exec(query).one()


def follow_samples(services: Services, base_url: str, shows: list[str]) -> list[int]:
    """The sample feeds' podcast ids, created once and pointed at this run's server."""
    from bot.core.db import session_scope

    ids: list[int] = []
    with session_scope(services.engine) as session:
        for show in shows:
            url = f"{base_url}/{show}/feed.xml"
            podcast = session.exec(select(Podcast).where(Podcast.demo_sample == show)).first()
            if podcast is None:
                podcast = Podcast(url=url, demo_sample=show)
            podcast.url, podcast.status = url, "active"  # this run's port; a rerun revives it
            podcast.failure_count, podcast.last_error = 0, None
            session.add(podcast)
            session.flush()
            assert podcast.id is not None
            ids.append(podcast.id)
    return ids


async def _poll(
    services: Services,
    ids: list[int],
    poll_feeds: Callable,
    fetcher_class: type,
    on_polled: Callable,
) -> Any:
    fetcher = fetcher_class(services.settings, allow_private=True)
    try:
        return await poll_feeds(services, fetcher=fetcher, podcast_ids=ids, on_progress=on_polled)
    finally:
        await fetcher.aclose()


def _demo_brief(services: Services) -> Brief:
    """The brief of a sample channel following two topics, for today."""
    with Session(services.engine, expire_on_commit=False) as session:
        channel = ensure_demo_channel(session)
        session.commit()
        return compose_brief(services, session, channel, services.clock.now().date())


def ensure_demo_channel(session: Session, topics: tuple[str, ...] = DEMO_TOPICS) -> Channel:
    """The console channel the demo composes for, subscribed to ``topics``."""
    channel = channels.get_or_create_channel(
        session, platform="console", team_id="", channel_ref=DEMO_CHANNEL, name="demo"
    )
    for topic in topics:
        channels.subscribe_topic(session, channel, topic, user_id="demo")
    return channel
