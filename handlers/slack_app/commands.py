"""``/podbrief …``: ack at once, then run the command and answer through response_url."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core.services import Services
from handlers.chat.router import dispatch
from handlers.slack_app.render import render_reply
from handlers.slack_app.requests import AdminCheck, slash_request

log = logging.getLogger(__name__)

COMMAND = "/podbrief"


class SlashCommand:
    """The slash command; ``acknowledge`` answers Slack within its 3 s, ``run`` does the work."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.is_admin = AdminCheck(services.settings)

    def acknowledge(self, ack: Ack) -> None:
        """Empty ack: the real reply follows via response_url (brief and ask can be slow)."""
        ack()

    def run(self, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        """Dispatch the command; shared replies go in-channel, personal ones ephemerally."""
        request = slash_request(body, is_admin=self.is_admin(client, body.get("user_id", "")))
        reply = dispatch(self.services, request)
        blocks, text = render_reply(reply)
        respond(text=text, blocks=blocks, response_type=reply.visibility, replace_original=False)


def register(app: App, services: Services) -> None:
    handler = SlashCommand(services)
    app.command(COMMAND)(ack=handler.acknowledge, lazy=[handler.run])
