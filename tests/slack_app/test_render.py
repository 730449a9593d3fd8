"""Block Kit rendering: Slack's limits under very long and hostile input, and no pings."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.core.values import RelatedInsight
from bot.reports.workspace import ChannelOverview, FeedHealth, WorkspaceOverview
from handlers.chat.replies import Line, Reply
from handlers.slack_app import mrkdwn
from handlers.slack_app.render import (
    MAX_BLOCKS,
    brief_metadata,
    parse_action_id,
    render_brief,
    render_reply,
)
from handlers.slack_app.views import ask_modal, home_view
from tests.fakes.chat_core import sample_answer, sample_brief, sample_item, sample_related

HOSTILE = (
    "<!channel> <!here|here> <!everyone> <@U0123ABC> <#C999> <!subteam^S1> "
    "<https://evil.example/phish|Open your bank> @channel @Here & < >"
)


def texts(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(block or element type, text) for every text object in the blocks."""
    found = []
    for block in blocks:
        if "text" in block:
            found.append((block["type"], block["text"]["text"]))
        for element in block.get("elements", []):
            text = element.get("text")
            found.append((element["type"], text["text"] if isinstance(text, dict) else text))
    return found


def assert_within_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= MAX_BLOCKS
    for kind, text in texts(blocks):
        limit = {"header": 150, "button": 75, "section": 3000}.get(kind, 2000)
        assert 0 < len(text) <= limit, (kind, len(text))
    for block in blocks:
        for element in block.get("elements", []):
            if "action_id" in element:
                assert len(element["action_id"]) <= 255 and len(element["value"]) <= 2000


def assert_inert(text: str) -> None:
    """No mention, broadcast or disguised link survives from third-party text."""
    for dangerous in ("<!channel>", "<!here", "<!everyone>", "<@U0123ABC>", "<#C999>", "<!subteam"):
        assert dangerous not in text
    assert "<https://evil.example" not in text
    assert not re.search(r"(?<!\u2060)@(channel|here|everyone)\b", text, re.IGNORECASE)


def test_a_normal_brief_has_header_items_context_and_buttons():
    blocks, fallback = render_brief(sample_brief(2))
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Your podcast brief · Tue 1 Dec", "emoji": True},
    }
    section = next(b for b in blocks if b["type"] == "section")
    assert "*1.* Startups fine-tune" in section["text"]["text"]
    assert "> “we tuned it" in section["text"]["text"] and "— Dana Ortiz" in section["text"]["text"]
    contexts = [t for k, t in texts(blocks) if k == "mrkdwn"]
    assert any("<https://example.com/ep7.mp3#t=1421|▶ 23:41>" in t for t in contexts)
    assert any(
        t.startswith("Also said on: Latent Stack (<https://e.com/9#t=725|12:05>)") for t in contexts
    )
    actions = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [parse_action_id(a["action_id"]) for a in actions] == [
        ("podbrief_more", 101),
        ("podbrief_less", 101),
        ("podbrief_ask", 7),
    ]
    assert fallback.startswith("Your podcast brief · Tue 1 Dec\n1. Startups")
    assert brief_metadata(sample_brief(2), delivery_id=3)["event_payload"]["episode_ids"] == [7, 7]


def test_an_empty_brief_says_why():
    brief = sample_brief(0)
    blocks, fallback = render_brief(brief)
    assert "Nothing new" in json.dumps(blocks) and "Nothing new" in fallback


def test_very_long_brief_is_truncated_gracefully_within_every_limit():
    long_related = [
        RelatedInsight("r", "Show " * 100, "Ep", 9, 1.0, "https://e.com/" + "x" * 900)
        for _ in range(30)
    ]
    brief = sample_brief(
        10,
        text="insight " * 2000,
        quote="quote & " * 2000,
        speaker="S" * 500,
        podcast="P" * 900,
        episode="E" * 900,
        related=long_related,
        url="https://example.com/" + "a" * 5000,
    )
    blocks, fallback = render_brief(brief)
    assert_within_limits(blocks)
    assert "…" in json.dumps(blocks, ensure_ascii=False)
    assert len(fallback) <= 3000
    # no cut ever leaves half an entity or half a link behind
    for _, text in texts(blocks):
        assert not re.search(r"&[a-z]{0,3}…", text)
        assert not re.search(r"<[^>]*$", text)  # no unclosed link


