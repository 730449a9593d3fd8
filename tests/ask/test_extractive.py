"""Offline answers quote statements, not questions, and never a speaker label."""

from __future__ import annotations

from bot.ask.extractive import best_sentences
from bot.core.values import Passage


def _passage(text: str) -> Passage:
    return Passage(
        podcast="Show", episode="Ep", episode_id=1, start=0.0, end=60.0, text=text, url="u"
    )


def test_questions_are_skipped_and_speaker_labels_dropped():
    text = (
        "Maya Chen: Why do teams fine-tune open models these days? "
        "Dana Ortiz: Teams fine-tune open models because the bill drops and they control upgrades."
    )
    picked = best_sentences("why fine-tune open models", [_passage(text)], idf={})
    assert [s.text for s in picked] == [
        "Teams fine-tune open models because the bill drops and they control upgrades."
    ]
    assert text[picked[0].offset :].startswith("Teams fine-tune")
