"""A workspace uninstalling podbrief (or revoking its bot token) stops that workspace's briefs
and, with OAuth installs, forgets its tokens; installing again brings its channels back."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from sqlmodel import Session

from bot.channels.teams import mark_team_gone
from bot.core.services import Services
from handlers.slack_app.requests import ack_only

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Listen for ``app_uninstalled`` and ``tokens_revoked`` (both in the manifest)."""
    store = app.installation_store
    forget_all = app.default_app_uninstalled_event_listener() if store is not None else None
    forget_tokens = app.default_tokens_revoked_event_listener() if store is not None else None

    def uninstalled(context: Any) -> None:
        if forget_all is not None:
            forget_all(context=context)
        stop_team(services, context.team_id)

    def revoked(event: dict, context: Any) -> None:
        if forget_tokens is not None:
            forget_tokens(event=event, context=context)
        if (event.get("tokens") or {}).get("bot"):  # without its bot token nothing can post
            stop_team(services, context.team_id)

    app.event("app_uninstalled")(ack=ack_only, lazy=[uninstalled])
    app.event("tokens_revoked")(ack=ack_only, lazy=[revoked])


def stop_team(services: Services, team_id: str | None) -> None:
    """Mark the workspace's channels gone, so no brief is composed or posted for them."""
    if not team_id:
        return
    with Session(services.engine) as session:
        count = mark_team_gone(session, platform="slack", team_id=team_id)
    log.info("Slack workspace %s removed podbrief: %d channels stopped", team_id, count)