def test_brief_with_more_items_than_fit_says_how_many_were_left_out():
    items = [sample_item(rank) for rank in range(1, 16)]
    brief = sample_brief(0)
    brief.items.extend(items)
    blocks, _ = render_brief(brief)
    assert_within_limits(blocks)
    assert "more (too long for one message)" in json.dumps(blocks)


def test_hostile_brief_text_cannot_ping_or_disguise_links():
    brief = sample_brief(
        3, text=HOSTILE, quote=HOSTILE, speaker=HOSTILE, podcast=HOSTILE, episode=HOSTILE
    )
    blocks, fallback = render_brief(brief)
    for _, text in texts(blocks):
        assert_inert(text)
    assert_inert(fallback)
    assert "&lt;!channel&gt;" in json.dumps(blocks)


def test_hostile_reply_lines_titles_and_answers_are_inert():
    reply = Reply(
        title=HOSTILE,
        lines=[Line(HOSTILE), Line(HOSTILE, url="https://ok.example/x", label=HOSTILE)],
        answer=sample_answer(HOSTILE),
    )
    blocks, fallback = render_reply(reply)
    for _, text in texts(blocks):
        assert_inert(text.replace("<https://ok.example/x|", "").replace("<https://example.com", ""))
    assert_inert(fallback)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ok.example/a?b=1&c=2#t=5", "https://ok.example/a?b=1&amp;c=2#t=5"),
        ("https://ok.example/a|b>c<d e", "https://ok.example/a%7Cb%3Ec%3Cd%20e"),
        ("HTTP://ok.example/", "http://ok.example/"),
        ("javascript:alert(1)", None),
        ("slack://channel?id=C1", None),
        ("https:///no-host", None),
        ("mailto:a@b.c", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url, expected):
    assert mrkdwn.safe_url(url) == expected


def test_link_falls_back_to_escaped_text_for_unsafe_urls():
    assert mrkdwn.link("javascript:alert(1)", "<b>click</b>") == "&lt;b&gt;click&lt;/b&gt;"
    assert mrkdwn.link("https://ok.example/", "go|there>") == "<https://ok.example/|go|there&gt;>"


def test_truncate_never_splits_an_entity():
    text = mrkdwn.escape("a" * 8 + "&&&&")
    for limit in range(5, len(text)):
        cut = mrkdwn.truncate(text, limit)
        assert len(cut) <= limit and not re.search(r"&[a-z]{0,3}…$", cut)


def test_long_reply_is_packed_into_sections_within_limits():
    reply = Reply(title="Search", lines=[Line("x" * 900) for _ in range(400)])
    blocks, fallback = render_reply(reply)
    assert_within_limits(blocks)
    assert len(fallback) <= 3000


def test_home_view_and_modal_escape_and_limit():
    from datetime import UTC, datetime

    channel = ChannelOverview(
        channel_ref="C1<!channel>",
        name="x",
        personal=False,
        topics=[HOSTILE] * 3,
        podcasts=[HOSTILE],
        schedule="08:00 UTC, every day, 5 items",
        next_brief=datetime(2026, 12, 1, 8, tzinfo=UTC),
    )
    feeds = FeedHealth(total=2, by_status={"active": 1, "failing": 1}, failing=[(HOSTILE, HOSTILE)])
    view = home_view(WorkspaceOverview(channels=[channel] * 120, feeds=feeds))
    assert len(view["blocks"]) <= 100
    for _, text in texts(view["blocks"]):
        assert_inert(text)
    modal = ask_modal(episode_id=7, channel_id="C1", message_ts="1.0", title=HOSTILE)
    for _, text in texts(modal["blocks"]):
        assert_inert(text)


def test_a_quote_that_repeats_the_insight_is_not_shown_twice():
    same = sample_brief(1, text="We moved to an open model.", quote="So we moved to an open model")
    blocks, _ = render_brief(same)
    assert "\n> " not in next(b for b in blocks if b["type"] == "section")["text"]["text"]
    blocks, _ = render_brief(sample_brief(1))
    assert "\n> “we tuned it" in next(b for b in blocks if b["type"] == "section")["text"]["text"]


def test_related_points_show_the_sentence_the_show_and_how_they_relate():
    related = sample_related()
    blocks, _ = render_brief(sample_brief(1, related=[related]))
    shown = " ".join(text for _, text in texts(blocks))
    assert "Fine-tuning costs more than renting" in shown
    assert "Latent Stack" in shown and "disagrees" in shown
