"""Text from outside reaches readers inert on every platform: fuzzed briefs and answers carry
mentions, masked links, bare URLs and domains, huge words and URLs; the renders keep only
podbrief's own links, ping nobody and hold every limit."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from rich.console import Console

from bot.core.values import Answer, Brief, BriefItem, Citation, Passage, RelatedInsight
from handlers.chat.untrusted import JOINER, defuse_links
from handlers.console import render as console_render
from handlers.discord_bot import limits
from handlers.discord_bot import render as discord_render
from handlers.slack_app import render as slack_render
from tests.discord_bot.test_render import assert_within_limits as assert_discord_limits
from tests.slack_app.test_render import assert_inert as assert_slack_inert
from tests.slack_app.test_render import assert_within_limits as assert_slack_limits

OURS = "https://cdn.podcast.example/ep7.mp3#t=1421"
OURS_RELATED = "https://cdn.podcast.example/ep3.mp3#t=725"
PAYLOADS = [
    "[▶ 12:34](http://payload.example/phish)",
    "a [x](http://e.example) b [y](http://e.example)",
    "[▶](//evil.example)",
    "log in at evil.example/login",
    "www.evil.example",
    "https://evil.example/a_b_c",
    "<https://evil.example/phish|Open your bank>",
    "ftp://evil.example/file",
    "@everyone @here <@123456789012345678> <@&123456789012345678> <!channel> <@U0123ABC>",
    "**bold** __under__ `code` > quote # heading -# small",
    "\x1b[31mred\x1b[0m \x07",
    "x" * 5000,
    "https://evil.example/" + "p" * 3000,
]


def hostile(rng: random.Random) -> str:
    return " ".join(rng.sample(PAYLOADS, rng.randint(1, 4)))


def fuzzed_brief(rng: random.Random) -> Brief:
    items = [
        BriefItem(
            rank=rank,
            insight_id=rank,
            text=hostile(rng),
            quote=hostile(rng),
            speaker=hostile(rng),
            podcast=hostile(rng),
            episode=hostile(rng),
            episode_id=7,
            start=1421.0,
            url=rng.choice([OURS, "https://cdn.podcast.example/" + "e" * 3000]),
            topics=[hostile(rng)],
            score=0.9,
            related=[
                RelatedInsight(hostile(rng), hostile(rng), hostile(rng), 3, 725, OURS_RELATED)
            ],
        )
        for rank in range(1, 6)
    ]
    return Brief(date=date(2026, 12, 1), topics=[hostile(rng)], items=items)


def fuzzed_answer(rng: random.Random) -> Answer:
    citation = Citation(
        podcast=hostile(rng),
        episode=hostile(rng),
        episode_id=7,
        start=1421.0,
        end=1450.0,
        text=hostile(rng),
        url=OURS,
    )
    passage = Passage(**citation.__dict__, score=1.0)
    return Answer(answer=hostile(rng) + " [1]", citations=[citation], passages=[passage])


CASES = range(40)


def discord_texts(embeds) -> list[str]:
    """Every embed part Discord parses for markdown (footers and author names are plain)."""
    found = []
    for embed in embeds:
        data = embed.to_dict()
        found += [data.get("title", ""), data.get("description", "")]
        for field in data.get("fields", []):
            found += [field["name"], field["value"]]
    return found


def assert_no_foreign_links(text: str, own_link: re.Pattern[str]) -> None:
    rest = own_link.sub("", text)
    assert not re.search(r"(?i)\b(?:https?|ftp)://", rest), rest[:300]
    assert not re.search(r"(?i)\bevil\.example", rest), rest[:300]


DISCORD_OWN = re.compile(r"\]\(https://cdn\.podcast\.example/[^)\s]*\)")


@pytest.mark.parametrize("seed", CASES)
def test_discord_renders_keep_only_our_links_and_every_limit(seed):
    rng = random.Random(seed)
    brief_embeds = limits.fit_message(discord_render.render_brief(fuzzed_brief(rng)))
    answer_embeds = limits.fit_message(discord_render.render_answer(fuzzed_answer(rng)))
    for embeds in (brief_embeds, answer_embeds):
        assert_discord_limits(embeds)
        for embed in embeds:
            assert embed.url is None or len(embed.url) <= limits.URL
        for text in discord_texts(embeds):
            # a masked link is live only when its "[" is not escaped; ours point at the CDN
            for match in re.finditer(r"(?<!\\)\[[^\]]*\]\(([^)]*)\)", text):
                assert match[1].startswith("https://cdn.podcast.example/"), match[0]
            assert_no_foreign_links(text, DISCORD_OWN)
            assert not re.search(r"<@&?\d+>", text)
            assert not re.search(r"@(everyone|here)\b", text)  # escape_mentions adds U+200B


SLACK_OWN = re.compile(r"<https://cdn\.podcast\.example/[^|>]*\|")


@pytest.mark.parametrize("seed", CASES)
def test_slack_renders_keep_only_our_links_and_every_limit(seed):
    rng = random.Random(seed)
    brief_blocks, fallback = slack_render.render_brief(fuzzed_brief(rng))
    answer_blocks = slack_render.render_answer(fuzzed_answer(rng))
    for blocks in (brief_blocks, answer_blocks):
        assert_slack_limits(blocks)
        for _kind, text in (
            (kind, text) for kind, text in _slack_texts(blocks) if isinstance(text, str)
        ):
            assert_slack_inert(text)
            for match in re.finditer(r"<([^|>]*)\|", text):
                assert match[1].startswith("https://cdn.podcast.example/"), match[0]
            assert_no_foreign_links(text, SLACK_OWN)
    assert_slack_inert(fallback)
    assert_no_foreign_links(fallback, SLACK_OWN)


def _slack_texts(blocks):
    from tests.slack_app.test_render import texts

    return texts(blocks)


@pytest.mark.parametrize("seed", CASES[:10])
def test_console_renders_carry_no_terminal_controls(seed):
    rng = random.Random(seed)
    console = Console(record=True, width=100, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(console_render.render_brief(fuzzed_brief(rng)))
    console.print(console_render.render_answer(fuzzed_answer(rng)))
    shown = console.export_text()
    assert "\x1b" not in shown and "\x07" not in shown


def test_defusing_keeps_the_words_readable():
    text = "see https://evil.example/login or evil.example, Python 3.11, Node.js, e.g. this"
    defused = defuse_links(text, bare_domains=True)
    assert defused.replace(JOINER, "") == text
    assert "https://" not in defused and "evil.example" not in defused
    assert "3.11" in defused and "e.g." in defused
