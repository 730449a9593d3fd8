"""Where an episode's segments come from: stored, the publisher's transcript, or transcription."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.core.errors import FetchError, InvalidInput, TranscriptError
from bot.core.models import Episode
from bot.core.ports import Fetcher
from bot.core.sync import run_coroutine
from bot.core.urlsafety import shown
from bot.core.values import Segment
from bot.transcripts.parse import ParsedTranscript, parse_transcript
from bot.transcripts.sniff import declared_format
from bot.transcripts.store import load_segments, store_segments
from bot.transcripts.transcription import transcribe_episode

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger(__name__)

# Best first: structured JSON keeps speakers and word times; captions are tuned for screens.
_FORMAT_RANK = {"json": 0, "vtt": 1, "srt": 2, "html": 3, "text": 4, "markdown": 4, "xml": 5}
_UNKNOWN_RANK = 6
_CAPTIONS_PENALTY = 10


def transcript_rank(entry: dict) -> int:
    """Lower is better: JSON > VTT > SRT > HTML > text > unknown, ``rel="captions"`` last."""
    fmt = declared_format(entry.get("type"), entry.get("url"))
    rank = _FORMAT_RANK.get(fmt, _UNKNOWN_RANK) if fmt else _UNKNOWN_RANK
    return rank + (_CAPTIONS_PENALTY if (entry.get("rel") or "").lower() == "captions" else 0)


def choose_transcripts(entries: list[dict]) -> list[dict]:
    """The feed's transcript entries with a URL, best first (stable for equal ranks)."""
    usable = [e for e in entries if isinstance(e, dict) and e.get("url")]
    return sorted(usable, key=transcript_rank)


async def fetch_publisher_transcript(
    entries: list[dict], fetcher: Fetcher, *, max_bytes: int
) -> tuple[dict, ParsedTranscript]:
    """Fetch and parse the best transcript, falling back to the next on fetch or parse failure."""
    candidates = choose_transcripts(entries)
    if not candidates:
        raise TranscriptError("the feed publishes no transcript for this episode")
    reasons: list[str] = []
    for entry in candidates:
        try:
            return entry, await _fetch_one(entry, fetcher, max_bytes=max_bytes)
        except (FetchError, InvalidInput, TranscriptError) as exc:
            # The reason becomes Episode.status_reason, shown in chat: no URL tokens there.
            log.info("publisher transcript %s unusable: %s", shown(entry["url"]), exc)
            reasons.append(f"{shown(entry['url'])}: {exc}")
    raise TranscriptError("no usable publisher transcript (" + "; ".join(reasons) + ")")


async def _fetch_one(entry: dict, fetcher: Fetcher, *, max_bytes: int) -> ParsedTranscript:
    result = await fetcher.get(entry["url"], max_bytes=max_bytes)
    if result.status != 200:
        raise FetchError(f"HTTP {result.status}")
    if len(result.content) > max_bytes:  # a fetcher that ignores the cap must not get past it
        raise FetchError(f"transcript larger than {max_bytes} bytes")
    mime = entry.get("type") or result.headers.get("content-type")
    return parse_transcript(result.content, mime=mime, filename=result.url or entry["url"])


def obtain_segments(services: Services, session: Session, episode: Episode) -> list[Segment]:
    """Stored segments; else the publisher's transcript; else transcription when it is on."""
    stored = load_segments(session, episode.id)
    if stored:
        return stored
    if episode.transcripts:
        try:
            return _publisher_segments(services, session, episode)
        except TranscriptError as exc:
            if services.transcriber is None:
                raise
            log.info("episode %s: %s; transcribing instead", episode.id, exc)
    if services.transcriber is not None:
        return transcribe_episode(services, session, episode)
    raise TranscriptError("no transcript: the feed publishes none and transcription is off")


def _publisher_segments(services: Services, session: Session, episode: Episode) -> list[Segment]:
    from bot.feeds.fetching import SafeFetcher

    async def fetch() -> tuple[dict, ParsedTranscript]:
        fetcher = SafeFetcher(services.settings)
        try:
            return await fetch_publisher_transcript(
                list(episode.transcripts or []),
                fetcher,
                max_bytes=services.settings.max_transcript_bytes,
            )
        finally:
            close = getattr(fetcher, "aclose", None)
            if close is not None:
                await close()

    entry, parsed = run_coroutine(fetch())
    store_segments(session, episode.id, parsed.segments)
    episode.transcript_source, episode.transcript_format = "publisher", parsed.format
    episode.language = episode.language or entry.get("language") or None
    session.add(episode)
    log.info("episode %s: %d segments from %s", episode.id, len(parsed.segments), entry["url"])
    return parsed.segments
