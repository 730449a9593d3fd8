"""Two Discord guilds on one podbrief: each sees only the podcasts it follows (and the
operator's public ones), through real interactions and the real chat core."""

from __future__ import annotations

import json

from sqlmodel import Session

from bot.core.models import Channel, Episode, Podcast, Subscription
from tests.discord_bot.conftest import text_channel
from tests.discord_bot.test_slash_commands import _followups, _invoke

GUILD_A, CHANNEL_A = "290926798626357999", "645027906669510667"
GUILD_B, CHANNEL_B = "390926798626357999", "745027906669510667"
SECRET = "s3cr3tTOKEN"


def seed(engine) -> None:
    """A private show followed in guild A, and a public show nobody follows in chat."""
    with Session(engine) as session:
        private = Podcast(
            url=f"https://feeds.example.com/members.rss?key={SECRET}", title="Members Only"
        )
        public = Podcast(url="https://feeds.example.com/open.rss", title="Open Air")
        session.add_all([private, public])
        session.flush()
        for podcast, title in ((private, "Members episode"), (public, "Public episode")):
            session.add(Episode(podcast_id=podcast.id, identity=title, title=title, status="done"))
        channel = Channel(platform="discord", team_id=GUILD_A, channel_ref=CHANNEL_A)
        session.add(channel)
        session.flush()
        session.add(Subscription(channel_id=channel.id, podcast_id=private.id))
        session.commit()


async def test_each_guild_sees_only_its_own_shows(api, make_bot, corpus_interaction, engine):
    seed(engine)
    bot = await make_bot()  # the real router and core
    shown = {}
    for number, (guild, channel) in enumerate(((GUILD_A, CHANNEL_A), (GUILD_B, CHANNEL_B))):
        payload = corpus_interaction(
            "episodes", guild_id=guild, channel_id=channel, channel=text_channel(channel, guild)
        )
        payload["id"] = str(int(payload["id"]) + number)
        await _invoke(bot, api, payload, count=number + 1)
        shown[guild] = json.dumps(_followups(api)[number].json)
    assert "Members episode" in shown[GUILD_A] and "Public episode" in shown[GUILD_A]
    assert "Public episode" in shown[GUILD_B]
    assert "Members" not in shown[GUILD_B]
    assert SECRET not in shown[GUILD_A] + shown[GUILD_B]
