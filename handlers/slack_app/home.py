"""The App Home tab: this workspace's briefs and feed health, published when opened."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.core.db import session_scope
from bot.core.services import Services
from bot.reports.workspace import workspace_overview
from handlers.slack_app.requests import ack_only, team_of
from handlers.slack_app.views import home_view

log = logging.getLogger(__name__)


class HomeTab:
    def __init__(self, services: Services) -> None:
        self.services = services

    def publish(self, event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        """views.publish the Home tab for the user who opened it."""
        if event.get("tab", "home") != "home":
            return
        user = event.get("user", "")
        with session_scope(self.services.engine) as session:
            overview = workspace_overview(
                session,
                platform="slack",
                team_id=team_of(body),
                viewer_id=user,
                now=self.services.clock.now(),
                settings=self.services.settings,
            )
        client.views_publish(user_id=user, view=home_view(overview))


def register(app: App, services: Services) -> None:
    app.event("app_home_opened")(ack=ack_only, lazy=[HomeTab(services).publish])
