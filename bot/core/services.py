"""The services one running podbrief uses, built once by the composition root."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings


@dataclass
class Services:
    """Everything the core needs, passed down explicitly (no globals)."""

    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    insight_engine: Any = None  # bot.insights.InsightEngine
    transcriber: Any = None  # bot.providers transcriber (AssemblyAI) or None
    answer_writer: Any = None  # LLM answer writer or None (extractive answers)
    embedder: Any = None  # embeddings provider or None


def worker_name(services: Services) -> str:
    """This process's claim name: WORKER_ID, else host:pid (unique across restarts)."""
    return services.settings.worker_id or f"{socket.gethostname()}:{os.getpid()}"
