"""From a pending episode to segments, insights, summary and index entries.

``process_episode`` does the work for one episode; ``process_pending`` runs it over the queue
with claims from ``bot/jobs/work.py`` (SKIP LOCKED on PostgreSQL), retries and dead-lettering.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.errors import NotYet, PodbriefError, ServiceUnavailable
from bot.core.models import Episode, Insight, Podcast
from bot.core.ports import EpisodeContext, Extraction
from bot.core.services import Services, worker_name
from bot.jobs.work import (
    claim_episodes,
    keep_claim,
    mark_done,
    mark_failed,
    mark_waiting,
    queue_depth,
)

if TYPE_CHECKING:
    import numpy as np

    from bot.core.values import Segment

log = logging.getLogger(__name__)


def episode_context(
    podcast: Podcast, episode: Episode, regulars: frozenset[str] = frozenset()
) -> EpisodeContext:
    """What an insight engine needs to know about ``episode`` besides its segments."""
    return EpisodeContext(
        episode_id=episode.id,
        podcast=podcast.title,
        title=episode.title,
        description=episode.description,
        chapters=list(episode.chapters or []),
        persons=list(episode.persons or []),
        duration_s=episode.duration_s,
        regulars=regulars,
    )


def process_episode(services: Services, episode_id: int) -> None:
    """Transcript → segments → insights and summary → index, for one episode.

    Raises ``PodbriefError`` (with a one-line reason) when the episode cannot be processed now.
    The insight engine and the embedder (each possibly minutes) run with no transaction open:
    SQLite has one write lock, and claims, polls, chat and heartbeats wait at most 30 s for it.
    """
    from bot.insights.extractive import store_extraction, without_made_up_times
    from bot.insights.people import show_regulars
    from bot.search.index import index_episode
    from bot.transcripts.sources import obtain_segments

    with session_scope(services.engine) as session:  # commits the segments it stores
        episode = session.get(Episode, episode_id)
        podcast = session.get(Podcast, episode.podcast_id)
        segments = obtain_segments(services, session, episode)
        context = episode_context(podcast, episode, show_regulars(session, podcast.id, episode.id))
        old_insights = _insight_texts(session, episode_id)
    extraction = without_made_up_times(services.insight_engine.extract(context, segments), segments)
    vectors = _embed_ahead(services, episode_id, segments, extraction, old_insights)
    with session_scope(services.engine) as session:  # one short write: no remote calls inside
        episode = session.get(Episode, episode_id)
        store_extraction(session, episode, extraction)
        index_episode(session, episode_id, vectors=vectors)
        episode.status, episode.status_reason = "done", None
        episode.processed_at = utcnow()
        session.add(episode)


def _insight_texts(session: Session, episode_id: int) -> list[str]:
    """Chunk texts of the episode's stored insights (delivered or rated ones outlive a rerun)."""
    from bot.search.index import insight_chunk_text

    query = select(Insight.text, Insight.quote).where(Insight.episode_id == episode_id)
    return [insight_chunk_text(text, quote) for text, quote in session.exec(query)]


def _embed_ahead(
    services: Services,
    episode_id: int,
    segments: list[Segment],
    extraction: Extraction,
    old_insights: list[str],
) -> dict[str, np.ndarray] | None:
    """Vectors by chunk text for every chunk the episode can get; None if not embedding."""
    from bot.search.index import planned_chunk_texts
    from bot.search.vectors import embed_texts

    if services.embedder is None:
        return None
    texts = planned_chunk_texts(segments, extraction, old_insights)
    try:
        return dict(zip(texts, embed_texts(texts, services.embedder), strict=True))
    except ServiceUnavailable as exc:
        log.warning("episode %s indexed without embeddings: %s", episode_id, exc)
        return None


Step = Callable[[Services, int], None]
# How soon a waiting episode (a running transcription) is retried.
WAIT_RECHECK = timedelta(minutes=1)


def process_pending(
    services: Services,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    step: Step | None = None,
    stop: threading.Event | None = None,
) -> dict[str, int]:
    """Claim and process pending episodes, PROCESS_CONCURRENCY at a time, until none are left.

    Each slot claims one episode at a time, so several workers (processes) share the queue
    fairly and nothing is processed twice. Failures are retried with backoff and dead-lettered
    after PROCESS_MAX_ATTEMPTS; one failure never stops the others. Setting ``stop`` makes the
    slots finish their current episode and take no more.
    """
    run = _Run(services, step or process_episode, stop or threading.Event(), on_progress)
    concurrency = max(1, services.settings.process_concurrency)
    with ThreadPoolExecutor(concurrency, thread_name_prefix="process") as pool:
        pending = {pool.submit(run.slot) for _ in range(concurrency)}
        while pending:
            # Short waits keep the calling thread responsive to signals (SIGTERM sets ``stop``).
            done, pending = wait(pending, timeout=0.5)
            for future in done:
                future.result()
    return run.summary()


class _Run:
    """One pass over the queue: shared counters for the worker slots."""

    def __init__(self, services: Services, step: Step, stop: threading.Event, on_progress) -> None:
        self.services, self.step, self.stop, self.on_progress = services, step, stop, on_progress
        self.worker = worker_name(services)
        self.total = queue_depth(services.engine, now=services.clock.now())
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def summary(self) -> dict[str, int]:
        """``done`` and ``failed`` (dead-lettered included), plus ``dead``/``waiting`` if any."""
        dead = self.counts["dead"]
        result = {"done": self.counts["done"], "failed": self.counts["failed"] + dead}
        extra = {key: self.counts[key] for key in ("dead", "waiting") if self.counts[key]}
        return {**result, **extra}

    def slot(self) -> None:
        engine, clock = self.services.engine, self.services.clock
        while not self.stop.is_set():
            ids = claim_episodes(engine, worker=self.worker, limit=1, now=clock.now())
            if not ids:
                return
            outcome = self._process(ids[0])
            with self.lock:
                self.counts[outcome] += 1
                finished = sum(self.counts.values())
            if self.on_progress:
                self.on_progress(finished, max(self.total, finished))

    def _process(self, episode_id: int) -> str:
        settings, engine = self.services.settings, self.services.engine
        heartbeat_s = settings.claim_timeout_minutes * 60 / 3
        try:
            with keep_claim(
                engine,
                episode_id,
                worker=self.worker,
                every_s=heartbeat_s,
                clock=self.services.clock,
            ):
                self.step(self.services, episode_id)
        except NotYet as exc:  # TranscriptionPending too: "not yet" uses up no attempt
            mark_waiting(
                engine,
                episode_id,
                worker=self.worker,
                reason=str(exc),
                now=self.services.clock.now(),
                retry_in=WAIT_RECHECK,
            )
            return "waiting"
        except Exception as exc:  # one episode's failure never stops the others
            if not isinstance(exc, PodbriefError):
                log.exception("episode %s crashed its step", episode_id)
            return mark_failed(
                engine,
                episode_id,
                worker=self.worker,
                reason=str(exc) or exc.__class__.__name__,
                now=self.services.clock.now(),
                max_attempts=settings.process_max_attempts,
                first_retry=timedelta(minutes=settings.process_retry_minutes),
            )
        mark_done(engine, episode_id, worker=self.worker, now=self.services.clock.now())
        return "done"
