"""Mentions: ``@podbrief …`` runs a command or answers a question, in the message's thread.

Personal replies (the reply's visibility is ephemeral) are shown only to the asker.

In a brief's thread the question is answered from that brief's episode (the only one, or the
item number it names, e.g. "#2"), found through the Delivery ledger or, failing that, the
parent message's metadata and buttons.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.db import session_scope
from bot.core.errors import PodbriefError
from bot.core.services import Services
from bot.delivery import followups
from handlers.chat.parser import parse, strip_prefix
from handlers.chat.replies import CommandRequest
from handlers.chat.router import dispatch
from handlers.slack_app.render import ASK, parse_action_id, render_reply
from handlers.slack_app.requests import AdminCheck, ack_only, is_dm_channel, team_of

log = logging.getLogger(__name__)


def mention_text(text: str) -> str:
    """A mention as a command line: a well-formed command as is, anything else as ``ask …``.

    So "@podbrief status" runs status, while "@podbrief why is it cheap?" is a question.
    """
    rest = strip_prefix(text)
    if not rest:
        return "help"
    try:
        parse(rest)
        return rest
    except PodbriefError:
        return f"ask {rest}"


def episodes_in_message(message: dict[str, Any]) -> list[int]:
    """Episode ids a posted brief carries: its metadata, else its "ask" buttons."""
    payload = (message.get("metadata") or {}).get("event_payload") or {}
    if payload.get("episode_ids"):
        return [int(e) for e in payload["episode_ids"]]
    found = []
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            kind, _, ref = str(element.get("action_id", "")).partition(":")
            if kind == ASK and ref.isdigit():
                found.append(parse_action_id(element["action_id"])[1])
    return found


class Mentions:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.is_admin = AdminCheck(services.settings)

    def handle(self, event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        """Answer the mention in its thread, privately when personal (Bolt has acked the event)."""
        channel, team = event.get("channel", ""), team_of(body)
        thread_ts = event.get("thread_ts")
        text = mention_text(event.get("text", ""))
        episode_id = None
        if thread_ts and text.startswith("ask "):
            episode_id = self.thread_episode(client, team, channel, thread_ts, text)
        request = CommandRequest(
            platform="slack",
            channel_ref=channel,
            user_id=event.get("user", ""),
            text=text,
            team_id=team,
            is_admin=self.is_admin(client, event.get("user", "")),
            is_dm=is_dm_channel(channel),
            episode_id=episode_id,
        )
        reply = dispatch(self.services, request)
        blocks, fallback = render_reply(reply)
        thread = thread_ts or event.get("ts")
        if reply.visibility == "ephemeral":
            # Personal replies (your topics, a private answer) are for the asker only, as with
            # the slash command; Slack shows them in the thread to that user alone.
            client.chat_postEphemeral(
                channel=channel,
                user=request.user_id,
                thread_ts=thread,
                blocks=blocks,
                text=fallback,
            )
            return
        client.chat_postMessage(channel=channel, thread_ts=thread, blocks=blocks, text=fallback)

    def thread_episode(
        self, client: WebClient, team: str, channel: str, thread_ts: str, question: str
    ) -> int | None:
        """The episode a thread follow-up is about, or None to search everything."""
        with session_scope(self.services.engine) as session:
            episodes = followups.brief_episodes(
                session, platform="slack", team_id=team, channel_ref=channel, message_ref=thread_ts
            )
        if not episodes:
            episodes = self._parent_episodes(client, channel, thread_ts)
        return followups.pick_episode(episodes, question)

    def _parent_episodes(self, client: WebClient, channel: str, thread_ts: str) -> list[int]:
        try:
            replies = client.conversations_replies(
                channel=channel, ts=thread_ts, limit=1, include_all_metadata=True
            )
        except SlackApiError as err:
            log.warning("conversations.replies failed: %s", err.response.get("error"))
            return []
        messages = replies.get("messages") or []
        if not messages:
            return []
        payload = (messages[0].get("metadata") or {}).get("event_payload") or {}
        if str(payload.get("delivery_id", "")).isdigit():
            with session_scope(self.services.engine) as session:
                found = followups.delivery_episodes(session, int(payload["delivery_id"]))
            if found:
                return found
        return episodes_in_message(messages[0])


def register(app: App, services: Services) -> None:
    app.event("app_mention")(ack=ack_only, lazy=[Mentions(services).handle])
