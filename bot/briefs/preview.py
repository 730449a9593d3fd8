"""What a topic would match this week, shown on `subscribe` so the subscriber can reword."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from bot.briefs.compose import compose_topic_brief
from bot.core.services import Services

EXAMPLES = 1


def preview_topic(
    services: Services,
    session: Session,
    topic: str,
    local_date: date,
    *,
    visible: frozenset[int] | None = None,
) -> list[str]:
    """Lines like "3 recent episodes match “Go”; for example: …", or what there is instead,
    among the ``visible`` podcasts when given.

    Composing the preview also stores the topic's claims from matching episodes
    (``bot.briefs.topical``), so the first brief is ready.
    """
    brief = compose_topic_brief(services, session, [topic], local_date, visible=visible)
    if not brief.items:
        return [brief.empty_reason or f"Nothing recent matches “{topic}” yet."]
    episodes = list(dict.fromkeys(item.episode_id for item in brief.items))
    count = len(episodes)
    noun = "episode matches" if count == 1 else "episodes match"
    lines = [f"{count} recent {noun} “{topic}”; for example:"]
    for item in brief.items[:EXAMPLES]:
        text = item.text if len(item.text) <= 160 else item.text[:157] + "…"
        lines.append(f"“{text}” ({item.podcast} · {item.episode})")
    return lines
