"""The `why` command's words: why each item was picked, and the concrete reason others lost."""

from __future__ import annotations

from bot.briefs.pool import PoolInsight
from bot.briefs.request import Pick, RankRequest

MAX_STALE = 2


def label(item: PoolInsight) -> str:
    """An insight as a loser line names it: its opening words, show and episode."""
    text = item.text if len(item.text) <= 60 else item.text[:57] + "…"
    return f'"{text}" ({item.podcast} · {item.episode})'


def pick_reason(pick: Pick) -> str:
    """For one pick: the topic it serves and what matched, then freshness, quality, feedback."""
    parts = [f"{_serves(pick)}", _freshness(pick), _quality(pick.item.score)]
    if pick.shift:
        parts.append(_feedback(pick.shift))
    if pick.turn:
        parts.append(pick.turn)
    return " · ".join(parts)


def _serves(pick: Pick) -> str:
    if pick.matched == ["followed show"]:
        return f"from {pick.item.podcast}, a followed show"
    said = ", ".join(f"“{word}”" for word in dict.fromkeys(pick.matched[:3]))
    reasons = []
    if said:
        reasons.append(f"it says {said}")
    if pick.episode is not None and pick.episode.score >= 0.25:
        reasons.append(_episode_words(pick))
    how = " and ".join(reasons) or "a weak match"
    return f"for “{pick.topic}”: {how}"


def _episode_words(pick: Pick) -> str:
    match = pick.episode
    where = []
    if "title" in match.fields or "show" in match.fields:
        where.append("its title or show name")
    elif match.fields:
        where.append("its " + " and ".join(match.fields[:2]))
    if match.passages:
        where.append(f"{match.passages} of {match.total} transcript passages")
    terms = ", ".join(f"“{t}”" for t in match.terms[:2])
    named = f" name {terms}" if terms else " cover it"
    return "the episode is about it (" + "; ".join(where) + named + ")"


def _freshness(pick: Pick) -> str:
    if not pick.item.dated:
        return "date unknown"
    days = pick.age_days
    if days is None:
        return "published in the window"
    when = "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"
    return f"published {when} (window {pick.window_days} days)"


def _quality(score: float) -> str:
    kind = (
        "a strong claim" if score >= 0.7 else "a solid claim" if score >= 0.5 else "a weaker claim"
    )
    return f"quality: {kind} ({score:.2f} of 1, as our editors rate claims worded like it)"


def _feedback(shift: float) -> str:
    if shift > 0:
        return f"feedback: 👍 on similar items lifted it (+{shift:.2f})"
    return f"feedback: 👎 on similar items lowered it ({shift:.2f})"


def repeats(pick: Pick, rank: int) -> str:
    """A loser that says what a pick already says."""
    return f"{label(pick.item)}: repeats item {rank}; shown there as “also said”."


def episode_full(pick: Pick, cap: int) -> str:
    """A loser from an episode that already has its share of the brief."""
    times = "twice" if cap == 2 else f"{cap} times"
    return f"{label(pick.item)}: same episode already {times} in this brief."


def weaker(pick: Pick, last: Pick, size: int, same_show: int = 0, same_topic: int = 0) -> str:
    """A loser that matched less well than the last pick, or as well but lost to variety
    (``same_show`` / ``same_topic``: items its show and its topic already have)."""
    than = f"than item {size} ({label(last.item)[:40]}…)"
    if pick.relevance < last.relevance - 0.05:
        why = (
            f"weaker match for “{pick.topic}” ({pick.relevance:.2f} vs {last.relevance:.2f}) {than}"
        )
    elif pick.item.score < last.item.score - 0.05:
        why = f"weaker claim ({pick.item.score:.2f} vs {last.item.score:.2f}) {than}"
    elif pick.freshness < last.freshness - 0.05:
        why = f"older {than}"
    elif same_show:
        why = f"as good a match, but {pick.item.podcast} already has {_items(same_show)} here"
    elif same_topic:
        why = f"as good a match, but “{pick.topic}” already has {_items(same_topic)} here"
    else:
        why = f"as good as item {size}, which came first by a hair"
    return f"{label(pick.item)}: {why}."


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def stale(picks: list[Pick], request: RankRequest) -> list[str]:
    """The best on-topic items left out because they are older than the brief's window."""
    days = max(1, round((request.window_end - request.window_start).total_seconds() / 86400))
    best = sorted(picks, key=lambda p: -p.relevance)[:MAX_STALE]
    return [
        f"{label(p.item)}: older than the {days}-day window "
        f"(published {p.item.at.date().isoformat()})."
        for p in best
    ]


def took_turn(pick: Pick, strongest: Pick, per_topic: dict[str, int]) -> str:
    """Why a lower-scored pick came before a higher one: topics take turns."""
    count = per_topic.get(strongest.topic, 0)
    return (
        f"picked ahead of a higher-scored item for “{strongest.topic}”, which already had "
        f"{count} item{'s' if count != 1 else ''}: topics take turns"
    )


def interleaving(picks: list[Pick], request: RankRequest) -> list[str]:
    """One line on how topics shared the brief, when there are several."""
    if len(request.topics) < 2 or not picks:
        return []
    order = " → ".join(f"{n}: {p.topic}" for n, p in enumerate(picks, start=1))
    return [
        "Topics take turns: each item already picked for a topic lowers the next one for it "
        f"(and for its show), so every topic gets a place. Order: {order}."
    ]
