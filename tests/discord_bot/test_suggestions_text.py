"""Autocomplete data (SQLite and PostgreSQL) and the command text rebuilt from options."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bot.channels.suggestions import podcast_suggestions, topic_suggestions
from bot.core.models import Channel, Episode, Insight, Podcast, Subscription
from handlers.chat.commands import command_table
from handlers.chat.parser import parse
from handlers.discord_bot.tree import request_text


def _seed(session: Session) -> None:
    channel = Channel(platform="discord", team_id="g", channel_ref="c1")
    other = Channel(platform="discord", team_id="g", channel_ref="c2")
    live = Podcast(url="https://feeds.example/a.xml", title="Open Weights Weekly")
    gone = Podcast(url="https://feeds.example/b.xml", title="Open Gone Show", status="gone")
    untitled = Podcast(url="https://feeds.example/open.xml")
    session.add_all([channel, other, live, gone, untitled])
    session.commit()
    session.add_all(
        [
            Subscription(channel_id=channel.id, topic="Robotics"),
            Subscription(channel_id=other.id, topic="Other channel's topic"),
            Subscription(channel_id=channel.id, podcast_id=live.id),
        ]
    )
    episode = Episode(podcast_id=live.id, identity="guid:1")
    session.add(episode)
    session.commit()
    session.add_all(
        [
            Insight(episode_id=episode.id, text="t", quote="q", topics=["open-source AI", "GPUs"]),
            Insight(episode_id=episode.id, text="t", quote="q", topics=["robotics", "AI safety"]),
        ]
    )
    session.commit()


def test_topics_own_first_then_known_deduplicated(any_engine):
    with Session(any_engine) as session:
        _seed(session)
        found = topic_suggestions(session, platform="discord", channel_ref="c1")
        assert found[0] == "Robotics"
        assert sorted(found[1:]) == ["AI safety", "GPUs", "open-source AI"]
        assert "Other channel's topic" not in found
        # Prefix matches rank before substring matches.
        assert topic_suggestions(session, platform="discord", channel_ref="c1", prefix="ai") == [
            "AI safety",
            "open-source AI",
        ]
        assert topic_suggestions(session, platform="discord", channel_ref="c1", limit=2) == [
            "Robotics",
            found[1],
        ]


def test_podcasts_by_title_or_id_skip_gone(any_engine):
    with Session(any_engine) as session:
        _seed(session)
        names = [name for name, _ in podcast_suggestions(session, prefix="open")]
        assert names == ["https://feeds.example/open.xml", "Open Weights Weekly"]
        (name, pid), *_ = podcast_suggestions(session, prefix="weekly")
        assert podcast_suggestions(session, prefix=pid)[0] == (name, pid)
        # The channel's own follows come first.
        own = podcast_suggestions(session, prefix="open", platform="discord", channel_ref="c1")
        assert [n for n, _ in own] == ["Open Weights Weekly", "https://feeds.example/open.xml"]


@pytest.mark.parametrize("command", command_table(), ids=lambda c: c.name)
@pytest.mark.parametrize(
    "text",
    ["one", "it's two words", 'say "hi" now', "“smart” 'mixed'", '"leading quote'],
)
def test_rebuilt_text_parses_back_to_the_same_values(command, text):
    values = {}
    for arg in command.args:
        if arg.kind == "flag":
            values[arg.name] = True
        elif arg.kind in ("int", "episode"):
            values[arg.name] = 42
        elif arg.kind == "url":
            values[arg.name] = "https://feeds.example/a.xml?x=1"
        elif arg.rest:
            values[arg.name] = "What's new in AI, and why?"  # rest: the remainder, verbatim
        else:
            values[arg.name] = text
    parsed = parse(request_text(command, values))
    assert parsed.command.name == command.name
    assert parsed.args == values


def test_absent_and_false_options_are_left_out():
    subscribe = next(c for c in command_table() if c.name == "subscribe")
    assert request_text(subscribe, {"topic": "ai", "me": False}) == "subscribe ai"
    assert request_text(subscribe, {"topic": "  ", "me": None}) == "subscribe"


def test_a_value_with_every_quote_still_stays_one_argument():
    help_command = next(c for c in command_table() if c.name == "help")
    value = "“smart” 'mixed' \"plain\""
    parsed = parse(request_text(help_command, {"command": value}))
    # The shared parser has no escapes: straight double quotes become closing smart quotes.
    assert parsed.args == {"command": value.replace('"', "”")}
