"""Paid transcription of episodes without a publisher transcript: policy, budget, resume.

``bot.transcripts.sources.obtain_segments`` calls ``transcribe_episode`` only when the feed has no
transcript and a transcriber is configured. The web process mounts
``handle_assemblyai_webhook`` when ASSEMBLYAI_WEBHOOK_URL is set.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping

from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.core.errors import (
    PodbriefError,
    TranscriptionFailed,
    TranscriptionPending,
    TranscriptionSkipped,
)
from bot.core.models import Channel, Episode, Subscription
from bot.core.ports import Transcription
from bot.core.services import Services
from bot.core.values import Segment
from bot.costs.spend import ASSUMED_EPISODE_S, current_budget
from bot.costs.usage import UsageEvent, usage_row
from bot.transcripts.store import store_segments

log = logging.getLogger(__name__)

# The ranking's default ``min_relevance``: transcribe what a brief could actually use.
MIN_TOPIC_RELEVANCE = 0.5

WEBHOOK_AUTH_HEADER = "X-Podbrief-Webhook-Secret"  # carries WEBHOOK_SECRET on callbacks


def transcribe_episode(services: Services, session: Session, episode: Episode) -> list[Segment]:
    """Segments for ``episode`` from the paid transcriber, within policy and budget.

    Commits ``session`` when it records the job id (so a restart resumes the job rather than
    paying twice) and when it marks the episode skipped (so the reason survives the raise).
    Raises ``TranscriptionSkipped``, ``TranscriptionPending``, ``TranscriptionFailed`` or
    ``ServiceUnavailable``; the episode is never lost.
    """
    if not episode.assemblyai_id:
        if reason := skip_reason(services, session, episode):
            _mark_skipped(session, episode, reason)
            raise TranscriptionSkipped(f"not transcribed: {reason}")
        if not episode.audio_url:
            raise TranscriptionFailed("not transcribed: the episode has no audio URL")

    def remember(job_id: str) -> None:
        episode.assemblyai_id = job_id
        episode.updated_at = utcnow()
        session.add(episode)
        session.commit()

    try:
        result = services.transcriber.transcribe(
            episode.audio_url, job_id=episode.assemblyai_id, on_submitted=remember
        )
    except TranscriptionFailed as exc:
        _record_error(session, episode, str(exc))
        raise
    except TranscriptionPending as exc:
        if getattr(services.transcriber, "uses_webhook", False):
            # Parked until AssemblyAI calls back (handle_assemblyai_webhook re-queues it), so
            # repeated `process` runs neither poll it nor use up its attempts.
            episode.status = "transcribing"
            _record_error(session, episode, str(exc))
        raise
    _record_result(services, session, episode, result)
    return result.segments


def skip_reason(services: Services, session: Session, episode: Episode) -> str | None:
    """Why policy or budget keeps ``episode`` from paid transcription, or None."""
    settings = services.settings
    if settings.transcribe == "never":
        return "TRANSCRIBE=never"
    if settings.transcribe == "matching" and not matches_any_channel(session, episode):
        return "no channel's topics match its title, notes or chapters (TRANSCRIBE=matching)"
    hours = (episode.duration_s or ASSUMED_EPISODE_S) / 3600.0
    budget = current_budget(session, settings, services.clock.now(), episode.id)
    return budget.refusal(hours)


def matches_any_channel(session: Session, episode: Episode) -> bool:
    """True when an active channel follows the show or a topic the episode's text is about.

    Uses the same topic expansion (stems, synonyms, corpus) and threshold as the brief's ranking.
    """
    from bot.text.keyphrases import stem_set
    from bot.text.topics import expand_terms, relevance

    query = (
        select(Subscription.topic, Subscription.podcast_id)
        .join(Channel, col(Channel.id) == Subscription.channel_id)
        .where(Channel.status == "active")
    )
    doc = stem_set(episode_text(episode))
    for topic, podcast_id in session.exec(query):
        if podcast_id is not None and podcast_id == episode.podcast_id:
            return True
        if topic and relevance(expand_terms(session, topic), doc) >= MIN_TOPIC_RELEVANCE:
            return True
    return False


def episode_text(episode: Episode) -> str:
    """The episode's title, notes and chapter titles: what policy matches topics against."""
    chapters = " ".join(str(c.get("title", "")) for c in episode.chapters or [])
    return f"{episode.title} {episode.description} {chapters}"


def _record_result(
    services: Services, session: Session, episode: Episode, result: Transcription
) -> None:
    event = UsageEvent(
        service="assemblyai",
        operation="transcribe",
        model="universal",
        audio_seconds=result.audio_seconds,
        episode_id=episode.id,
    )
    session.add(usage_row(services.settings, event, services.clock.now()))
    store_segments(session, episode.id, result.segments)
    episode.transcript_source, episode.transcript_format = "assemblyai", "json"
    episode.language = result.language or episode.language
    if not episode.duration_s and result.audio_seconds:
        episode.duration_s = result.audio_seconds
    session.add(episode)


def _mark_skipped(session: Session, episode: Episode, reason: str) -> None:
    log.info("episode %s skipped: %s", episode.id, reason)
    episode.status, episode.status_reason = "skipped", reason
    episode.updated_at = utcnow()
    session.add(episode)
    session.commit()


def _record_error(session: Session, episode: Episode, reason: str) -> None:
    episode.status_reason = reason
    episode.updated_at = utcnow()
    session.add(episode)
    session.commit()


def handle_assemblyai_webhook(
    services: Services, payload: Mapping, headers: Mapping[str, str] | None = None
) -> str:
    """Take AssemblyAI's completion callback: requeue the episode that owns the job.

    Mount it in the web process at ASSEMBLYAI_WEBHOOK_URL (POST, JSON body). The next
    ``process`` run resumes the job by id and fetches the finished transcript (no new charge).
    Returns "requeued", "already done" or "unknown job"; raises ``PodbriefError`` when refused.
    """
    _check_webhook_secret(services, headers or {})
    job_id = str(payload.get("transcript_id") or "")
    status = str(payload.get("status") or "")
    if not job_id:
        raise PodbriefError("webhook payload has no transcript_id")
    from bot.core.db import session_scope

    with session_scope(services.engine) as session:
        episode = session.exec(select(Episode).where(Episode.assemblyai_id == job_id)).first()
        if episode is None:
            log.warning("AssemblyAI webhook for unknown job %s", job_id)
            return "unknown job"
        if episode.status == "done":
            return "already done"
        episode.status = "pending"
        episode.status_reason = None if status == "completed" else f"AssemblyAI status {status}"
        episode.next_attempt_at = None
        episode.updated_at = utcnow()
        session.add(episode)
    return "requeued"


def _check_webhook_secret(services: Services, headers: Mapping[str, str]) -> None:
    secret = services.settings.assemblyai_webhook_secret
    if secret is None:
        return
    lowered = {k.lower(): v for k, v in headers.items()}
    given = lowered.get(WEBHOOK_AUTH_HEADER.lower(), "")
    if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
        raise PodbriefError("webhook refused: bad or missing secret header")
