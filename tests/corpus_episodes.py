"""Load corpus transcripts into a database as episodes (test helper, not a second parser).

Uses ``bot.transcripts.parse_transcript``; until that lands, VTT/SRT files are read with
webvtt-py so the search tests can run.
"""

from __future__ import annotations

import re
from pathlib import Path

import webvtt
from sqlalchemy import insert
from sqlmodel import Session

from bot.models import Episode, Podcast, TranscriptSegment
from bot.transcripts import Segment, parse_transcript

SPEAKER = re.compile(r"^<v\s+([^>]+)>")


def load_segments(path: Path) -> list[Segment]:
    """Segments of one corpus transcript file."""
    try:
        return list(parse_transcript(path.read_bytes(), filename=path.name).segments)
    except NotImplementedError:
        return _webvtt_segments(path)


def _webvtt_segments(path: Path) -> list[Segment]:
    raw = path.read_text(encoding="utf-8", errors="replace")
    captions = webvtt.from_srt(str(path)) if _is_srt(raw) else webvtt.from_buffer(_as_vtt(raw))
    segments = []
    for caption in captions:
        text = " ".join(caption.text.split())
        speaker = None
        match = SPEAKER.match(caption.raw_text.strip()) if caption.raw_text else None
        if match:
            speaker = match.group(1).strip()
        if text:
            segments.append(
                Segment(caption.start_in_seconds, caption.end_in_seconds, speaker, text)
            )
    return segments


def _is_srt(raw: str) -> bool:
    return not raw.lstrip("\ufeff").startswith("WEBVTT") and bool(
        re.search(r"\d+:\d+:\d+,\d+", raw)
    )


def _as_vtt(raw: str):
    import io

    text = raw.lstrip("\ufeff")
    return io.StringIO(text if text.startswith("WEBVTT") else "WEBVTT\n\n" + text)


def add_episode(
    session: Session,
    podcast: Podcast,
    title: str,
    segments: list[Segment],
    *,
    audio_url: str = "",
    published_at=None,
) -> Episode:
    """Store an episode with its segments (flushes, does not commit)."""
    episode = Episode(
        podcast_id=podcast.id,
        identity=f"title:{title}",
        title=title,
        audio_url=audio_url,
        published_at=published_at,
        status="done",
    )
    session.add(episode)
    session.flush()
    rows = [
        {"episode_id": episode.id, "idx": i, "start": s.start, "end": s.end}
        | {"speaker": s.speaker, "text": s.text}
        for i, s in enumerate(segments)
    ]
    if rows:  # Core insert: building thousands of ORM objects is the slow part of these tests
        session.execute(insert(TranscriptSegment), rows)
    return episode
