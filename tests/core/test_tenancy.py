"""Which podcasts a workspace sees: its own follows and the operator's public feeds."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bot.core.models import Channel, Podcast, Subscription
from bot.core.tenancy import Tenant, is_private_feed, tenant_for, visible_podcast_ids

A, B = Tenant("slack", "TA"), Tenant("slack", "TB")


@pytest.mark.parametrize(
    ("url", "private"),
    [
        ("https://feeds.example.com/show.rss", False),
        ("https://feeds.example.com/podcasts/talk-python-to-me/episodes.xml", False),
        ("https://feeds.example.com/show.rss?token=s3cret", True),
        ("https://user:pw@feeds.example.com/show.rss", True),
        ("https://feeds.example.com/private/a1b2c3d4e5f6g7h8i9j0k1/feed.xml", True),
        ("https://www.patreon.com/rss/show?auth=xyz", True),
    ],
)
def test_private_feeds_are_recognised_by_their_credentials(url, private):
    assert is_private_feed(url) is private


def test_the_console_is_the_operator_and_dms_are_tenants_of_their_own():
    assert tenant_for("console", "", "me") is None
    assert tenant_for("discord", "", "42") == Tenant("discord", "dm:42")
    assert tenant_for("slack", "T1", "U1") == Tenant("slack", "T1")


def test_a_workspace_sees_its_follows_and_public_operator_feeds_only(engine):
    with Session(engine) as session:
        shared = Podcast(url="https://feeds.example.com/shared.rss")
        secret = Podcast(url="https://feeds.example.com/shared.rss?key=abc")
        mine = Podcast(url="https://feeds.example.com/a-only.rss?token=t0k3n")
        public_of_a = Podcast(url="https://feeds.example.com/a-public.rss")
        session.add_all([shared, secret, mine, public_of_a])
        channel_a = Channel(platform="slack", team_id="TA", channel_ref="C1")
        session.add(channel_a)
        session.flush()
        session.add_all(
            [
                Subscription(channel_id=channel_a.id, podcast_id=mine.id),
                Subscription(channel_id=channel_a.id, podcast_id=public_of_a.id),
                Subscription(channel_id=channel_a.id, topic="rust"),
            ]
        )
        session.commit()
        assert visible_podcast_ids(session, A) == {shared.id, mine.id, public_of_a.id}
        assert visible_podcast_ids(session, B) == {shared.id}
        assert visible_podcast_ids(session, Tenant("discord", "TA")) == {shared.id}
        assert visible_podcast_ids(session, None) is None
