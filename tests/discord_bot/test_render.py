"""Embeds within Discord's limits, graceful truncation, hostile text made harmless."""

from __future__ import annotations

import re
from datetime import date

import discord
import pytest

from bot.core.values import Answer, Brief, BriefItem, Citation, RelatedInsight
from handlers.chat.replies import Line, Reply
from handlers.discord_bot import limits
from handlers.discord_bot.render import render_answer, render_brief, render_reply
from handlers.discord_bot.text import safe_url
from tests.fakes.chat_core import sample_related

HOSTILE = (
    "@everyone @here <@123456789012345678> <@&123456789012345678> "
    "[free](https://evil.example) **x**"
)


def item(rank: int, *, text: str = "Open models win on cost.", size: int = 0, **kw) -> BriefItem:
    filler = "word " * size
    fields = {
        "rank": rank,
        "insight_id": 100 + rank,
        "text": text + filler,
        "quote": "we tuned the open model " + filler,
        "speaker": "Dana Ortiz",
        "podcast": "The Inference Hour",
        "episode": "Open weights, closed wallets",
        "episode_id": 7,
        "start": 1421.0,
        "url": "https://cdn.example/ep7.mp3#t=1421",
        "topics": ["open-source AI"],
        "score": 0.9,
        "related": [
            RelatedInsight("same idea", "Latent Stack", "Ep 3", 8, 725.0, "https://x.example/a")
        ],
    }
    fields.update(kw)
    return BriefItem(**fields)


def brief(*items: BriefItem) -> Brief:
    return Brief(date=date(2026, 12, 1), topics=["open-source AI"], items=list(items))


def assert_within_limits(embeds: list[discord.Embed]) -> None:
    assert 1 <= len(embeds) <= limits.EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in embeds) <= limits.TOTAL_PER_MESSAGE
    for embed in embeds:
        data = embed.to_dict()
        assert len(data.get("title", "")) <= limits.TITLE
        assert len(data.get("description", "")) <= limits.DESCRIPTION
        assert len(data.get("footer", {}).get("text", "")) <= limits.FOOTER
        assert len(data.get("author", {}).get("name", "")) <= limits.AUTHOR
        assert len(data.get("fields", [])) <= limits.FIELDS
        for field in data.get("fields", []):
            assert 0 < len(field["name"]) <= limits.FIELD_NAME
            assert 0 < len(field["value"]) <= limits.FIELD_VALUE


def test_a_normal_brief_reads_like_the_design():
    embeds = render_brief(brief(item(1), item(2)))
    assert embeds[0].title == "Your podcast brief · Tue 1 Dec"
    first = embeds[1].to_dict()
    assert first["title"] == "1. Open models win on cost."
    assert first["url"] == "https://cdn.example/ep7.mp3#t=1421"
    assert "“we tuned the open model" in first["description"]
    assert "Dana Ortiz · The Inference Hour" in first["description"]
    assert "[▶ 23:41](https://cdn.example/ep7.mp3#t=1421)" in first["description"]
    assert first["fields"][0]["name"] == "Also said on"
    assert "Latent Stack ([12:05](https://x.example/a))" in first["fields"][0]["value"]
    assert_within_limits(embeds)


@pytest.mark.parametrize("count", [1, 5, 12])
def test_huge_items_are_clipped_with_an_ellipsis(count):
    related = [RelatedInsight("r", "P" * 300, "E", 1, 1.0, "https://x.example") for _ in range(40)]
    items = [
        item(n, size=3000, podcast="Pod" * 200, related=related, topics=["t" * 100] * 50)
        for n in range(1, count + 1)
    ]
    embeds = render_brief(brief(*items))
    assert_within_limits(embeds)
    assert any(limits.ELLIPSIS in (e.description or "") for e in embeds[1:])


def test_every_part_over_its_limit_still_fits_one_message():
    embeds = []
    for _ in range(12):
        embed = discord.Embed(title="t" * 999, description="d" * 9999)
        embed.set_footer(text="f" * 5000)
        embed.set_author(name="a" * 999)
        for _ in range(30):
            embed.add_field(name="n" * 999, value="v" * 5000)
        embeds.append(embed)
    assert_within_limits(limits.fit_message(embeds))


