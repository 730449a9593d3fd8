"""A claim's features and learned score: what the weights in bot.insights.weights read, and
that the labels they are fitted to stay well-formed."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.ports import EpisodeContext, ExtractedInsight
from bot.core.values import Segment
from bot.insights import people, weights
from bot.insights.claims import Claim
from bot.insights.extractive import ExtractiveEngine
from bot.insights.features import FEATURES, claim_features, episode_view
from bot.insights.summaries import extractive_summary
from bot.text.sentences import split_sentences

LABELS = Path(__file__).resolve().parents[1] / "data" / "quality_candidates.yaml"


def _sentences(*turns: tuple[str, str]):
    segments = [
        Segment(10.0 * i, 10.0 * i + 9, speaker, text) for i, (speaker, text) in enumerate(turns)
    ]
    return split_sentences(segments)


def _claim(sentences, first: int, last: int) -> Claim:
    window = sentences[first : last + 1]
    text = " ".join(s.text for s in window)
    return Claim(first, last, text, text, window[0].speaker, window[0].start, window[-1].end, 0.5)


def _features(sentences, first: int, last: int) -> dict[str, float]:
    view = episode_view(sentences, ["postgres"], {"Ana Host"}, {"Ben Guest"})
    return claim_features(_claim(sentences, first, last), view)


def test_every_feature_has_a_weight_and_every_weight_a_feature():
    assert set(weights.WEIGHTS) | set(weights.TOPICALITY) == set(FEATURES)
    assert not set(weights.WEIGHTS) & set(weights.TOPICALITY)


def test_a_window_whose_second_sentence_starts_afresh_is_glued():
    sentences = _sentences(
        ("Ben Guest", "Postgres keeps every row version until vacuum runs."),
        ("Ben Guest", "My daughter started school this week."),
        ("Ben Guest", "Postgres vacuum then reclaims the space for new rows."),
    )
    assert _features(sentences, 0, 1)["glued"] == 1.0
    assert _features(sentences, 1, 2)["glued"] == 1.0
    linked = _sentences(
        ("Ben Guest", "Postgres keeps every row version until vacuum runs."),
        ("Ben Guest", "That is why long transactions bloat the table."),
    )
    assert _features(linked, 0, 1)["glued"] == 0.0
    assert _features(linked, 0, 0)["glued"] == 0.0  # one sentence has no joint


def test_a_thought_that_goes_on_in_the_next_sentence_is_marked():
    sentences = _sentences(
        ("Ben Guest", "Postgres keeps every row version until vacuum runs."),
        ("Ben Guest", "That is why long transactions bloat the table."),
        ("Ana Host", "How do you watch for that in production?"),
    )
    assert _features(sentences, 0, 0)["thought_continues"] == 1.0
    assert _features(sentences, 1, 1)["thought_continues"] == 0.0  # the turn ends


def test_hosts_and_guests_are_told_apart_only_when_the_cast_is_known():
    sentences = _sentences(
        ("Ana Host", "Postgres is the database most of our listeners run in production."),
        ("Ben Guest", "Postgres keeps every row version until vacuum runs."),
    )
    assert _features(sentences, 0, 0)["host"] == 1.0
    assert _features(sentences, 1, 1)["guest"] == 1.0
    unknown = episode_view(sentences, [], set(), set())
    assert claim_features(_claim(sentences, 1, 1), unknown)["guest"] == 0.0


def test_a_reasoned_claim_outscores_show_talk_and_a_self_introduction():
    sentences = _sentences(
        ("Ana Host", "Welcome to the show, it's so great and fun to have you here today."),
        ("Ben Guest", "I'm a senior software engineer at Bloomberg on the storage platform team."),
        (
            "Ana Host",
            "It's really interesting and fun to see how much our listeners love this show.",
        ),
        (
            "Ben Guest",
            "Postgres vacuum matters more than indexes for write-heavy tables, because every "
            "update leaves a dead row version that only vacuum can reclaim.",
        ),
        ("Ana Host", "What do you tell teams who are just starting out with it?"),
        ("Ben Guest", "Start with the defaults and measure bloat weekly before tuning anything."),
    )
    on_air = people.Cast(hosts={"Ana Host"}, guests=["Ben Guest"])
    ranked = ExtractiveEngine.rank(sentences, ["postgres vacuum"], on_air)
    best = max(ranked, key=lambda pair: pair[1])[0]
    assert best.text.startswith("Postgres vacuum matters more than indexes")
    assert not any("Bloomberg" in claim.text for claim, _ in ranked)  # not a claim at all


def test_a_career_story_and_the_show_plans_score_below_the_claim_beside_them():
    sentences = _sentences(
        (
            "Ben Guest",
            "I joined the storage team in 2015 and worked on Postgres replication there.",
        ),
        ("Ana Host", "Next week we're going to talk to the Postgres release team about vacuum."),
        (
            "Ben Guest",
            "Postgres replication lag grows with long transactions, because the replica "
            "cannot apply changes a running query still reads.",
        ),
    )
    career, plans, claim = (_features(sentences, i, i) for i in range(3))
    assert career["backstory"] == 2.0 and claim["backstory"] == 0.0
    assert plans["show_plans"] == 1.0 and claim["show_plans"] == 0.0
    assert weights.score(claim) > max(weights.score(career), weights.score(plans))


def test_the_labelled_candidates_are_well_formed():
    rows = yaml.safe_load(LABELS.read_text())["candidates"]
    assert len(rows) >= 900
    keys = {(r["file"], r["first"], r["last"]) for r in rows}
    assert len(keys) == len(rows)  # each candidate labelled once
    for row in rows:
        assert row["first"] <= row["last"] and row["text"]
        for criterion in ("insight", "self_contained", "clean"):
            assert row[criterion] in {"yes", "partly", "no"}, row
        if "no" in {row["insight"], row["self_contained"], row["clean"]}:
            assert row["note"], row


def test_a_claim_that_leans_on_earlier_talk_is_not_a_claim():
    sentences = _sentences(
        (
            "Ben Guest",
            "Two parts you need to think about, as we've mentioned before, are the Postgres "
            "schema and the vacuum settings for every table.",
        ),
        (
            "Ben Guest",
            "Postgres vacuum settings matter more than the schema for write-heavy tables, "
            "because dead rows pile up between runs.",
        ),
    )
    on_air = people.Cast(hosts={"Ana Host"}, guests=["Ben Guest"])
    ranked = ExtractiveEngine.rank(sentences, ["postgres vacuum"], on_air)
    assert ranked and not any("mentioned before" in claim.text for claim, _ in ranked)


def test_key_points_put_the_guests_insights_first():
    claims = [
        "Vacuum reclaims dead rows left behind by every update.",
        "Indexes speed reads but slow down each insert.",
        "Replicas lag whenever long transactions hold old snapshots.",
        "Partitions let you drop a month of data instantly.",
        "Backups are worthless until a restore has been rehearsed.",
        "Locks queue behind migrations that rewrite whole tables.",
        "Triggers hide business logic where reviewers never look.",
        "Sequences leave gaps after rollbacks, and that is fine.",
        "Views keep reporting queries stable across schema changes.",
    ]
    speakers = ["Ana Host"] * 6 + ["Ben Guest"] * 3
    insights = [
        ExtractedInsight(
            text, text, who, 600.0 * i, 600.0 * i + 9, [], 0.9 if who == "Ana Host" else 0.5
        )
        for i, (text, who) in enumerate(zip(claims, speakers, strict=True), start=1)
    ]
    episode = EpisodeContext(1, "The Data Hour", "Postgres")
    on_air = people.Cast(hosts={"Ana Host"}, guests=["Ben Guest"])
    sentences = _sentences(("Ana Host", "Postgres is today's subject."))
    summary = extractive_summary(episode, sentences, [], insights, on_air)
    by_text = {i.text: i.speaker for i in insights}
    chosen = [by_text[p.text] for p in summary.key_points]
    assert chosen.count("Ben Guest") == 3 and chosen.count("Ana Host") == 3
