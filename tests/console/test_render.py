"""Terminal rendering of briefs: moments from untimed transcripts show no made-up time."""

from __future__ import annotations

from rich.console import Console

from bot.core.moments import UNTIMED
from handlers.console.render import render_brief
from handlers.discord_bot.render import render_brief as discord_brief
from handlers.slack_app.render import render_brief as slack_brief
from tests.fakes import chat_core


def _text(renderable) -> str:
    console = Console(width=120, record=True)
    console.print(renderable)
    return console.export_text()


def test_an_untimed_item_renders_no_zero_time_on_any_surface():
    brief = chat_core.sample_brief(1, start=UNTIMED, url="https://e.example/ep7")
    for shown in (
        _text(render_brief(brief)),
        str(slack_brief(brief)),
        str([e.to_dict() for e in discord_brief(brief)]),
    ):
        assert "0:00" not in shown and "-1" not in shown
    assert "▶ 23:41" in _text(render_brief(chat_core.sample_brief(1)))


def test_related_points_show_the_sentence_the_show_and_how_they_relate():
    related = chat_core.sample_related()
    shown = _text(render_brief(chat_core.sample_brief(1, related=[related])))
    assert 'Latent Stack (12:05) · "Ep 12" · disagrees: "Fine-tuning costs more' in shown
