"""Start the Slack app in background threads: Socket Mode, or an HTTP server for events/OAuth."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Literal

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.config import Settings
from bot.core.errors import InvalidInput, StartupError
from bot.core.services import Services

log = logging.getLogger(__name__)

SlackMode = Literal["socket", "oauth", "http"]
EVENTS_PATH = "/slack/events"


def slack_mode(settings: Settings) -> SlackMode | None:
    """Socket Mode (bot+app token), HTTP (bot token+signing secret) or OAuth HTTP (client id)."""
    if settings.slack_app_token and settings.slack_bot_token:
        return "socket"
    if settings.slack_bot_token:  # a bot token means one workspace, as in build_slack_app
        return "http" if settings.slack_signing_secret else None
    if settings.slack_client_id and settings.slack_client_secret and settings.slack_signing_secret:
        return "oauth"
    return None


def start_slack(services: Services) -> Callable[[], None]:
    """Start Slack in background threads and return the function that stops it."""
    from handlers.slack_app.app import build_slack_app

    mode = slack_mode(services.settings)
    if mode is None:
        raise InvalidInput(
            "Slack needs SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or with "
            "SLACK_SIGNING_SECRET (HTTP), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
            "SLACK_SIGNING_SECRET (OAuth installs)."
        )
    try:
        app = build_slack_app(services)  # a bot token is checked here, with auth.test
    except (BoltError, SlackApiError, SlackClientError) as exc:
        raise StartupError(
            f"Slack rejected SLACK_BOT_TOKEN ({_slack_reason(exc)}): check the Bot User OAuth "
            "token (xoxb-…) on your Slack app's OAuth & Permissions page"
        ) from None
    if mode == "socket":
        return start_socket_mode(app, services.settings)
    settings = services.settings
    return start_http(app, host=settings.slack_http_host, port=settings.port, services=services)[0]


def _slack_reason(exc: Exception) -> str:
    """Slack's error code (``invalid_auth``) when it gave one, else the first line."""
    response = getattr(exc, "response", None)
    code = response.get("error") if response is not None else None
    if not code:  # Bolt's BoltError carries the auth.test result only in its text
        found = re.search(r"'error': '([a-z_]+)'", str(exc))
        code = found.group(1) if found else None
    if code:
        return f"auth.test said {code}"
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def start_socket_mode(app: App, settings: Settings) -> Callable[[], None]:
    """Connect over Socket Mode (one workspace, no public URL needed)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    try:
        handler.connect()
    except (SlackApiError, SlackClientError) as exc:
        raise StartupError(
            f"Slack rejected SLACK_APP_TOKEN ({_slack_reason(exc)}): check the app-level token "
            "(xapp-…, connections:write scope) under Basic Information, and that Socket Mode is on"
        ) from None
    log.info("Slack Socket Mode connected")
    return handler.close


def start_http(
    app: App, *, host: str, port: int, services: Services | None = None
) -> tuple[Callable[[], None], int]:
    """Serve Events API, interactivity and OAuth (``/slack/install``) over HTTP.

    With ``services`` and ASSEMBLYAI_WEBHOOK_URL set, the webhook path is served beside them.
    Returns the stop function and the bound port (useful with port 0).
    """
    from handlers.slack_app.guard import slack_request_guard
    from handlers.web.assemblyai_webhook import with_assemblyai_webhook
    from handlers.web.http_server import serve_wsgi

    wsgi = slack_request_guard(SlackRequestHandler(app, path=EVENTS_PATH))
    if services is not None:
        wsgi = with_assemblyai_webhook(services, wsgi)
    try:
        stop, bound = serve_wsgi(wsgi, host=host, port=port, name="slack-http")
    except OSError as exc:
        raise StartupError(
            f"can't listen on {host}:{port} ({exc.strerror or exc}): another process has the "
            "port; stop it or set PORT to a free one"
        ) from None
    log.info("Slack HTTP listening on %s:%s%s", host, bound, EVENTS_PATH)
    return stop, bound
