"""Tokens and estimated cost per episode-hour (extraction) and per question (ask).

Runs the real OpenAI SDK against the loopback fake and reads the usage it recorded. Input
tokens are what podbrief sends (prompt + transcript, estimated at ~4 characters per token, as a
real server would bill them roughly); output tokens are the fake analyst's reply size, so the
output figure is a floor (a real model writes a longer reply). Run:
``.venv/bin/python -m bench.providers``.
"""

from __future__ import annotations

from pathlib import Path

import webvtt

from bot.core.config import Settings
from bot.core.ports import EpisodeContext
from bot.core.values import Passage, Segment
from bot.costs.usage import UsageEvent, estimate_cost
from bot.demo.run import SAMPLES_DIR
from bot.providers.openai_answers import LLMAnswerWriter
from bot.providers.openai_client import JsonModel
from bot.providers.openai_insights import LLMInsightEngine
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "transcripts" / "talkpython"
SAMPLES = SAMPLES_DIR / "inference-hour"


def seconds(stamp: str) -> float:
    hours, minutes, secs = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(secs)


def vtt_segments(path: Path) -> list[Segment]:
    return [
        Segment(seconds(c.start), seconds(c.end), c.voice, " ".join(c.text.split()))
        for c in webvtt.read(str(path))
        if c.text.strip()
    ]


def transcripts() -> list[Path]:
    """Real hour-long episodes from the shared corpus when present, else the bundled samples."""
    found = sorted(CORPUS.glob("*.vtt")) if CORPUS.is_dir() else []
    return found or sorted(SAMPLES.glob("*.vtt"))


def run_extraction(fake: FakeOpenAI, settings: Settings, path: Path) -> tuple[float, int, int]:
    segments = vtt_segments(path)
    engine = LLMInsightEngine(settings, JsonModel(settings))
    before = len(fake.usage)
    engine.extract(EpisodeContext(1, "bench", path.stem), segments)
    used = fake.usage[before:]
    return (
        segments[-1].end / 3600.0,
        sum(u.prompt_tokens for u in used),
        sum(u.completion_tokens for u in used),
    )


def report_extraction(fake: FakeOpenAI, settings: Settings, label: str) -> None:
    hours = tokens_in = tokens_out = 0.0
    for path in transcripts():
        h, i, o = run_extraction(fake, settings, path)
        hours, tokens_in, tokens_out = hours + h, tokens_in + i, tokens_out + o
    per_hour = UsageEvent("openai", "insights", "", int(tokens_in / hours), int(tokens_out / hours))
    print(
        f"extraction ({label}): {hours:.2f} episode-hours; per episode-hour "
        f"{per_hour.input_tokens:,} input + {per_hour.output_tokens:,} output tokens, "
        f"≈ ${estimate_cost(settings, per_hour):.4f}"
    )


def report_ask(fake: FakeOpenAI, settings: Settings) -> None:
    segments = vtt_segments(transcripts()[0])
    passages = []
    for n in range(10):  # ten ~300-word passages, as retrieval hands them over
        words = " ".join(s.text for s in segments[n * 25 : (n + 1) * 25]).split()[:300]
        passages.append(
            Passage("bench", "episode", 1, n * 60.0, n * 60.0 + 60, " ".join(words), "u", 1.0)
        )
    writer = LLMAnswerWriter(JsonModel(settings))
    before = len(fake.usage)
    questions = ["What makes the tool fast?", "Who maintains it?", "What does it replace?"]
    for question in questions:
        writer.write_answer(question, passages)
    used = fake.usage[before:]
    per_q = UsageEvent(
        "openai",
        "answer",
        "",
        sum(u.prompt_tokens for u in used) // len(questions),
        sum(u.completion_tokens for u in used) // len(questions),
    )
    print(
        f"ask: per question {per_q.input_tokens:,} input + {per_q.output_tokens:,} output "
        f"tokens, ≈ ${estimate_cost(settings, per_q):.5f}"
    )


def main() -> None:
    fake = FakeOpenAI().start()
    try:
        base = {"_env_file": None, "openai_api_key": "sk-bench", "openai_base_url": fake.base_url}
        settings = Settings(**base)
        print(
            f"model {settings.openai_model}: ${settings.price_input_per_mtok_usd}/M input, "
            f"${settings.price_output_per_mtok_usd}/M output; transcripts: "
            f"{', '.join(p.name for p in transcripts())}"
        )
        report_extraction(
            fake, settings, f"one call, {settings.llm_context_tokens:,}-token context"
        )
        small = Settings(**base, llm_context_tokens=16_000, openai_output_tokens=4_000)
        report_extraction(fake, small, "map-reduce, 16,000-token context")
        report_ask(fake, settings)
        audio = UsageEvent("assemblyai", "transcribe", audio_seconds=3600)
        print(f"transcription: ≈ ${estimate_cost(settings, audio):.2f} per episode-hour")
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
