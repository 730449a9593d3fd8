"""Episode profiles: an episode is about what its show, title, categories and transcript say."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from bot.briefs.categories import feed_categories
from bot.briefs.coverage import terms_for, window_profiles
from bot.briefs.profile_loading import episode_fields
from bot.briefs.profiles import EpisodeProfile, ProfileIndex
from bot.briefs.wording import topic_terms
from bot.core.models import Episode, Podcast
from tests.briefs.devset import DAY


def coverage(world, topic: str) -> dict[str, float]:
    engine, ids = world
    with Session(engine) as session:
        profiles = window_profiles(session, DAY, 7)
        matches = profiles.matches(terms_for(profiles, topic))
    return {stem: matches[i].score if i in matches else 0.0 for stem, i in ids.items()}


def test_golang_and_go_language_both_find_go_time(devset_world):
    for topic in ("Golang", "Go language", "Go"):
        scores = coverage(devset_world, topic)
        assert scores["gotime__go-time-151"] >= 0.9 and scores["gotime__go-time-304"] >= 0.9
        # Talk Python says "go" hundreds of times, as a verb: not about Go
        assert scores["407-pytest-tips"] < 0.25 and scores["371-pipx"] < 0.25, topic


def test_a_topic_discussed_at_length_is_found_in_the_transcript(devset_world):
    scores = coverage(devset_world, "Kubernetes")
    assert scores["shipit__ship-it-68"] >= 0.9
    assert scores["podcast__the-changelog-573"] > scores["371-pipx"]
    careers = coverage(devset_world, "career advice")
    assert max(careers, key=careers.get) == "111-pythonic-career-advice-and-more"


def test_feed_categories_from_real_feeds_put_an_episode_on_a_topic(corpus: Path):
    feeds = corpus / "feeds"
    categories = feed_categories((feeds / "podcastparser" / "itunes_categories.rss").read_bytes())
    assert {"Business", "Entrepreneurship", "Ecommerce"} <= set(categories)
    example = (feeds / "podcast-namespace" / "example.xml").read_bytes()
    assert "Tech News" in feed_categories(example)
    podcast = Podcast(id=1, url="https://example.test/f.xml", title="Weekly Show")
    episode = Episode(id=1, podcast_id=1, identity="x", title="Episode 12")
    fields = episode_fields(episode, podcast, None, categories)
    index = ProfileIndex({1: EpisodeProfile(1, 1, fields, [], frozenset())})
    assert index.matches(topic_terms("ecommerce", index))[1].fields == ("categories",)
    assert 1 not in index.matches(topic_terms("kubernetes", index))