def test_hostile_text_cannot_ping_or_smuggle_links():
    evil = item(
        1,
        text=HOSTILE,
        speaker="@everyone",
        podcast="[Login](https://phish.example)",
        url="javascript:alert(1)",
    )
    embeds = render_brief(brief(evil))
    data = embeds[1].to_dict()
    blob = str(data)
    assert "@everyone" not in blob.replace("@\u200beveryone", "")
    assert "<@123456789012345678>" not in blob
    # Masked links survive only escaped (a literal "\\[" renders as text, not a link).
    assert not re.search(r"(?<!\\)\[free\]\(", data["title"] + data["description"])
    assert not re.search(r"(?<!\\)\[Login\]\(", data["description"])
    assert "javascript:" not in blob  # the unsafe URL becomes plain text, no link
    assert "url" not in data


def test_safe_url():
    assert safe_url("https://a.example/x y)") == "https://a.example/x%20y%29"
    assert safe_url("ftp://a.example") is None
    assert safe_url("//a.example") is None


def test_empty_brief_says_why():
    empty = Brief(date(2026, 12, 1), ["x"], [], empty_reason="Nothing new for your topics today.")
    embeds = render_brief(empty)
    assert len(embeds) == 1 and embeds[0].description == "Nothing new for your topics today."


def test_reply_with_brief_has_persistent_buttons():
    kwargs = render_reply(Reply(brief=brief(*(item(n) for n in range(1, 8)))))
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}
    view = kwargs["view"]
    assert view.timeout is None and view.is_persistent()
    rows = view.to_components()
    assert len(rows) == 5  # one row per item, Discord's maximum
    ids = [c["custom_id"] for c in rows[0]["components"]]
    assert ids == ["podbrief:fb:up:101", "podbrief:fb:down:101", "podbrief:ask:101"]


def test_answer_reply_cites_with_timestamp_links():
    answer = Answer(
        answer="They fine-tune open models [1].",
        citations=[Citation("Pod", "Ep", 7, 754.0, 790.0, HOSTILE, "https://cdn.example/a#t=754")],
    )
    kwargs = render_reply(Reply(answer=answer))
    embed = kwargs["embeds"][0].to_dict()
    assert embed["fields"][0]["name"] == "[1] Pod — Ep"
    assert embed["fields"][0]["value"].startswith("[▶ 12:34](https://cdn.example/a#t=754)")
    assert "@everyone" not in embed["fields"][0]["value"].replace("@\u200beveryone", "")
    assert "view" not in kwargs
    assert_within_limits(render_answer(Answer("x" * 9000, [], [])))


def test_lines_and_errors():
    reply = Reply(
        title="Podcasts",
        lines=[Line("The Inference Hour", url="https://feeds.example/a"), Line(HOSTILE)],
        error=True,
    )
    kwargs = render_reply(reply)
    embed = kwargs["embeds"][0]
    assert embed.colour == discord.Colour.red()
    assert "[The Inference Hour](https://feeds.example/a)" in embed.description
    assert kwargs["content"] is None
    long = render_reply(Reply(lines=[Line("z" * 300) for _ in range(100)]))
    assert_within_limits(long["embeds"])


def test_brief_payload_is_json_ready_for_http_publishers():
    import json

    from handlers.discord_bot.render import brief_payload

    body = json.loads(json.dumps(brief_payload(brief(item(1), item(2)))))
    assert body["allowed_mentions"] == {"parse": []}
    assert len(body["embeds"]) == 3
    assert body["components"][1]["components"][2]["custom_id"] == "podbrief:ask:102"
    empty = brief_payload(Brief(date(2026, 12, 1), [], []))
    assert "components" not in empty


def test_related_points_show_the_sentence_the_show_and_how_they_relate():
    related = [sample_related("https://x.example/a")]
    shown = str(render_brief(brief(item(1, related=related)))[1].to_dict())
    assert "Fine-tuning costs more than renting" in shown
    assert "Latent Stack" in shown and "disagrees" in shown
