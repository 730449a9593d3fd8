"""Wiring of the Bolt app: one function builds it, each surface module registers itself."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Lock
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.core.config import Settings
from bot.core.errors import InvalidInput
from bot.core.services import Services

log = logging.getLogger(__name__)

WORKERS = 16  # threads for slow listener work (answers, briefs); acks never use them


def web_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client, pointed at SLACK_API_URL when set (tests, proxies)."""
    url = settings.slack_api_url
    if url:
        return WebClient(token=token, base_url=url.rstrip("/") + "/")
    return WebClient(token=token)


def build_slack_app(
    services: Services,
    *,
    client: WebClient | None = None,
    installation_store: Any = None,
    token_verification: bool = True,
) -> App:
    """The Bolt app: single-workspace with SLACK_BOT_TOKEN, else OAuth installs in our DB."""
    from handlers.slack_app import actions, commands, events, home, lifecycle
    from handlers.slack_app.guard import bolt_logger

    settings = services.settings
    signing_secret = _secret(settings.slack_signing_secret)
    if settings.slack_bot_token is not None:
        client = client or web_client(settings, _secret(settings.slack_bot_token))
        app = App(
            client=client,
            signing_secret=signing_secret,
            token_verification_enabled=token_verification,
            logger=bolt_logger(),
            **_ack_first(),
        )
    elif settings.slack_client_id and settings.slack_client_secret:
        from handlers.slack_app.installs import oauth_settings

        app = App(
            client=client or web_client(settings),
            signing_secret=signing_secret,
            oauth_settings=oauth_settings(services, installation_store=installation_store),
            logger=bolt_logger(),
            **_ack_first(),
        )
    else:
        raise InvalidInput(
            "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (OAuth installs)."
        )
    app.use(RetryGuard())
    app.error(log_error)
    for surface in (commands, actions, events, home, lifecycle):
        surface.register(app, services)
    return app


def _ack_first() -> dict[str, Any]:
    """Run ack functions in the request thread, slow (lazy) work on a pool of its own.

    With Bolt's default (process_before_response=False) ack functions are queued on the same
    executor as lazy work, so a few slow answers could hold acks past Slack's 3 s. Here every
    listener is an instant ack plus lazy work, and acks never wait for the pool.
    """
    return {
        "process_before_response": True,
        "listener_executor": ThreadPoolExecutor(WORKERS, thread_name_prefix="slack-work"),
    }


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def log_error(error: Exception, body: dict) -> None:
    """The one global error handler: log with the request type, never the payload's tokens."""
    kind = body.get("type") or body.get("command") or (body.get("event") or {}).get("type")
    log.error("slack listener failed for %s", kind, exc_info=error)


class RetryGuard:
    """Middleware that drops Events API retries of events this process already handled.

    We ack at once, so a retry (``X-Slack-Retry-Num``) nearly always means Slack did not see
    our ack in time while the first delivery is still being processed.
    """

    def __init__(self, size: int = 5000) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def __call__(self, body: dict, request: Any, next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if not event_id:
            return next()
        retried = _retry_number(request.headers) > 0
        with self._lock:
            seen = event_id in self._seen
            self._seen[event_id] = None
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
        if retried and seen:
            log.info("skipping Slack retry of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()


def _retry_number(headers: dict[str, Any]) -> int:
    """X-Slack-Retry-Num (Bolt mirrors Socket Mode's retry_attempt into it); 0 when absent."""
    value = headers.get("x-slack-retry-num") or ["0"]
    value = value[0] if isinstance(value, list | tuple) else value
    return int(value) if str(value).isdigit() else 0
