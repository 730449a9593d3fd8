"""Episode summaries: the extractive summary and reading a stored one back."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.core.errors import NotFound
from bot.core.models import Episode, EpisodeSummary, Podcast
from bot.core.moments import is_timed
from bot.core.ports import EpisodeContext, ExtractedInsight, ExtractedSummary, KeyPoint
from bot.insights import people
from bot.insights.claims import ANAPHORIC_START_RE, orphan_pronoun
from bot.insights.filing import filed_topics
from bot.insights.non_content import sponsor_names, synopsis
from bot.insights.people import ROLL_CALL_RE
from bot.text.keyphrases import stem_set
from bot.text.sentences import Sentence, clean_wording

log = logging.getLogger(__name__)

MAX_KEY_POINTS = 6
MAX_OPENING_WORDS = 70
KEY_POINT_GAP_S = 120.0  # key points from different stretches of the episode
KEY_POINT_OVERLAP = 0.3
FRAMING_S = 120.0
# How a host frames the episode: "today we're talking about eBPF", "I'm joined by Paul Biggar".
FRAMING_RE = re.compile(
    r"\b(?:today(?: we'?re| we are| I'?m)? (?:talking|talk|joined|here)|this week|joined by|"
    r"we have|we'?re talking|on this (?:episode|show)|we'?ll (?:talk|discuss|dig)|"
    r"(?:our|my) (?:special )?guests?)\b",
    re.I,
)
TELLING_RE = re.compile(
    r"\b(?:episode|we'?ll|we discuss|talk about|meet|joins|is here|here to|covers|dive into|"
    r"look at|learn)\b",
    re.I,
)
# The show's own line ("episode 184 of Talk Python To Me, recorded October 12, 2018").
BOILERPLATE_RE = re.compile(r"\bepisode \d+|\brecorded (?:on )?[A-Z][a-z]+ \d", re.I)
# A synopsis sentence that completes the one before: "who did just that", "That's where X".
LEANS_BACK_RE = re.compile(
    r"\b(?:just that|did that|that'?s where|that'?s why|this is where)\b", re.I
)
_WELL_RE = re.compile(r"^(?:well|so|and|but),?\s+", re.I)
URL_RE = re.compile(r"https?://|www\.|\w+\.(?:com|fm|io)\b")


@dataclass(frozen=True)
class SummaryView:
    """A stored episode summary as shown by `podbrief summary` and the chat command."""

    episode_id: int
    title: str
    podcast: str
    summary: str
    key_points: list[dict] = field(default_factory=list)  # [{"text", "start"}]
    guests: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    url: str = ""

    def to_json(self) -> dict:
        """The CLI contract shape (DESIGN.md)."""
        return {
            "episode_id": self.episode_id,
            "title": self.title,
            "podcast": self.podcast,
            "summary": self.summary,
            "key_points": [dict(p) for p in self.key_points],
            "guests": list(self.guests),
            "topics": list(self.topics),
            "url": self.url,
        }


def get_summary(session: Session, episode_id: int) -> SummaryView:
    """The stored summary of ``episode_id``; NotFound when unknown or not processed yet."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise NotFound(f"No episode with id {episode_id}.")
    row = session.get(EpisodeSummary, episode_id)
    if row is None:
        raise NotFound(f'Episode {episode_id} ("{episode.title}") has no summary yet.')
    podcast = session.get(Podcast, episode.podcast_id)
    return SummaryView(
        episode_id=episode_id,
        title=episode.title,
        podcast=podcast.title if podcast else "",
        summary=row.summary,
        key_points=[{"text": p["text"], "start": float(p["start"])} for p in row.key_points or []],
        guests=list(row.guests or []),
        topics=list(row.topics or []),
        url=episode.link or episode.audio_url,
    )


def extractive_summary(
    episode: EpisodeContext,
    sentences: list[Sentence],
    phrases: list[str],
    insights: list[ExtractedInsight],
    cast: people.Cast,
) -> ExtractedSummary:
    """What the episode is about and who is talking, key points, and topics to file it under."""
    guests = cast.guests
    names = {s.speaker for s in sentences if s.speaker} | set(guests) | {episode.podcast}
    names |= cast.hosts
    names |= sponsor_names(sentences)
    topics = filed_topics(
        phrases, sentences, exclude=names, title=episode.title, show=episode.podcast
    )
    key_points = _key_points(episode, insights, guests)
    return ExtractedSummary(
        summary=_paragraph(episode, guests, topics, sentences),
        key_points=key_points,
        guests=guests,
        topics=topics,
    )


def _key_points(
    episode: EpisodeContext, insights: list[ExtractedInsight], guests: list[str]
) -> list[KeyPoint]:
    """The chapters when the feed has them; else the best insights, guests' first (the hosts'
    fill in): the guest is who the episode was made to hear."""
    chapters = [
        KeyPoint(text=str(c["title"]).strip(), start=float(c.get("start") or 0.0))
        for c in episode.chapters
        if str(c.get("title") or "").strip()
    ]
    if chapters:
        return chapters[: MAX_KEY_POINTS * 2]
    best = _spread(sorted(insights, key=lambda i: (i.speaker not in guests, -i.score)))
    return [KeyPoint(text=i.text, start=i.start) for i in sorted(best, key=lambda i: i.start)]


