"""Personal briefs (``subscribe --me``) are delivered to the user's DM channel."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.config import Settings
from bot.core.errors import ChannelGone
from bot.core.models import Channel
from bot.core.values import Brief, BriefItem
from handlers.discord_bot.publisher import DiscordPublisher
from tests.fakes.discord_server import FakeDiscord

USER = "53908232506183680"


@pytest.fixture
def discord_api():
    with FakeDiscord() as server:
        yield server


def publisher_for(api: FakeDiscord) -> DiscordPublisher:
    settings = Settings(_env_file=None, discord_token=api.token, discord_api_url=api.api_url)
    return DiscordPublisher.from_settings(settings)


def a_brief() -> Brief:
    item = BriefItem(
        1,
        9,
        "Claim @everyone",
        "quote",
        "Ann",
        "Pod",
        "Ep",
        3,
        60.0,
        "https://x.example/a.mp3#t=60",
        ["ai"],
        0.5,
    )
    return Brief(date(2026, 12, 1), ["ai"], [item])


def test_personal_brief_goes_to_the_users_dm(discord_api):
    personal = Channel(platform="discord", team_id="g", channel_ref=USER, user_id=USER)
    publisher = publisher_for(discord_api)
    message_id = publisher.send_brief(personal, a_brief(), delivery_id=7)

    [post] = discord_api.posts(f"dm-{USER}")
    assert post["id"] == message_id
    assert post["allowed_mentions"] == {"parse": []}
    assert discord_api.posts(USER) == []  # a user id is not a channel: nothing posted there
    assert publisher.find_sent(personal, delivery_id=7) == message_id


def test_closed_dms_mark_the_personal_brief_gone(discord_api):
    discord_api.dm_closed.add(USER)
    personal = Channel(platform="discord", team_id="g", channel_ref=USER, user_id=USER)
    with pytest.raises(ChannelGone):
        publisher_for(discord_api).send_brief(personal, a_brief(), delivery_id=8)


def test_guild_channels_are_posted_directly(discord_api):
    channel = Channel(platform="discord", team_id="g", channel_ref="645027906669510667")
    publisher_for(discord_api).send_brief(channel, a_brief(), delivery_id=9)
    assert len(discord_api.posts("645027906669510667")) == 1
