"""The prompts carry the editor's rubric (../shared/QUALITY.md) to the model, on the wire."""

from __future__ import annotations

import json

import pytest

from bot.core.config import Settings
from bot.core.ports import EpisodeContext
from bot.core.values import Segment
from bot.providers.openai_client import JsonModel
from bot.providers.openai_insights import LLMInsightEngine
from tests.fakes.openai_server import FakeOpenAI

EPISODE = EpisodeContext(
    episode_id=1,
    podcast="The Inference Hour",
    title="Open weights",
    persons=[{"name": "Dana Ortiz", "role": "guest"}],
)
SEGMENTS = [
    Segment(float(n * 10), float(n * 10 + 9), "Dana", f"Point {n}: open models cut our bill again.")
    for n in range(40)
]
# What every insight prompt must say, in the rubric's terms.
INSIGHT_RULES = (
    "why it matters",
    "one idea, at most 50 words",
    "the subject named",
    "no this/that/they/it",
    "sponsor",
    "intros, outros, banter, compliments, questions",
    "talk about the conversation itself",
)
SUMMARY_RULES = (
    "opens with one or two sentences on what the episode is about and who is talking",
    "each guest by name with what they do",
    "3-6 key points that do not repeat each other",
    "specific noun phrases",
    "never common words, URLs or sponsor names",
)


@pytest.fixture
def fake():
    server = FakeOpenAI().start()
    yield server
    server.stop()


def engine_for(fake: FakeOpenAI, **overrides) -> LLMInsightEngine:
    settings = Settings(
        _env_file=None, openai_api_key="sk-test", openai_base_url=fake.base_url, **overrides
    )
    return LLMInsightEngine(settings, JsonModel(settings, sleep=[].append))


def test_the_insight_prompt_carries_the_rubric(fake):
    engine_for(fake).extract(EPISODE, SEGMENTS)
    request = fake.chats()[0].body
    system = request["messages"][0]["content"]
    for rule in (*INSIGHT_RULES, *SUMMARY_RULES):
        assert rule in system
    assert "People: Dana Ortiz (guest)" in request["messages"][-1]["content"]
    schema = json.dumps(request["response_format"]["json_schema"]["schema"])
    assert "at most 50 words" in schema and "who is talking" in schema  # and the schema too


def test_the_reduce_prompt_carries_the_summary_rules(fake):
    engine_for(fake, llm_context_tokens=1_500, openai_output_tokens=100).extract(
        EPISODE, SEGMENTS * 8
    )
    reduce = fake.chats()[-1].body
    assert reduce["response_format"]["json_schema"]["name"] == "SummaryOut"
    system = reduce["messages"][0]["content"]
    for rule in SUMMARY_RULES:
        assert rule in system
    assert "sponsor reads, intros and outros" in system
