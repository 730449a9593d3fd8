"""Block Kit views: the App Home tab and the "ask about this episode" modal."""

from __future__ import annotations

import json
from typing import Any

from bot.reports.workspace import ChannelOverview, WorkspaceOverview
from handlers.chat.replies import format_day
from handlers.slack_app.mrkdwn import escape, plain, truncate
from handlers.slack_app.render import Block, context, header, section

MAX_VIEW_BLOCKS = 100
ASK_CALLBACK = "podbrief_ask_episode"
ASK_BLOCK, ASK_INPUT = "question", "question_input"


def home_view(overview: WorkspaceOverview) -> dict[str, Any]:
    """The App Home: subscriptions, next and last brief per channel, feed health."""
    blocks: list[Block] = [header("podbrief"), section("*Your briefs in this workspace*")]
    if not overview.channels:
        blocks.append(section("Nothing set up yet. In any channel, type `/podbrief subscribe AI`."))
    for channel in overview.channels:
        blocks += _channel_blocks(channel)
    blocks += [{"type": "divider"}, section("*Feed health*"), section(_feed_text(overview))]
    blocks.append(context("Type `/podbrief help` anywhere for every command."))
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = [*blocks[: MAX_VIEW_BLOCKS - 1], context("… more channels not shown")]
    return {"type": "home", "blocks": blocks}


def _channel_blocks(channel: ChannelOverview) -> list[Block]:
    place = "Your personal brief (DM)" if channel.personal else f"<#{_ref(channel.channel_ref)}>"
    follows = [escape(topic) for topic in channel.topics]
    follows += [f"podcast: {escape(title)}" for title in channel.podcasts]
    last = "never"
    if channel.last_brief:
        last = f"{format_day(channel.last_brief)} ({escape(channel.last_status)})"
    due = f"{format_day(channel.next_brief)} {channel.next_brief:%H:%M}"
    text = (
        f"*{place}*\nFollows: {truncate(', '.join(follows) or 'nothing yet', 2000)}\n"
        f"Schedule: {escape(channel.schedule)} · next {due} · last brief: {last}"
    )
    return [section(text)]


def _ref(channel_ref: str) -> str:
    """Channel ids are ours (from Slack payloads) but stay inert if a bad one ever got stored."""
    return "".join(ch for ch in channel_ref if ch.isalnum())


def _feed_text(overview: WorkspaceOverview) -> str:
    feeds = overview.feeds
    if not feeds.total:
        return "No feeds yet. Add one with `/podbrief follow FEED_URL`."
    counts = ", ".join(f"{count} {status}" for status, count in sorted(feeds.by_status.items()))
    lines = [f"{feeds.total} feeds: {counts}"]
    lines += [
        f"⚠️ {truncate(escape(title), 150)}: {truncate(escape(health), 300)}"
        for title, health in feeds.failing
    ]
    return "\n".join(lines)


def ask_modal(*, episode_id: int, channel_id: str, message_ts: str, title: str) -> dict[str, Any]:
    """A modal asking one question about one episode; the answer goes to the brief's thread."""
    metadata = {"episode_id": episode_id, "channel_id": channel_id, "message_ts": message_ts}
    return {
        "type": "modal",
        "callback_id": ASK_CALLBACK,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Ask about an episode"},
        "submit": {"type": "plain_text", "text": "Ask"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(f"*{truncate(escape(title), 2900)}*"),
            {
                "type": "input",
                "block_id": ASK_BLOCK,
                "label": {"type": "plain_text", "text": "Your question"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ASK_INPUT,
                    "max_length": 500,
                    "placeholder": {
                        "type": "plain_text",
                        "text": plain("What did they say about…"),
                    },
                },
            },
            context("The answer is posted in the brief's thread, with timestamped citations."),
        ],
    }
