"""Context-aware reranking of full-text candidates: neighbours and the episode as evidence.

A chunk is cut at about 300 words, but the talk about a topic often spans a boundary, and an
episode that matches the question in many places is likelier to hold the answer than one
stray match elsewhere. Both signals come from the candidate list itself (no extra search).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlmodel import Session

from bot.search.rows import Place, rows_by_ids

log = logging.getLogger(__name__)

NEIGHBOUR_WEIGHT = 0.2
EPISODE_WEIGHT = 0.5
EPISODE_TOP = 3


def rerank_with_context(
    session: Session,
    ranked: Sequence[tuple[int, float]],
    *,
    neighbour_weight: float = NEIGHBOUR_WEIGHT,
    episode_weight: float = EPISODE_WEIGHT,
    kinds: Sequence[str] | None = None,
    keep: int | None = None,
    places: Mapping[int, Place] | None = None,
) -> list[tuple[int, float]]:
    """Add a share of adjacent chunks' and the episode's best scores to each chunk's score.

    With ``kinds``, other kinds of chunk are dropped first and the best ``keep`` are kept:
    one lookup of the candidates serves both (a separate filter query cost milliseconds).
    ``places`` (chunk id → episode id, kind, idx), when the ranking query gave them, spare
    that lookup.
    """
    if not ranked:
        return []
    ids = [chunk_id for chunk_id, _ in ranked]
    where = places if places is not None else _places(session, ids)
    if kinds is not None:
        ranked = [pair for pair in ranked if pair[0] in where and where[pair[0]][1] in kinds]
        ranked = ranked[:keep] if keep is not None else ranked
        ids = [chunk_id for chunk_id, _ in ranked]
    if neighbour_weight == 0 and episode_weight == 0:
        return list(ranked)
    score = dict(ranked)
    at: dict[tuple[int, str, int], float] = {where[i]: s for i, s in ranked if i in where}
    by_episode: dict[int, list[float]] = defaultdict(list)
    for chunk_id, value in ranked:
        if chunk_id in where:
            by_episode[where[chunk_id][0]].append(value)
    episode_score = {
        e: sum(sorted(v, reverse=True)[:EPISODE_TOP]) / EPISODE_TOP for e, v in by_episode.items()
    }
    rescored = []
    for chunk_id in ids:
        if chunk_id not in where:
            continue
        episode, kind, idx = where[chunk_id]
        near = at.get((episode, kind, idx - 1), 0.0) + at.get((episode, kind, idx + 1), 0.0)
        value = score[chunk_id] + neighbour_weight * near + episode_weight * episode_score[episode]
        rescored.append((chunk_id, value))
    return sorted(rescored, key=lambda pair: (-pair[1], pair[0]))


def _places(session: Session, ids: Sequence[int]) -> dict[int, Place]:
    rows = rows_by_ids(session, "SELECT id, episode_id, kind, idx FROM chunk WHERE id {ids}", ids)
    return {row[0]: (row[1], row[2], row[3]) for row in rows}
