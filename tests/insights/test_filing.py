"""Topics to file an episode under: the tool, not its command line; never a place or a word
for the people listening."""

from __future__ import annotations

from bot.core.values import Segment
from bot.insights.filing import filed_topics
from bot.text.sentences import split_sentences


def _said(*texts: str):
    return split_sentences(
        [Segment(400.0 * i, 400.0 * i + 9, None, t) for i, t in enumerate(texts)]
    )


def test_a_command_line_is_filed_under_its_tool():
    sentences = _said(
        "Then you run pipx install black and it lands in its own virtual environment.",
        "Every pipx install gets its own environment, so tools never clash.",
    )
    assert filed_topics(["pipx install"], sentences, title="pipx") == ["pipx"]
    assert filed_topics(["pipx install", "pipx"], sentences, title="pipx") == ["pipx"]


def test_places_and_people_words_are_never_topics():
    sentences = _said(
        "Our user group in San Diego meets monthly to learn Kubernetes together.",
        "Listeners in San Diego asked about Kubernetes operators again.",
        "Programmers there keep asking how Kubernetes operators reconcile state.",
    )
    topics = filed_topics(["san diego", "listeners", "programmers", "kubernetes"], sentences)
    assert topics == ["Kubernetes"]


def test_a_topic_is_written_as_the_transcript_writes_it():
    sentences = _said(
        "Open source editors matter. Our team moved to VS Code last year.",
        "The Go extension for VS Code runs out of process, and open source helps.",
    )
    assert filed_topics(["vs code", "open source"], sentences) == ["VS Code", "open source"]
