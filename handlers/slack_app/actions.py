"""Brief buttons: 👍/👎 feedback, and "ask about this episode" (a modal answered in-thread)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.briefs import feedback
from bot.channels import subscriptions as channels
from bot.core.db import session_scope
from bot.core.errors import PodbriefError
from bot.core.models import Channel
from bot.core.services import Services
from bot.feeds import catalog
from handlers.chat.replies import CommandRequest
from handlers.chat.router import dispatch
from handlers.slack_app.mrkdwn import escape, truncate
from handlers.slack_app.render import ASK, LESS, MORE, parse_action_id, render_reply, section
from handlers.slack_app.requests import is_dm_channel, team_of
from handlers.slack_app.views import ASK_BLOCK, ASK_CALLBACK, ASK_INPUT, ask_modal

log = logging.getLogger(__name__)

ASK_HINT = "Mention @podbrief in this brief's thread with your question (e.g. “#2 why?”)."
FEEDBACK_ACTIONS = re.compile(rf"^({MORE}|{LESS}):\d+$")
ASK_ACTIONS = re.compile(rf"^{ASK}:\d+$")


def brief_channel(session: Any, body: dict[str, Any]) -> Channel | None:
    """The Channel row a clicked brief belongs to (the clicker's own DM brief in a DM)."""
    channel_id = (body.get("channel") or {}).get("id", "")
    user_id = (body.get("user") or {}).get("id", "")
    personal = is_dm_channel(channel_id)
    return channels.find_channel(
        session,
        platform="slack",
        team_id=team_of(body),
        channel_ref=user_id if personal else channel_id,
        user_id=user_id if personal else "",
    )


class BriefButtons:
    def __init__(self, services: Services) -> None:
        self.services = services

    def acknowledge(self, ack: Ack) -> None:
        ack()

    def feedback(self, body: dict[str, Any], respond: Respond) -> None:
        """Record 👍/👎 for the insight and confirm privately."""
        kind, insight_id = parse_action_id(body["actions"][0]["action_id"])
        value = 1 if kind == MORE else -1
        user_id = (body.get("user") or {}).get("id", "")
        try:
            with session_scope(self.services.engine) as session:
                channel = brief_channel(session, body)
                if channel is None:
                    raise PodbriefError("This brief's channel is no longer set up in podbrief.")
                feedback.record_feedback(session, channel, insight_id, user_id, value)
            text = "Got it — more like this." if value > 0 else "Got it — less like this."
        except PodbriefError as err:
            text = str(err)
        respond(text=escape(text), response_type="ephemeral", replace_original=False)

    def open_ask(self, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """Open the question modal (within the trigger's 3 s life; no core work before it)."""
        _, episode_id = parse_action_id(body["actions"][0]["action_id"])
        title = f"Episode #{episode_id}"
        try:
            with session_scope(self.services.engine) as session:
                episode, podcast = catalog.get_episode(session, episode_id)
                title = f"{podcast.title} · {episode.title}" if podcast else episode.title
        except PodbriefError:
            log.info("ask button for missing episode %s", episode_id)
        view = ask_modal(
            episode_id=episode_id,
            channel_id=(body.get("channel") or {}).get("id", ""),
            message_ts=(body.get("container") or {}).get("message_ts", ""),
            title=title,
        )
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as err:  # e.g. the trigger expired: offer the thread instead
            log.warning("views.open failed: %s", err.response.get("error"))
            respond(text=ASK_HINT, response_type="ephemeral", replace_original=False)


class AskSubmission:
    def __init__(self, services: Services) -> None:
        self.services = services

    def acknowledge(self, ack: Ack, view: dict[str, Any]) -> None:
        """Close the modal, or keep it open with an error when the question is empty."""
        if not question_of(view):
            ack(response_action="errors", errors={ASK_BLOCK: "Type a question first."})
        else:
            ack()

    def answer(self, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """Answer from the episode and post it in the brief's thread for everyone."""
        meta = json.loads(view.get("private_metadata") or "{}")
        user_id = (body.get("user") or {}).get("id", "")
        question = question_of(view)
        if not question:
            return
        request = CommandRequest(
            platform="slack",
            channel_ref=meta.get("channel_id", ""),
            user_id=user_id,
            text=f"ask {question}",
            team_id=team_of(body),
            is_dm=is_dm_channel(meta.get("channel_id", "")),
            episode_id=meta.get("episode_id"),
        )
        blocks, text = render_reply(dispatch(self.services, request))
        asked = f"<@{user_id}> asked: “{truncate(escape(question), 500)}”"
        client.chat_postMessage(
            channel=meta.get("channel_id", ""),
            thread_ts=meta.get("message_ts") or None,
            blocks=[section(asked), *blocks[:49]],
            text=text,
        )


def question_of(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    return (((values.get(ASK_BLOCK) or {}).get(ASK_INPUT) or {}).get("value") or "").strip()


def register(app: App, services: Services) -> None:
    buttons = BriefButtons(services)
    app.action(FEEDBACK_ACTIONS)(ack=buttons.acknowledge, lazy=[buttons.feedback])
    app.action(ASK_ACTIONS)(ack=buttons.acknowledge, lazy=[buttons.open_ask])
    submission = AskSubmission(services)
    app.view(ASK_CALLBACK)(ack=submission.acknowledge, lazy=[submission.answer])
