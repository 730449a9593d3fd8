"""OAuth installs for many workspaces, kept in podbrief's own database.

slack_sdk's SQLAlchemy stores create their tables (``slack_bots``, ``slack_installations``,
``slack_oauth_states``) with ``create_tables()`` (CREATE IF NOT EXISTS) at start-up, so no
Alembic migration has to be threaded between the other areas' revisions.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlmodel import Session

from bot.channels.teams import reactivate_team
from bot.core.services import Services

log = logging.getLogger(__name__)

STATE_EXPIRY_S = 600
# What the bot may do in a workspace; the manifest (manifest.yml) asks for the same.
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
    "im:write",
    "users:read",
)


class InstallationStore(SQLAlchemyInstallationStore):
    """Installs in podbrief's database; a workspace installing again gets its channels back."""

    def __init__(self, services: Services) -> None:
        super().__init__(client_id=services.settings.slack_client_id or "", engine=services.engine)
        self._services = services

    def save(self, installation: Any) -> None:
        super().save(installation)
        if installation.team_id:
            with Session(self._services.engine) as session:
                reactivate_team(session, platform="slack", team_id=installation.team_id)


def build_installation_store(services: Services) -> SQLAlchemyInstallationStore:
    """The installation store on podbrief's engine, its tables created when missing."""
    store = InstallationStore(services)
    store.create_tables()
    return store


def oauth_settings(services: Services, *, installation_store: Any = None) -> OAuthSettings:
    """OAuth settings: our bot scopes, installs and CSRF states in the same database."""
    settings = services.settings
    state_store = SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRY_S, engine=services.engine
    )
    state_store.create_tables()
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=installation_store or build_installation_store(services),
        state_store=state_store,
    )
