"""The services one running podbrief uses, built once by the composition root."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.ports import AnswerWriter, Embedder, InsightEngine, Publisher, Transcriber


@dataclass
class Services:
    """Everything the core needs, passed down explicitly (no globals)."""

    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    insight_engine: InsightEngine | None = None  # always set by the composition root
    transcriber: Transcriber | None = None  # None: publisher transcripts only
    answer_writer: AnswerWriter | None = None  # None: extractive answers
    embedder: Embedder | None = None  # None: keyword search only
    # platform name → the publisher that posts there, built once by the composition root
    publishers: dict[str, Publisher] = field(default_factory=dict)


def worker_name(services: Services) -> str:
    """This process's claim name: WORKER_ID, else host:pid (unique across restarts)."""
    return services.settings.worker_id or f"{socket.gethostname()}:{os.getpid()}"
