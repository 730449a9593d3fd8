"""Words as topic matching reads them: plurals folded, names kept, sentence starts told apart."""

from __future__ import annotations

from bot.briefs.words import holds, norm, read_words, written


def test_plurals_fold_but_other_endings_stay():
    assert norm("frameworks") == "framework" and norm("libraries") == "library"
    assert norm("productivity") == "productivity" and norm("typing") == "typing"
    assert norm("analysis") == "analysis" and norm("js") == "js"


def test_a_folded_word_is_shown_as_people_write_it():
    assert norm("Kubernetes") == "kubernete" and written("kubernete") == "kubernetes"
    assert written("framework") == "framework" and written("pod") == "pod"


def test_a_capitalised_word_mid_sentence_is_a_proper_form():
    words = read_words("Go is fast. We wrote it in Go because Go compiles quickly.")
    assert "go" in words.proper
    assert "go" not in read_words("Go ahead. Let's go there.").proper
    assert "rust" in read_words("Rust compile times are the price.").proper


def test_titles_count_every_capitalised_word():
    assert "go" in read_words("Go Time", title=True).proper


def test_stopwords_are_skipped_so_phrases_join_across_them():
    words = read_words("founding a company")
    assert words.tokens == ("founding", "company")
    assert holds(words, ("founding", "company"))
