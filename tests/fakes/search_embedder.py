"""A deterministic fake Embedder: hashed bag of concepts, with a tiny synonym table.

Synonyms share a concept dimension, which stands in for what a real embedding model does
(similar meaning, different words) so hybrid retrieval can be tested offline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from bot.search.terms import content_words, stem

CONCEPTS = {"automobile": "car", "vehicle": "car", "cars": "car", "sedan": "car"}


class HashingEmbedder:
    """Bag of stemmed words hashed into ``dim`` buckets, L2-normalised."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in content_words(text):
                concept = stem(CONCEPTS.get(word, word))
                bucket = int(hashlib.md5(concept.encode()).hexdigest(), 16) % self.dim
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out
