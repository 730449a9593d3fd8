"""Embeddings for retrieval and topic matching (EMBEDDINGS=true), behind ``Embedder``."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import openai

from bot.core.config import Settings
from bot.costs.usage import UsageEvent
from bot.providers.openai_client import UsageSink, build_openai_client, estimate_tokens
from bot.providers.resilience import Resilience, resilience_for

KNOWN_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
_BATCH = 128
# The embedding models read at most 8191 tokens; chunks are ~300 words, so this only guards.
_MAX_INPUT_CHARS = 8000 * 4


class OpenAIEmbedder:
    """``bot.core.ports.Embedder``: L2-normalised float32 vectors from an embeddings endpoint."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: openai.OpenAI | None = None,
        on_usage: UsageSink | None = None,
        resilience: Resilience | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = settings.openai_embedding_model
        self.client = client or build_openai_client(settings)
        self.on_usage = on_usage
        self.resilience = resilience or resilience_for("OpenAI embeddings", settings, sleep)
        self._dim = KNOWN_DIMENSIONS.get(self.model)

    @property
    def dim(self) -> int:
        """Vector size (asks the server once for models not in the table)."""
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), dim) float32 array, each row of unit length."""
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        rows: list[list[float]] = []
        for start in range(0, len(texts), _BATCH):
            rows += self._embed_batch(
                [t[:_MAX_INPUT_CHARS] or " " for t in texts[start : start + _BATCH]]
            )
        vectors = np.asarray(rows, dtype=np.float32)
        self._dim = vectors.shape[1]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        response = self.resilience.call(
            self.client.embeddings.create, model=self.model, input=batch
        )
        if self.on_usage:
            tokens = getattr(response.usage, "prompt_tokens", None)
            self.on_usage(
                UsageEvent(
                    service="openai",
                    operation="embed",
                    model=self.model,
                    input_tokens=tokens if tokens is not None else sum(map(estimate_tokens, batch)),
                )
            )
        ordered = sorted(response.data, key=lambda d: d.index)
        return [d.embedding for d in ordered]
