"""Episode profiles: an episode is about what its show, title, categories and transcript say."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from bot.briefs.categories import feed_categories
from bot.briefs.coverage import terms_for, window_profiles
from bot.briefs.profile_loading import episode_fields
from bot.briefs.profiles import EpisodeProfile, ProfileIndex
from bot.briefs.wording import topic_terms
from bot.briefs.words import read_words
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


def _index(shows: dict[int, str], passages: dict[int, list[str]]) -> ProfileIndex:
    """Profiles of synthetic episodes: a show name and transcript passages each."""
    profiles = {
        eid: EpisodeProfile(
            eid,
            eid,
            {"show": read_words(shows[eid], title=True)},
            [read_words(text) for text in passages.get(eid, [])],
            frozenset(),
        )
        for eid in shows
    }
    return ProfileIndex(profiles)


FILLER = [
    "Sourdough needs a patient baker and a warm kitchen.",
    "Marathon training plans start slow and build every week.",
    "Interest rates shape housing markets across the country.",
]


def test_show_names_are_never_learned_as_topic_words():
    # a network's name rides along with everything its shows say: it is not the topic
    said = "On Changelog Weekly we rewrote the {} service in Go with goroutines and channels."
    shows = {eid: "Changelog Weekly" for eid in range(1, 6)} | {
        eid: "Kitchen" for eid in range(6, 12)
    }
    passages = {eid: [said.format(eid), *FILLER] for eid in range(1, 6)}
    passages |= {eid: FILLER for eid in range(6, 12)}
    index = _index(shows, passages)
    learned = {t.label for t in index.learned_terms(topic_terms("Go", index))}
    assert "goroutine" in learned
    assert not learned & {"changelog", "weekly"}


def test_a_phrase_topic_rarely_said_whole_learns_from_its_parts():
    # said whole once; the passages on orchestration name what it is about
    shows = {eid: f"Show {eid}" for eid in range(1, 11)}
    shipping = "Shipping container prices doubled at the port this spring."
    passages = {eid: [*FILLER, *[shipping] * (eid > 6)] for eid in range(1, 11)}
    passages[1] = ["Container orchestration with Kubernetes schedules pods on a cluster.", *FILLER]
    for eid in (2, 3, 4):
        passages[eid] = [
            f"Orchestration of {eid} clusters with Kubernetes keeps pods running.",
            f"Kubernetes orchestration restarts failed pods on node {eid}.",
            *FILLER,
        ]
    index = _index(shows, passages)
    learned = {t.label for t in index.learned_terms(topic_terms("container orchestration", index))}
    assert {"kubernetes", "pod"} & learned
