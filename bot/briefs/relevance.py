"""How relevant an insight is to a topic: its own words and its episode's coverage."""

from __future__ import annotations

from bot.briefs.pool import InsightPool
from bot.briefs.profiles import EpisodeMatch
from bot.briefs.request import RankRequest
from bot.briefs.wording import TopicTerms

EPISODE_SHARE = 0.8  # what the episode covers says most about an insight's topic …
TEXT_SHARE = 0.3  # … what the insight itself says adds to it
TEXT_ALONE = 0.5  # an insight naming the topic is a candidate even in an episode about else
RELATIVE_MIN = 0.25  # … unless even the best has too little evidence to stand out
RELATIVE_FLOOR = 0.45  # when no episode covers a topic this well, coverage is relative to the best


def text_relevance(pool: InsightPool, terms: TopicTerms) -> dict[int, tuple[float, list[str]]]:
    """Per pool position holding one of the topic's terms: noisy-OR relevance and the words.

    Walks each term's postings (cost of the matches, not of the pool); cached per topic.
    """
    key = terms.signature
    if key not in pool.matches:
        missing: dict[int, float] = {}
        found: dict[int, list[str]] = {}
        for term in terms.terms:
            for position in pool.word_postings.get(term.key, ()):
                item = pool.items[position]
                if (term.together or len(term.words) > 2) and not term.found_in(item.words):
                    continue
                missing[position] = missing.get(position, 1.0) * (1.0 - term.weight)
                found.setdefault(position, []).append(term.label)
        pool.matches[key] = {p: (1.0 - v, found[p]) for p, v in missing.items()}
    return pool.matches[key]


def episode_relevance(request: RankRequest, terms: TopicTerms) -> dict[int, float]:
    """Episode id → how well it covers the topic, relative to the episode covering it best.

    A topic worded unlike the shows ("getting a tech job") scores lower everywhere; the
    episodes that cover it still stand out from the rest (none without profiles).
    """
    if request.profiles is None:
        return {}
    key = ("relative", terms.signature)
    cache = terms.cache
    if key not in cache:
        matches = request.profiles.matches(terms)
        top = max((m.score for m in matches.values()), default=0.0)
        scale = top if RELATIVE_MIN <= top < RELATIVE_FLOOR else 1.0
        cache[key] = {e: min(1.0, m.score / scale) for e, m in matches.items()}
    return cache[key]


def episode_match(request: RankRequest, terms: TopicTerms, episode_id: int) -> EpisodeMatch | None:
    return request.profiles.matches(terms).get(episode_id) if request.profiles else None


def combined(text: float, episode: float) -> float:
    """Relevance from its episode's coverage of the topic and the insight's own words.

    An insight of an episode about the topic beats one that names the topic in passing in an
    episode about something else; naming it still adds, most where the episode is not about it.
    """
    joint = EPISODE_SHARE * episode + TEXT_SHARE * text * (1.0 - 0.5 * episode)
    return max(joint, TEXT_ALONE * text)
