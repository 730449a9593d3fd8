"""Which paid services a configuration turns on, built once by the composition root."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from bot.core.clock import utcnow
from bot.core.config import Settings
from bot.costs.usage import UsageRecorder

log = logging.getLogger(__name__)


@dataclass
class ProviderServices:
    """The real services the settings ask for (None where the embedded default stays)."""

    insight_engine: Any = None
    answer_writer: Any = None
    embedder: Any = None
    transcriber: Any = None
    usage: UsageRecorder | None = None


def llm_configured(settings: Settings) -> bool:
    """OpenAI with a key, or any compatible server by base URL (local ones need no key)."""
    return bool(settings.openai_api_key or settings.openai_base_url)


def build_providers(settings: Settings, engine: Engine, offline_engine: Any) -> ProviderServices:
    """LLM insights (falling back to ``offline_engine``), answers, embeddings, transcription."""
    services = ProviderServices(usage=UsageRecorder(engine, settings))
    if llm_configured(settings):
        _add_openai(services, settings, offline_engine)
    if settings.assemblyai_api_key:
        from bot.providers.assemblyai_transcriber import AssemblyAITranscriber

        services.transcriber = AssemblyAITranscriber(settings)
    return services


def _add_openai(services: ProviderServices, settings: Settings, offline_engine: Any) -> None:
    from bot.providers.fallback import FallbackInsightEngine
    from bot.providers.openai_answers import LLMAnswerWriter
    from bot.providers.openai_client import JsonModel, build_openai_client
    from bot.providers.openai_embeddings import OpenAIEmbedder
    from bot.providers.openai_insights import LLMInsightEngine
    from bot.providers.openai_models import static_model_warnings

    for warning in static_model_warnings(settings, utcnow().date()):
        log.warning(warning)
    client = build_openai_client(settings)
    model = JsonModel(settings, client=client, on_usage=services.usage)
    llm = LLMInsightEngine(settings, model)
    services.insight_engine = FallbackInsightEngine(llm, offline_engine) if offline_engine else llm
    services.answer_writer = LLMAnswerWriter(model)  # bot.ask.answers falls back on failure
    if settings.embeddings:
        services.embedder = OpenAIEmbedder(settings, client=client, on_usage=services.usage)
