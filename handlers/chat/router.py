"""The router: command name → handler, and the one entry point every platform calls."""

from __future__ import annotations

import logging
from typing import Any

from bot.core.errors import PodbriefError
from bot.core.services import Services
from handlers.chat import reading, subscriptions
from handlers.chat.channels import is_personal
from handlers.chat.commands import Handler
from handlers.chat.help import help_reply
from handlers.chat.parser import parse
from handlers.chat.replies import GENERIC_ERROR, CommandRequest, Line, Reply

log = logging.getLogger(__name__)


def show_help(services: Services, request: CommandRequest, args: dict[str, Any]) -> Reply:
    """Help from the command table."""
    return help_reply(args.get("command"))


HANDLERS: dict[str, Handler] = {
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
    "topics": subscriptions.topics,
    "follow": subscriptions.follow,
    "unfollow": subscriptions.unfollow,
    "podcasts": reading.podcasts,
    "episodes": reading.episodes,
    "summary": reading.summary,
    "brief": reading.brief,
    "ask": reading.ask,
    "search": reading.search,
    "settings": subscriptions.settings,
    "status": reading.status,
    "why": reading.why,
    "help": show_help,
}


def dispatch(services: Services, request: CommandRequest) -> Reply:
    """Parse, check permission, run the handler; every failure becomes a short reply."""
    try:
        parsed = parse(request.text)
        command, args = parsed.command, parsed.args
        if command.admin_only and not request.is_admin and not is_personal(request, args):
            return Reply(
                lines=[Line(f"Only workspace admins can `{command.name}` for this channel.")],
                error=True,
            )
        return HANDLERS[command.name](services, request, args)
    except PodbriefError as err:
        return Reply(lines=[Line(str(err))], error=True)
    except Exception:
        log.exception("command failed: %s", request.text[:200])
        return Reply(lines=[Line(GENERIC_ERROR)], error=True)
