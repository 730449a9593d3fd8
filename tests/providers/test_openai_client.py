"""Reply formats through the real OpenAI SDK: structured outputs, JSON mode, prompt-only JSON.

The loopback fake refuses ``response_format`` types with the 400s self-hosted servers send, so
each step down, and that it is remembered, is checked on the wire.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.core.config import Settings
from bot.core.errors import ServiceUnavailable
from bot.core.ports import EpisodeContext, ExtractedSummary, Extraction
from bot.core.values import Passage, Segment
from bot.providers.fallback import FallbackInsightEngine
from bot.providers.openai_answers import LLMAnswerWriter
from bot.providers.openai_client import InvalidModelOutput, JsonModel, parse_reply
from bot.providers.openai_insights import LLMInsightEngine
from bot.providers.openai_prompts import AnswerOut, KeyPointOut
from tests.fakes.openai_server import FakeOpenAI, error
from tests.fakes.providers_loopback import Scripted

EPISODE = EpisodeContext(episode_id=1, podcast="The Inference Hour", title="Open weights")
SEGMENTS = [
    Segment(
        0.0, 9.0, "Dana", "We took the open model, tuned it on our tickets, and our bill dropped."
    ),
    Segment(
        9.0, 20.0, "Lee", "Latency matters more than benchmark scores for support chat, honestly."
    ),
    Segment(20.0, 31.0, "Dana", "Owning the weights means no surprise deprecations from a vendor."),
]
PASSAGE = Passage("The Inference Hour", "Open weights", 1, 0.0, 9.0, SEGMENTS[0].text, "u", 1.0)
BOTH = ("json_schema", "json_object")


class OfflineEngine:
    """Stands in for the extractive engine."""

    name = "extractive"

    def extract(self, episode, segments) -> Extraction:
        return Extraction([], ExtractedSummary("offline", [], [], []), engine=self.name)


@pytest.fixture
def server(request):
    """A fake configured by ``@pytest.mark.parametrize("server", [{...}], indirect=True)``."""
    fake = FakeOpenAI(**getattr(request, "param", {})).start()
    yield fake
    fake.stop()


def model_for(fake: FakeOpenAI, **overrides) -> JsonModel:
    settings = Settings(
        _env_file=None, openai_api_key="sk-test", openai_base_url=fake.base_url, **overrides
    )
    return JsonModel(settings, sleep=[].append)


def formats(fake: FakeOpenAI) -> list[str | None]:
    """The ``response_format`` type of every chat request, in order (None: prompt only)."""
    return [(c.body.get("response_format") or {}).get("type") for c in fake.chats()]


def test_structured_outputs_when_the_server_has_them(server):
    model = model_for(server)
    result = LLMInsightEngine(model.settings, model).extract(EPISODE, SEGMENTS)

    assert formats(server) == ["json_schema"] and model.mode == "json_schema"
    spec = server.chats()[0].body["response_format"]["json_schema"]
    assert spec["name"] == "ExtractionOut" and spec["strict"] is True
    assert spec["schema"]["additionalProperties"] is False  # the SDK's strict schema
    assert result.engine == "llm" and result.insights and result.rejected == 0


@pytest.mark.parametrize("server", [{"refuse": ["json_schema"]}], indirect=True)
def test_refused_json_schema_falls_back_to_json_mode(server):
    model = model_for(server)
    result = LLMInsightEngine(model.settings, model).extract(EPISODE, SEGMENTS)

    assert formats(server) == ["json_schema", "json_object"] and model.mode == "json_object"
    system = server.chats()[-1].body["messages"][0]["content"]
    assert "JSON" in system and '"title": "ExtractionOut"' in system  # the schema, in the prompt
    assert result.engine == "llm" and result.insights and result.rejected == 0


@pytest.mark.parametrize("server", [{"refuse": BOTH, "fenced": True}], indirect=True)
def test_both_refused_falls_back_to_prompt_json_with_a_fenced_reply(server):
    model = model_for(server)
    result = LLMInsightEngine(model.settings, model).extract(EPISODE, SEGMENTS)

    assert formats(server) == ["json_schema", "json_object", None] and model.mode == "json"
    assert "response_format" not in server.chats()[-1].body
    assert result.engine == "llm" and result.rejected == 0
    assert {i.speaker for i in result.insights} == {"Dana", "Lee"}


@pytest.mark.parametrize("server", [{"refuse": BOTH}], indirect=True)
def test_refusals_do_not_open_the_circuit(server):
    model = model_for(server, circuit_failures=2)
    model.ask(AnswerOut, "Answer in JSON.", "Question: cost?", operation="answer")
    assert formats(server) == ["json_schema", "json_object", None]
    assert not model.resilience.breaker.is_open


@pytest.mark.parametrize("server", [{"refuse": BOTH, "fenced": True}], indirect=True)
def test_the_mode_that_worked_is_remembered_for_later_calls(server):
    model = model_for(server)  # one per client and model, shared like the factory shares it
    engine = LLMInsightEngine(model.settings, model)
    engine.extract(EPISODE, SEGMENTS)
    assert len(server.chats()) == 3

    engine.extract(EPISODE, SEGMENTS)
    answer = LLMAnswerWriter(model).write_answer("Why did the bill drop?", [PASSAGE])
    assert formats(server)[3:] == [None, None]  # no refused format is tried again
    assert answer.found and answer.cited == [1]


@pytest.mark.parametrize(
    ("server", "accepted"),
    [
        ({"broken": True}, "json_schema"),
        ({"broken": True, "refuse": ["json_schema"]}, "json_object"),
        ({"broken": True, "refuse": BOTH}, None),
    ],
    indirect=["server"],
)
def test_invalid_json_in_every_mode_takes_the_error_path(server, accepted):
    model = model_for(server)
    llm = LLMInsightEngine(model.settings, model)
    with pytest.raises(InvalidModelOutput):
        llm.extract(EPISODE, SEGMENTS)
    assert formats(server)[-2:] == [accepted, accepted]  # one repair request, same format
    assert "not valid" in server.chats()[-1].body["messages"][-1]["content"]
    assert model.mode == (accepted or "json")  # a bad reply is not a refused format

    engine = FallbackInsightEngine(primary=llm, fallback=OfflineEngine())
    assert engine.extract(EPISODE, SEGMENTS).engine == "extractive"


def test_a_fastapi_style_422_naming_response_format_also_steps_down(server):
    detail = [{"loc": ["body", "response_format", "type"], "msg": "Input should be 'text'"}]
    server.script("POST", "/v1/chat/completions", Scripted(422, {"detail": detail}))
    model = model_for(server)
    model.ask(AnswerOut, "Answer in JSON.", "Question: cost?", operation="answer")
    assert formats(server) == ["json_schema", "json_object"]


def test_an_unrelated_400_is_an_error_not_a_refused_format(server):
    too_long = "This model's maximum context length is 128000 tokens."
    server.script("POST", "/v1/chat/completions", error(400, too_long))
    model = model_for(server)
    with pytest.raises(ServiceUnavailable) as raised:
        LLMInsightEngine(model.settings, model).extract(EPISODE, SEGMENTS)
    assert not isinstance(raised.value, InvalidModelOutput)
    assert formats(server) == ["json_schema"] and model.mode == "json_schema"


@pytest.mark.parametrize("server", [{"refuse": ["json_schema"]}], indirect=True)
def test_strict_setting_never_steps_down(server):
    model = model_for(server, structured_outputs="json_schema")
    with pytest.raises(ServiceUnavailable):
        model.ask(AnswerOut, "Answer.", "Question: cost?", operation="answer")
    assert formats(server) == ["json_schema"]


def test_json_setting_asks_in_the_prompt_only(server):
    model = model_for(server, structured_outputs="json")
    model.ask(AnswerOut, "Answer.", "Question: cost?", operation="answer")
    assert formats(server) == [None] and model.mode == "json"


@pytest.mark.parametrize(
    "content",
    [
        '{"text": "Open models cut costs", "at": "1:08"}',
        '```json\n{"text": "Open models cut costs", "at": "1:08"}\n```',
        'Here you go: {"text": "Open models cut costs", "at": "1:08"} Anything else?',
        'Note {braces} first.\n```\n{"text": "Open models cut costs", "at": "1:08"}\n```',
    ],
)
def test_the_json_object_is_found_in_the_reply_text(content):
    assert parse_reply(KeyPointOut, content) == KeyPointOut(text="Open models cut costs", at="1:08")


def test_replies_without_a_valid_object_are_errors():
    with pytest.raises(ValueError, match="no JSON object"):
        parse_reply(KeyPointOut, "Sure! The key point is cost.")
    with pytest.raises(ValidationError):
        parse_reply(KeyPointOut, '```json\n{"text": "Open models cut costs"}\n```')
