"""Renderers show a quote only when it adds something, and each cited passage once."""

from __future__ import annotations

import io
import json
from datetime import date

from rich.console import Console

from bot.core.values import Answer, Brief, Citation
from bot.text.wording import same_words
from handlers.chat.distinct import distinct_citations, distinct_quote
from handlers.console.render import render_answer, render_brief
from handlers.discord_bot.render import render_answer as discord_answer
from handlers.discord_bot.render import render_brief as discord_brief
from handlers.slack_app.render import render_answer as slack_answer
from handlers.slack_app.render import render_brief as slack_brief
from tests.fakes.chat_core import sample_item

CLAIM = (
    "We moved to an open-weight coding model hosted inside our own cloud account. "
    "It's a bit weaker at subtle bugs."
)
QUOTE = (
    "So we moved to an open-weight coding model hosted inside our own cloud account. "
    "It's a bit weaker at subtle bugs, but it can …"
)


def _citation(start: float, text: str, episode_id: int = 8) -> Citation:
    return Citation("The Inference Hour", "Licenses", episode_id, start, start + 10, text, "u")


def _text(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(renderable)
    return out.getvalue()


def test_a_lightly_edited_or_truncated_quote_is_the_claim_again():
    assert same_words(CLAIM, QUOTE)
    assert distinct_quote(CLAIM, QUOTE) is None
    assert distinct_quote(CLAIM, None) is None
    real = "we took the open model, tuned it on our tickets, and our bill dropped by ninety percent"
    assert distinct_quote("Startups fine-tune open-weight models to cut cost.", real) == real


def test_one_passage_cited_twice_is_listed_once_and_markers_renumbered():
    answer = Answer(
        answer="Who owns it? [1] Open wins mindshare. [2] Who owns it? [3]",
        citations=[
            _citation(303.0, "Who owns it?"),
            _citation(403.0, "Open wins mindshare."),
            _citation(303.4, "Who owns it?"),
        ],
    )
    fixed = distinct_citations(answer)
    assert [c.start for c in fixed.citations] == [303.0, 403.0]
    assert fixed.answer == "Who owns it? [1] Open wins mindshare. [2] Who owns it? [1]"
    unchanged = Answer(answer="A [1] B [2]", citations=answer.citations[:2])
    assert distinct_citations(unchanged) is unchanged


def test_the_same_moment_in_another_episode_is_not_a_duplicate():
    answer = Answer(answer="x [1] y [2]", citations=[_citation(60, "a"), _citation(60, "a", 9)])
    assert len(distinct_citations(answer).citations) == 2


def test_every_renderer_lists_a_twice_cited_passage_once():
    answer = Answer(
        answer="Who owns it? [1] Who owns it? [2]",
        citations=[_citation(303.0, "Who owns it?"), _citation(303.0, "Who owns it?")],
    )
    assert _text(render_answer(answer)).count("▶ 5:03") == 1
    assert sum("[2]" in str(block) for block in slack_answer(answer)) == 0
    embeds = discord_answer(answer)
    assert len(embeds[0].fields) == 1


def test_brief_renderers_skip_a_quote_that_repeats_the_claim():
    item = sample_item(text=CLAIM, quote=QUOTE, url=None)
    brief = Brief(date=date(2026, 12, 1), topics=["AI"], items=[item])
    for text in (_text(render_brief(brief)), _text(render_brief(brief, show_ids=True))):
        assert text.count("weaker at subtle bugs") == 1, text
    slack_text = json.dumps(slack_brief(brief)[0], ensure_ascii=False)  # blocks, not fallback
    discord_text = json.dumps([e.to_dict() for e in discord_brief(brief)], ensure_ascii=False)
    for text in (slack_text, discord_text):
        assert text.count("weaker at subtle bugs") == 1, text
    # No URL: the time still shows, with nothing dangling after the last separator.
    assert '"Open weights, closed wallets" · ▶ 23:41' in _text(render_brief(brief))
