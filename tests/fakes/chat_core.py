"""Fake core functions for the command layer's tests, swapped in with monkeypatch.

The real ones (compose_brief, answer_question, …) belong to other areas; these return fixed,
hand-written values so the command layer, console and Slack adapter can be tested on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from bot.core.models import Podcast
from bot.core.values import Answer, Brief, BriefItem, Citation, Passage, RelatedInsight
from bot.insights.summaries import SummaryView
from bot.reports.status import StatusReport


def install(monkeypatch: pytest.MonkeyPatch, target: str, func: Callable[..., Any]) -> None:
    """Make ``module.name`` resolve to ``func`` for this test."""
    monkeypatch.setattr(target, func)


def sample_item(rank: int = 1, **overrides: Any) -> BriefItem:
    """A brief item with plausible hand-written values."""
    values: dict[str, Any] = {
        "rank": rank,
        "insight_id": 100 + rank,
        "text": "Startups fine-tune open-weight models instead of renting frontier APIs.",
        "quote": "we tuned it on our tickets and our bill dropped by ninety percent",
        "speaker": "Dana Ortiz",
        "podcast": "The Inference Hour",
        "episode": "Open weights, closed wallets",
        "episode_id": 7,
        "start": 1421.0,
        "url": "https://example.com/ep7.mp3#t=1421",
        "topics": ["open-source AI"],
        "score": 0.91,
        "related": [
            RelatedInsight("Same idea", "Latent Stack", "Ep 12", 9, 725.0, "https://e.com/9#t=725")
        ],
        "why": "matched topic open-source AI (0.91)",
    }
    values.update(overrides)
    return BriefItem(**values)


def sample_related(url: str = "https://e.example/9#t=725") -> RelatedInsight:
    """Another show's sentence disagreeing with the sample item, for the renderers' tests."""
    return RelatedInsight(
        "Fine-tuning costs more than renting once you count the GPUs.",
        "Latent Stack",
        "Ep 12",
        9,
        725.0,
        url,
        stance="disagrees",
    )


def sample_brief(items: int = 3, **overrides: Any) -> Brief:
    return Brief(
        date=date(2026, 12, 1),
        topics=["open-source AI"],
        items=[sample_item(rank, **overrides) for rank in range(1, items + 1)],
    )


def sample_answer(text: str = "They fine-tune open models [1].") -> Answer:
    citation = Citation(
        podcast="The Inference Hour",
        episode="Open weights, closed wallets",
        episode_id=7,
        start=1421.0,
        end=1450.0,
        text="we tuned it on our tickets",
        url="https://example.com/ep7.mp3#t=1421",
    )
    passage = Passage(**citation.__dict__, score=3.2)
    return Answer(answer=text, citations=[citation], passages=[passage])


def why_lines(brief: Brief) -> list[str]:
    """What ``explain_brief`` returns: one line per picked item."""
    return [f"{item.rank}. {item.text} — {item.why}" for item in brief.items]


def sample_status() -> StatusReport:
    return StatusReport(
        last_poll_at=None, feeds=2, failing_feeds=[], queue={}, dead=[], channels=[]
    )


def sample_summary(episode_id: int = 1) -> SummaryView:
    return SummaryView(
        episode_id=episode_id,
        title="Open weights",
        podcast="The Inference Hour",
        summary="About open models.",
        key_points=[{"text": "Costs", "start": 75.0}],
    )


class CoreCalls:
    """Records what the command layer asked the core."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def record(self, name: str, result: Any) -> Callable[..., Any]:
        def fake(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return result(*args, **kwargs) if callable(result) else result

        return fake

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]


def add_feed_fake(session: Any, url: str, *, settings: Any) -> Podcast:
    """Adds the Podcast row only (as the real add_feed does before the first poll)."""
    from sqlmodel import select

    existing = session.exec(select(Podcast).where(Podcast.url == url)).first()
    if existing is not None:
        return existing
    podcast = Podcast(url=url)
    session.add(podcast)
    session.flush()
    return podcast


def follow_feed_fake(services: Any, url: str, *, fetcher: Any = None, anyway: bool = False):
    """``follow_feed`` without the network: adds the Podcast row and reports a small feed."""
    from bot.core.db import session_scope
    from bot.feeds.following import FollowResult

    with session_scope(services.engine) as session:
        podcast = add_feed_fake(session, url, settings=services.settings)
        return FollowResult(
            podcast_id=podcast.id, name=url, episodes=6, newest_title="Episode 6", queued=3
        )


def preview_brief_now(services: Any, channel: Any, now: Any, publisher: Any = None) -> Any:
    """``brief_now`` without the ledger: the fake briefs' insight ids are not in the database."""
    import bot.briefs.compose
    from bot.core.db import session_scope
    from bot.delivery.todays_brief import TodaysBrief

    with session_scope(services.engine) as session:
        brief = bot.briefs.compose.compose_brief(services, session, channel, now.date())
    return TodaysBrief(brief, None)


def install_all(monkeypatch: pytest.MonkeyPatch, calls: CoreCalls, brief: Brief | None = None):
    """Every core function the commands call, as recording fakes."""
    brief = brief or sample_brief()
    install(monkeypatch, "bot.briefs.compose.compose_brief", calls.record("compose_brief", brief))
    install(monkeypatch, "bot.delivery.todays_brief.brief_now", preview_brief_now)
    install(
        monkeypatch,
        "bot.briefs.compose.explain_brief",
        calls.record("explain_brief", why_lines(brief)),
    )
    install(monkeypatch, "bot.ask.answers.answer_question", calls.record("answer", sample_answer()))
    install(
        monkeypatch,
        "bot.search.retrieval.search_passages",
        calls.record("search", sample_answer().passages),
    )
    install(
        monkeypatch, "bot.feeds.following.follow_feed", calls.record("add_feed", follow_feed_fake)
    )
    install(monkeypatch, "bot.briefs.feedback.record_feedback", calls.record("feedback", None))
    install(
        monkeypatch, "bot.reports.status.gather_status", calls.record("status", sample_status())
    )
