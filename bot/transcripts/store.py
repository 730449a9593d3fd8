"""An episode's transcript segments in the database: stored once, read back in order."""

from __future__ import annotations

from sqlalchemy import delete, insert
from sqlmodel import Session, select

from bot.core.models import TranscriptSegment
from bot.core.values import Segment


def store_segments(session: Session, episode_id: int, segments: list[Segment]) -> int:
    """Replace the episode's stored segments with ``segments``; returns how many were stored."""
    session.execute(delete(TranscriptSegment).where(TranscriptSegment.episode_id == episode_id))
    rows = [
        {
            "episode_id": episode_id,
            "idx": idx,
            "start": seg.start,
            "end": seg.end,
            "speaker": seg.speaker,
            "text": seg.text,
        }
        for idx, seg in enumerate(segments)
    ]
    if rows:
        session.execute(insert(TranscriptSegment), rows)
    return len(rows)


def load_segments(session: Session, episode_id: int) -> list[Segment]:
    """The episode's stored segments in order (empty when none are stored)."""
    query = (
        select(TranscriptSegment)
        .where(TranscriptSegment.episode_id == episode_id)
        .order_by(TranscriptSegment.idx)
    )
    return [Segment(r.start, r.end, r.speaker, r.text) for r in session.exec(query)]
