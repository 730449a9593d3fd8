"""The usage ledger, Retry-After parsing, the circuit breaker and output safety."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.errors import ServiceUnavailable
from bot.core.models import Usage
from bot.costs.usage import UsageEvent, UsageRecorder, estimate_cost, usage_report
from bot.providers.output_safety import safe_text
from bot.providers.resilience import (
    CircuitBreaker,
    CircuitOpen,
    Resilience,
    TransientHTTPError,
    retry_after_seconds,
)


def test_costs_follow_the_price_settings(settings: Settings):
    chat = UsageEvent("openai", "insights", input_tokens=1_000_000, output_tokens=500_000)
    assert estimate_cost(settings, chat) == pytest.approx(0.40 + 0.80)
    audio = UsageEvent("assemblyai", "transcribe", audio_seconds=7200)
    assert estimate_cost(settings, audio) == pytest.approx(0.74)
    embed = UsageEvent("openai", "embed", input_tokens=2_000_000)
    assert estimate_cost(settings, embed) == pytest.approx(0.04)


def test_recorder_writes_rows_and_report_sums_them(any_engine, settings):
    recorder = UsageRecorder(any_engine, settings)
    recorder(UsageEvent("openai", "insights", "gpt-4.1-mini", 30_000, 2_000, episode_id=None))
    recorder(UsageEvent("openai", "answer", "gpt-4.1-mini", 3_000, 200))
    with Session(any_engine) as session:
        assert len(session.exec(select(Usage)).all()) == 2
        report = usage_report(session, days=7, now=datetime.now(UTC))
    rows = {r["operation"]: r for r in report["rows"]}
    assert rows["insights"]["input_tokens"] == 30_000 and rows["answer"]["calls"] == 1
    assert report["total_cost_usd"] == pytest.approx(0.0167, abs=1e-4)


def test_recorder_keeps_rows_while_sqlite_is_locked(engine, settings):
    recorder = UsageRecorder(engine, settings)
    with Session(engine) as holder:  # another transaction holds the write lock
        holder.add(Usage(service="openai", operation="insights"))
        holder.flush()
        recorder(UsageEvent("openai", "answer", input_tokens=10))
        assert len(recorder._pending) == 1  # kept, not lost, not blocking for 30 s
        holder.commit()
    assert recorder.drain(timeout_s=10) == 0  # the background writer or this drain wrote it
    with Session(engine) as session:
        assert len(session.exec(select(Usage)).all()) == 2


def _error_with(headers: dict[str, str]) -> TransientHTTPError:
    return TransientHTTPError("x", httpx.Response(429, headers=headers))


def test_retry_after_in_seconds_milliseconds_and_http_date():
    assert retry_after_seconds(_error_with({"retry-after": "7"})) == 7.0
    assert retry_after_seconds(_error_with({"retry-after-ms": "1500"})) == 1.5
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds(_error_with({"retry-after": later})) <= 30
    assert retry_after_seconds(_error_with({})) is None


def test_retries_use_jittered_backoff_and_give_up_as_service_unavailable():
    waits: list[float] = []
    policy = Resilience("svc", attempts=3, initial_wait_s=1, max_wait_s=4, sleep=waits.append)

    def always_busy():
        raise _error_with({})

    with pytest.raises(ServiceUnavailable, match="svc failed"):
        policy.call(always_busy)
    assert len(waits) == 2 and all(0 <= w <= 4 for w in waits)


def test_non_transient_errors_are_not_retried():
    policy = Resilience("svc", sleep=lambda _s: pytest.fail("slept"))

    def bad_request():
        request = httpx.Request("POST", "http://127.0.0.1/")
        raise httpx.HTTPStatusError("400", request=request, response=httpx.Response(400))

    with pytest.raises(ServiceUnavailable):
        policy.call(bad_request)


def test_breaker_opens_after_failures_and_half_opens_after_cool_down():
    now = [0.0]
    breaker = CircuitBreaker("svc", threshold=2, reset_after_s=60, monotonic=lambda: now[0])
    breaker.record_failure()
    breaker.before_call()
    breaker.record_failure()
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    now[0] = 61.0
    breaker.before_call()  # one trial call is let through
    breaker.record_success()
    assert not breaker.is_open and breaker.failures == 0


@pytest.mark.parametrize(
    "dirty",
    [
        "Big news <!channel> and <!here|here> for <@U012AB3CD> and <@!123456789012345678>",
        "@everyone @here read https://evil.example.com/x?y=1 and www.evil.example.com",
        "<https://evil.example.com|click here> <#C024BE91L> <@&987654321>",
    ],
)
def test_safe_text_strips_mentions_and_foreign_links(dirty):
    clean = safe_text(dirty)
    for bad in ("<!", "<@", "<#", "@everyone", "@here", "evil.example.com"):
        assert bad not in clean


def test_safe_text_keeps_citation_links():
    url = "https://media.example.com/ep7.mp3#t=1421"
    assert url in safe_text(f"Listen at {url} now", allowed_urls=[url])


def test_timeouts_and_dropped_connections_are_transient():
    import openai

    from bot.providers.resilience import is_transient

    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    assert is_transient(openai.APITimeoutError(request=request))
    assert is_transient(httpx.ConnectTimeout("slow", request=request))
    assert not is_transient(ValueError("bug"))
