"""Insight hygiene over every real transcript in the shared corpus and the bundled samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import Settings
from bot.core.errors import TranscriptError
from bot.core.ports import EpisodeContext
from bot.demo.run import SAMPLES_DIR
from bot.insights.extractive import ExtractiveEngine
from bot.transcripts.parse import parse_transcript
from tests.insights.test_extractive import assert_hygienic, hygiene_problems

SAMPLES = SAMPLES_DIR
TRANSCRIPT_SUFFIXES = {".vtt", ".srt", ".json", ".html", ".txt", ".md", ".xsl", ".xml"}


def transcript_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in TRANSCRIPT_SUFFIXES
        and "chapters" not in p.name
        and p.name not in ("feed.xml", "README.md", "SOURCES.md")
    )


def parsed_segments(path: Path):
    try:
        parsed = parse_transcript(path.read_bytes(), filename=path.name)
    except NotImplementedError:
        pytest.skip("bot.transcripts.parse_transcript not merged yet")
    except TranscriptError as exc:
        pytest.skip(f"{path.name} is not parseable: {exc}")
    return parsed.segments


def extract_file(path: Path):
    segments = parsed_segments(path)
    engine = ExtractiveEngine(Settings(_env_file=None))
    return segments, engine.extract(EpisodeContext(1, "Pod", path.stem), segments)


def test_every_corpus_transcript_gives_hygienic_insights(corpus):
    files = transcript_files(corpus / "transcripts")
    assert files
    problems, counts = [], {}
    for path in files:
        segments, extraction = extract_file(path)
        counts[path.name] = len(extraction.insights)
        if segments:
            problems += [f"{path.name}: {p}" for p in hygiene_problems(extraction, segments)]
    assert not problems, "\n".join(problems)
    assert max(counts.values()) <= 12
    long_ones = [n for n in counts if n.endswith(".md") or n.startswith(("100-", "400-", "501-"))]
    assert all(counts[name] >= 8 for name in long_ones), counts  # hour-long episodes: 8–12


@pytest.mark.parametrize("path", transcript_files(SAMPLES), ids=lambda p: p.name)
def test_sample_transcripts_give_8_to_12_insights(path):
    segments, extraction = extract_file(path)
    assert_hygienic(extraction, segments)
    assert 8 <= len(extraction.insights) <= 12
