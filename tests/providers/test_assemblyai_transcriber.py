"""The AssemblyAI transcriber through the real SDK against a loopback fake."""

from __future__ import annotations

import pytest

from bot.core.config import Settings
from bot.core.errors import ServiceUnavailable, TranscriptionFailed, TranscriptionPending
from bot.providers.assemblyai_transcriber import WEBHOOK_AUTH_HEADER, AssemblyAITranscriber
from tests.fakes.assemblyai_server import FakeAssemblyAI, turns_payload
from tests.fakes.providers_loopback import Scripted

AUDIO = "https://media.example.com/ep1.mp3"
TURNS = [
    ("A", 0.0, "Welcome back. Today we talk about open models and what they cost to run."),
    ("B", 30.0, "We tuned the open model on our tickets and our bill dropped by ninety percent."),
]


@pytest.fixture
def fake():
    server = FakeAssemblyAI(polls=2).start()
    server.results[AUDIO] = turns_payload(TURNS)
    yield server
    server.stop()


def make(fake: FakeAssemblyAI, sleeps: list[float], **overrides) -> AssemblyAITranscriber:
    settings = Settings(
        _env_file=None,
        assemblyai_api_key="test-key",
        assemblyai_base_url=fake.url,
        **overrides,
    )
    return AssemblyAITranscriber(settings, sleep=sleeps.append)


def test_transcribes_from_url_with_speakers_and_language(fake):
    sleeps: list[float] = []
    submitted: list[str] = []
    result = make(fake, sleeps).transcribe(AUDIO, on_submitted=submitted.append)

    body = fake.submissions[0].body
    assert body["audio_url"] == AUDIO  # the audio is never downloaded by us
    assert body["speaker_labels"] is True and body["language_detection"] is True
    assert fake.submissions[0].headers["authorization"] == "test-key"
    assert submitted == ["tx_1"]
    assert sleeps == [3.0, 4.5]  # polled with growing intervals, no real sleeping
    assert result.language == "en"
    assert {s.speaker for s in result.segments} == {"Speaker A", "Speaker B"}
    assert result.segments[0].text.startswith("Welcome back.")
    ninety = next(s for s in result.segments if "ninety" in s.text)
    assert ninety.speaker == "Speaker B" and ninety.start >= 30.0
    assert result.audio_seconds > 30


def test_long_turns_are_split_into_timed_segments(fake):
    long_text = " ".join(f"Sentence number {i} is here." for i in range(40))
    fake.results[AUDIO] = turns_payload([("A", 0.0, long_text)])
    result = make(fake, []).transcribe(AUDIO)
    assert len(result.segments) > 3
    assert all(s.end - s.start <= 30.0 for s in result.segments)
    assert " ".join(s.text for s in result.segments) == long_text


def test_rate_limited_submission_honours_retry_after(fake):
    fake.script(
        "POST", "/v2/transcript", Scripted(429, {"error": "slow down"}, {"Retry-After": "2"})
    )
    transcriber = make(fake, [])
    result = transcriber.transcribe(AUDIO)
    assert len(fake.submissions) == 2 and len(fake.jobs) == 1
    assert transcriber.resilience.waits == [2.0]
    assert result.segments


def test_resuming_a_job_never_submits_again(fake):
    transcriber = make(fake, [])
    job_id = transcriber.submit(AUDIO)
    result = make(fake, []).transcribe(AUDIO, job_id=job_id)
    assert len(fake.submissions) == 1
    assert result.segments


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("Download error, unable to download https://media.example.com/ep1.mp3 (404)", "audio"),
        ("detected language 'xx' is not supported for speaker_labels", "unsupported language"),
    ],
)
def test_job_errors_become_one_line_reasons(fake, error, reason):
    fake.errors[AUDIO] = error
    with pytest.raises(TranscriptionFailed, match=reason):
        make(fake, []).transcribe(AUDIO)


def test_server_errors_become_service_unavailable(fake):
    fake.script("POST", "/v2/transcript", *[Scripted(503, {"error": "down"})] * 4)
    transcriber = make(fake, [])
    with pytest.raises(ServiceUnavailable):
        transcriber.transcribe(AUDIO)
    assert len(fake.submissions) == 4 and not fake.jobs
    assert len(transcriber.resilience.waits) == 3


def test_webhook_mode_submits_with_callback_and_returns_pending(fake):
    transcriber = make(
        fake,
        [],
        assemblyai_webhook_url="https://bot.example.com/hooks/assemblyai",
        assemblyai_webhook_secret="s3cret",
    )
    with pytest.raises(TranscriptionPending):
        transcriber.transcribe(AUDIO)
    body = fake.submissions[0].body
    assert body["webhook_url"] == "https://bot.example.com/hooks/assemblyai"
    assert body["webhook_auth_header_name"] == WEBHOOK_AUTH_HEADER
    fake.jobs["tx_1"].polls_left = 0  # AssemblyAI finished and called us back
    result = transcriber.transcribe(AUDIO, job_id="tx_1")
    assert result.segments and len(fake.submissions) == 1
