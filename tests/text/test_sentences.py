"""Sentence times: a sentence deep in a long paragraph starts when its words are spoken."""

from __future__ import annotations

import pytest

from bot.core.values import Segment
from bot.text.sentences import split_sentences


def test_sentences_within_a_paragraph_are_paced_over_its_time():
    first = "We moved the billing service first. " * 5
    paragraph = first + "Then the search cluster followed a month later."
    [*_, last] = split_sentences([Segment(600.0, 660.0, "Ann", paragraph)])
    share = len(first) / len(paragraph)
    assert last.text.startswith("Then the search cluster")
    assert last.start == pytest.approx(600.0 + 60.0 * share, abs=1.0)


def test_a_sentence_that_starts_a_segment_keeps_the_segment_start():
    segments = [Segment(10.0, 14.0, None, "One cue here."), Segment(14.0, 18.0, None, "Another.")]
    assert [s.start for s in split_sentences(segments)] == [10.0, 14.0]


def test_untimed_text_stays_untimed():
    sentences = split_sentences([Segment(0.0, 0.0, None, "First point made. Second point made.")])
    assert {s.start for s in sentences} == {0.0}


def test_a_vague_tail_and_padding_adverbs_are_dropped_the_meaning_kept():
    from bot.text.sentences import clean_wording

    assert clean_wording("You have to find which piece matters, I guess.") == (
        "You have to find which piece matters."
    )
    assert clean_wording("It is basically a cache for models, or something like that.") == (
        "It is a cache for models."
    )
    assert clean_wording("We run Redis, Kafka and Postgres, et cetera.") == (
        "We run Redis, Kafka and Postgres."
    )
    assert clean_wording("I guess that is fine.") == "I guess that is fine."
    assert clean_wording("That is not what I think.") == "That is not what I think."


def test_an_abbreviation_does_not_end_a_sentence():
    said = "Today we have myself, Erik St. Martin, and Dr. Ana Ruiz. She runs the lab."
    sentences = split_sentences([Segment(0.0, 9.0, "Erik St. Martin", said)])
    assert [s.text for s in sentences] == [
        "Today we have myself, Erik St. Martin, and Dr. Ana Ruiz.",
        "She runs the lab.",
    ]
