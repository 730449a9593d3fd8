"""Topic wording: phrases before words, names and abbreviations, a topic's own sense."""

from __future__ import annotations

from bot.briefs.wording import topic_terms
from bot.briefs.words import read_words


class Counts:
    """A stand-in corpus: ``python`` and ``developer`` in most episodes, the rest rare."""

    passages = 1000

    def episode_share(self, word: str) -> float:
        return {"python": 0.9, "developer": 0.8, "web": 0.7, "job": 0.9}.get(word, 0.1)

    def chunk_df(self, key: str) -> int:
        return {"python": 800, "developer": 500, "linter": 12, "testing": 40, "test": 90}.get(
            key, 5 if " " not in key else 0
        )


def relevance(topic: str, text: str) -> float:
    return topic_terms(topic, Counts()).match(read_words(text))[0]


def test_golang_and_go_language_both_mean_go_the_language():
    said = "We rewrote the billing service in Go and the latency halved."
    for topic in ("Go", "Golang", "Go language", "Go programming"):
        assert relevance(topic, said) >= 0.85, topic


def test_go_the_verb_is_not_go_the_language():
    for text in ("Let's go and see what the data says.", "Go ahead and try it on a branch."):
        assert relevance("Go", text) == 0.0, text


def test_type_in_a_command_line_is_not_typing():
    command = "Type pip install httpx into the command line and press enter to get it."
    hints = "Python type hints let the checker catch most of those bugs before they ship."
    for topic in ("type hints", "typing"):
        assert relevance(topic, command) < 0.5, topic
        assert relevance(topic, hints) >= 0.9, topic


def test_phrases_come_before_their_words():
    assert relevance("type hints", "The type of the column decides the index.") < 0.5
    assert relevance("web frameworks", "A web framework should stay out of your way.") == 1.0


def test_names_and_abbreviations():
    pairs = [
        ("Kubernetes", "We moved everything onto k8s last spring."),
        ("k8s", "Kubernetes upgrades got boring, which is the point."),
        ("JavaScript", "Most JS bundlers now ship a dev server."),
        ("Postgres", "PostgreSQL handles the queue with SKIP LOCKED."),
        ("LLM", "A large language model drafts the first answer."),
        ("machine learning", "ML pipelines fail on data, not on code."),
        ("startups", "Every founder we met had rewritten the product twice."),
    ]
    for topic, text in pairs:
        assert relevance(topic, text) >= 0.9, (topic, text)


def test_a_common_word_of_the_topic_gives_way_to_the_specific_one():
    terms = topic_terms("python linters", Counts())
    assert terms.head == ("linter",)
    assert relevance("python linters", "A good linter pays for itself in a week.") >= 0.85


def test_founding_a_company_is_not_finding_something():
    assert relevance("founding a company", "I found a bug in the parser yesterday.") == 0.0
    assert relevance("founding a company", "Founding a company taught me to sell.") == 1.0


def test_every_word_of_a_topic_in_one_text_counts_in_any_order():
    text = "Orchestration of thousands of containers is what the scheduler is for."
    assert relevance("container orchestration", text) >= 0.6


class EverywhereTestCounts(Counts):
    """A corpus where every show says "test"."""

    def episode_share(self, word: str) -> float:
        return 0.8 if word == "test" else super().episode_share(word)


def test_a_general_word_left_alone_of_a_topic_counts_less_than_a_specific_one():
    automation = topic_terms("test automation", EverywhereTestCounts())
    linters = topic_terms("python linters", EverywhereTestCounts())
    said = "We automate every deployment now."
    assert automation.match(read_words(said))[0] < 0.8  # any automation, not test automation
    assert linters.match(read_words("A good linter pays for itself in a week."))[0] >= 0.85
