"""Episodes whose title names what the question asks about.

A question about "Lektor" or "Nuitka" names the episode's subject, but speech-to-text often
spells it otherwise ("Lector", "Newt-ka") inside the transcript. The feed's title spells it
right: episodes titled with a question word are searched on their own, and their passages
gain a bonus.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from weakref import WeakKeyDictionary

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.models import Episode
from bot.search.terms import QueryTerm, content_words, stem

log = logging.getLogger(__name__)

MIN_STEM = 4  # shorter stems ("go", "ai") name a show's theme more often than a subject
MAX_EPISODES = 12  # a word in more titles than this names a show's theme, not a subject

TitleIndex = dict[str, frozenset[int]]
# Title word stem → episode ids, per database; rebuilt when episodes are added or removed.
# Scanning every title with LIKE cost milliseconds a question at 4,000 episodes.
_indexes: WeakKeyDictionary[Engine, tuple[tuple[int, int], TitleIndex]] = WeakKeyDictionary()
# Plain SQL: it runs every search, and building the ORM statement cost more than running it.
NEWEST_EPISODE_SQL = text("SELECT max(id) FROM episode")


def title_episodes(
    session: Session, terms: Sequence[QueryTerm], episode_ids: list[int] | None
) -> dict[int, frozenset[str]]:
    """Episodes (within ``episode_ids``) whose title holds some of the asker's words, with
    the stems of those words."""
    keys = {stem(t.word) for t in terms if t.weight >= 1.0}
    keys = {k for k in keys if len(k) >= MIN_STEM}
    if not keys:
        return {}
    index = title_index(session)
    scope = set(episode_ids) if episode_ids is not None else None
    found: defaultdict[int, set[str]] = defaultdict(set)
    for key in sorted(keys):
        ids = index.get(key, frozenset())
        ids = ids & scope if scope is not None else ids
        if len(ids) <= MAX_EPISODES:
            for episode_id in ids:
                found[episode_id].add(key)
    return {episode_id: frozenset(stems) for episode_id, stems in found.items()}


def title_index(session: Session) -> TitleIndex:
    """Stem of each episode-title word → the episodes so titled (cached per database)."""
    engine = session.get_bind()
    # The newest id changes when episodes are added (max is an index lookup; count a scan).
    version = (0, int(session.execute(NEWEST_EPISODE_SQL).scalar() or 0))
    cached = _indexes.get(engine) if isinstance(engine, Engine) else None
    if cached is not None and cached[0] == version:
        return cached[1]
    words: defaultdict[str, set[int]] = defaultdict(set)
    for episode_id, title in session.exec(select(Episode.id, Episode.title)):
        for word in content_words((title or "").replace("-", " ").replace("_", " ")):
            words[stem(word)].add(episode_id)
    index = {key: frozenset(ids) for key, ids in words.items()}
    if isinstance(engine, Engine):
        _indexes[engine] = (version, index)
    return index