def _spread(ranked: list[ExtractedInsight]) -> list[ExtractedInsight]:
    """The best insights that neither repeat each other nor sit in the same stretch of talk."""
    chosen: list[ExtractedInsight] = []
    for insight in ranked:
        terms = stem_set(insight.text)
        if any(_close(insight, other, terms) for other in chosen):
            continue
        chosen.append(insight)
        if len(chosen) == MAX_KEY_POINTS:
            return chosen
    rest = [i for i in ranked if i not in chosen]  # short episodes: fill up to three points
    return chosen + rest[: max(0, 3 - len(chosen))]


def _close(insight: ExtractedInsight, other: ExtractedInsight, terms: frozenset[str]) -> bool:
    near = is_timed(insight.start) and abs(insight.start - other.start) < KEY_POINT_GAP_S
    theirs = stem_set(other.text)
    overlap = len(terms & theirs) / max(len(terms | theirs), 1)
    return near or overlap > KEY_POINT_OVERLAP


def _paragraph(
    episode: EpisodeContext,
    guests: list[str],
    topics: list[str],
    sentences: list[Sentence],
) -> str:
    """One or two sentences on the subject and who is talking, then the central point."""
    if not sentences:
        return f'"{episode.title}" has no transcript text to summarise.'
    opening = _opening(episode, sentences) or _composed_opening(episode, guests, topics)
    missing = [g for g in guests if g.split()[-1] not in opening]
    if missing:
        opening += f" With {_join(missing)}."
    return opening


def _composed_opening(episode: EpisodeContext, guests: list[str], topics: list[str]) -> str:
    """No synopsis, description or framing: who talks about what, from guests and topics."""
    who = _join(guests) if guests else f'"{episode.title}"'
    about = f" on {_join(topics[:3])}" if topics else ""
    show = f"{episode.podcast}: " if episode.podcast else ""
    return f"{show}{who}{about}."


def _opening(episode: EpisodeContext, sentences: list[Sentence]) -> str:
    """The feed's description, else the producer's synopsis, else the host's framing."""
    described = _first_sentences(split_plain(episode.description), 2)
    if described:
        return described
    told = [s.text for s in synopsis(sentences)]
    if any("?" not in text for text in told):
        return _first_sentences(_most_telling(told, episode.title), 2)
    framing = [
        s.text
        for s in sentences[:12]
        if s.start <= FRAMING_S
        and FRAMING_RE.search(s.text)
        and "?" not in s.text
        and not ROLL_CALL_RE.search(s.text)  # the panel's names, not what the episode is about
    ]
    framed = _first_sentences(framing, 2)
    # The host's framing names who is on more often than the subject: the title says that.
    return f'"{episode.title}": {framed}' if framed else ""


def _most_telling(texts: list[str], title: str) -> list[str]:
    """Synopsis sentences that say who is on and what the episode covers, in their order.

    A telling sentence that leans on the one before ("you'll meet Susan Tan, who did just
    that") comes after the synopsis's hook, its first sentence, even when that is a question.
    """
    subject = stem_set(title)
    stated = [i for i, text in enumerate(texts) if "?" not in text]
    best = max(stated, key=lambda i: (_telling(texts[i], subject), -i))
    if best > 0 and orphan_pronoun(texts[best]):
        return [texts[best - 1], texts[best]]  # the sentence that names who "he" is
    if best > 0 and _leans_back(texts[best]):
        return [texts[0], texts[best]]
    rest = [i for i in stated if i != best and not BOILERPLATE_RE.search(texts[i])]
    second = max(rest, key=lambda i: (_telling(texts[i], subject), -i), default=None)
    return [texts[i] for i in sorted({best, second} - {None})]


def _leans_back(text: str) -> bool:
    return bool(ANAPHORIC_START_RE.match(_WELL_RE.sub("", text)) or LEANS_BACK_RE.search(text))


def _telling(text: str, subject: frozenset[str]) -> int:
    """Names a guest, frames the episode, names its subject (the title's words); a sentence
    that leans on the one before ("who did just that") reads badly first."""
    return (
        len(people.GUEST_RE.findall(text)) * 2
        + len(FRAMING_RE.findall(text))
        + bool(TELLING_RE.search(text))
        + bool(subject & stem_set(text))
        - bool(ANAPHORIC_START_RE.match(text) or orphan_pronoun(text))
        - 2 * bool(BOILERPLATE_RE.search(text))
    )


def _first_sentences(texts: list[str], count: int) -> str:
    """Up to ``count`` cleaned sentences, within MAX_OPENING_WORDS."""
    chosen: list[str] = []
    for text in texts:
        clean = clean_wording(text)
        if not clean or URL_RE.search(clean):
            continue
        if chosen and len(" ".join([*chosen, clean]).split()) > MAX_OPENING_WORDS:
            break
        chosen.append(clean)
        if len(chosen) == count:
            break
    return " ".join(chosen)


def split_plain(text: str) -> list[str]:
    """A feed description's sentences, markup removed."""
    plain = re.sub(r"<[^>]+>", " ", text or "")
    return [t for t in re.split(r"(?<=[.!?])\s+", " ".join(plain.split())) if t]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
