"""Known model ids and their shutdown dates, checked at start-up."""

from __future__ import annotations

import logging
import threading
from datetime import date

import openai

from bot.core.clock import utcnow
from bot.core.config import Settings

log = logging.getLogger(__name__)

# Model id → announced shutdown date (None: current, no date announced). A small table kept by
# hand from OpenAI's deprecations page; ids missing here only get an "unknown model" note.
KNOWN_MODELS: dict[str, date | None] = {
    "gpt-4.1": None,
    "gpt-4.1-mini": None,
    "gpt-4.1-nano": None,
    "gpt-4o": None,
    "gpt-4o-mini": None,
    "gpt-5": None,
    "gpt-5-mini": None,
    "gpt-5-nano": None,
    "o3": None,
    "o4-mini": None,
    "text-embedding-3-small": None,
    "text-embedding-3-large": None,
    "text-embedding-ada-002": None,
    "gpt-4.5-preview": date(2025, 7, 14),
    "o1-preview": date(2025, 7, 28),
    "o1-mini": date(2025, 10, 27),
    "gpt-4-32k": date(2025, 6, 6),
    "gpt-4-vision-preview": date(2024, 12, 6),
    "gpt-3.5-turbo-0613": date(2024, 9, 13),
    "text-davinci-003": date(2024, 1, 4),
}


def static_model_warnings(settings: Settings, today: date) -> list[str]:
    """Warnings from the table alone (no network): retired, retiring or unknown model ids."""
    warnings = []
    for setting, model in (
        ("OPENAI_MODEL", settings.openai_model),
        ("OPENAI_EMBEDDING_MODEL", settings.openai_embedding_model),
    ):
        if model not in KNOWN_MODELS:
            if not settings.openai_base_url:  # compatible servers have their own names
                warnings.append(f"{setting}={model} is not a model podbrief knows")
            continue
        shutdown = KNOWN_MODELS[model]
        if shutdown and shutdown <= today:
            warnings.append(f"{setting}={model} was shut down on {shutdown}: choose another")
        elif shutdown:
            warnings.append(f"{setting}={model} shuts down on {shutdown}")
    return warnings


def served_model_warnings(settings: Settings, client: openai.OpenAI) -> list[str]:
    """Warnings from the server's model list (skipped quietly when it cannot be listed)."""
    try:
        served = {m.id for m in client.models.list()}
    except openai.OpenAIError as exc:
        log.info("model list unavailable: %s", exc.__class__.__name__)
        return []
    models = [settings.openai_model]
    if settings.embeddings:
        models.append(settings.openai_embedding_model)
    return [f"model {m} is not offered by the server" for m in models if m not in served]


def model_warnings(settings: Settings, client: openai.OpenAI | None, today: date) -> list[str]:
    """Start-up warnings about the configured models; each one is also logged."""
    warnings = static_model_warnings(settings, today)
    if client is not None:
        warnings += served_model_warnings(settings, client)
    for warning in warnings:
        log.warning(warning)
    return warnings


def check_models_in_background(settings: Settings) -> threading.Thread | None:
    """Start-up check (``podbrief run``): table and server model list, logged, never blocking."""
    if not (settings.openai_api_key or settings.openai_base_url):
        return None
    from bot.providers.openai_client import build_openai_client

    def check() -> None:
        client = build_openai_client(settings).with_options(timeout=10.0)
        model_warnings(settings, client, utcnow().date())

    thread = threading.Thread(target=check, name="model-check", daemon=True)
    thread.start()
    return thread
