"""Topics to file an episode under: the tool, not its command line; never a place or a word
for the people listening."""

from __future__ import annotations

from pathlib import Path

import yaml

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


def test_a_misheard_name_is_spelled_as_the_title_spells_it():
    sentences = _said(
        "Pedantic version two rewrote its core in Rust, and Beanie had to follow.",
        "Moving Beanie to Pedantic two made document parsing twice as fast.",
        "Pedantic validation now runs before every Beanie query returns.",
    )
    topics = filed_topics(["pedantic", "beanie"], sentences, title="Beanie and Pydantic 2")
    assert topics == ["Beanie", "Pydantic"]
    # a title's verbs are not names: "Scraping" stays as said
    scraping = _said(
        "Web scraping at scale needs polite crawlers.",
        "Web scraping breaks when the site changes its markup.",
    )
    assert filed_topics(["web scraping"], scraping, title="Web scrapying at scale") == [
        "web scraping"
    ]


def test_days_and_months_are_never_topics():
    sentences = _said(
        "We ship on Friday, and Friday releases of Kubernetes operators are risky.",
        "By June the Kubernetes operators were stable; Friday deploys stopped.",
    )
    assert filed_topics(["friday", "june", "kubernetes operators"], sentences) == [
        "Kubernetes operators"
    ]


def test_the_topic_labels_are_well_formed():
    labels = Path(__file__).resolve().parents[1] / "data" / "topic_labels.yaml"
    episodes = yaml.safe_load(labels.read_text())["episodes"]
    assert len({e["file"] for e in episodes}) == len(episodes) == 80
    for episode in episodes:
        assert set(episode["topics"].values()) <= {"good", "weak", "bad"}
        assert len(episode["missing"]) <= 3


def test_the_name_an_episode_keeps_saying_is_filed_even_beside_longer_phrases():
    said = ["Django Channels adds WebSockets to Django, and Django stays synchronous."] * 8
    said += ["Stack Overflow runs Django behind Stack Overflow's load balancers."] * 8
    said += ["Most of it is Google tooling, and Google hosts the Django mirrors."] * 8
    topics = filed_topics(
        ["django channels", "stack overflow", "websockets"], _said(*said), title="Channels"
    )
    assert "Django" in topics  # said on its own 32 times
    assert "Google" not in topics  # said 16 times, but a common word in English
    assert not {"Stack", "Overflow"} & set(topics)  # only ever part of "Stack Overflow"


def test_a_name_the_talk_treats_as_a_person_is_not_a_topic():
    sentences = _said(
        "Welcome, Ganesh. Ganesh mentioned that Kubernetes upgrades break operators.",
        "Ganesh said Kubernetes versions ship every four months, so upgrades never stop.",
        "Kubernetes operators need testing against every supported version.",
    )
    topics = filed_topics(["ganesh", "kubernetes operators"], sentences)
    assert topics == ["kubernetes operators"]


def test_a_show_named_for_its_subject_files_episodes_under_it():
    said = ["Go generics landed, and Go code reads differently since."] * 16
    sentences = _said(*said, "Go Time keeps asking whether Go interfaces still matter.")
    assert "Go" in filed_topics(["generics"], sentences, exclude=["Go Time"], show="Go Time")
    # any other word of the show's name stays out, and so does a name that is not everyday English
    talk = _said(*["We rewrote it in Python, and Python packaging got easier."] * 16)
    topics = filed_topics(["packaging"], talk, exclude=["Talk Python To Me"], show="Talk Python")
    assert "Python" not in topics
