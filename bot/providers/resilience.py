"""Retries with jittered backoff that honour Retry-After, and a circuit breaker.

The SDKs' own retries are switched off (``max_retries=0``) so every retry happens here, where
it is visible, bounded and testable (tests pass a ``sleep`` that records instead of sleeping).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import assemblyai as aai
import httpx
import openai
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from bot.core.errors import ServiceUnavailable
from bot.feeds.fetching import parse_retry_after

log = logging.getLogger(__name__)
T = TypeVar("T")


class CircuitOpen(ServiceUnavailable):
    """The service failed repeatedly; calls are refused until the cool-down passes."""


class TransientHTTPError(Exception):
    """A 429/5xx answer carrying its response (so Retry-After can be honoured)."""

    def __init__(self, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


_TRANSIENT_OPENAI = (
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APITimeoutError,
    openai.APIConnectionError,
)


def is_transient(exc: BaseException) -> bool:
    """True for 429, 5xx, timeouts and dropped connections: worth another try."""
    if isinstance(exc, (*_TRANSIENT_OPENAI, TransientHTTPError, httpx.TransportError)):
        return True
    if isinstance(exc, openai.APIStatusError | aai.AssemblyAIError):
        status = exc.status_code or 0
        return status == 429 or status >= 500
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return False


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The server's Retry-After (seconds or HTTP date; or retry-after-ms), if it sent one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    return parse_retry_after(headers.get("retry-after"))


class _WaitRetryAfterOrJitter:
    """Tenacity wait: the server's Retry-After when given (capped), else full-jitter backoff."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.maximum = maximum
        self.jitter = wait_random_exponential(multiplier=initial, max=maximum)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after_seconds(exc)
        if hinted is not None:
            return min(hinted, self.maximum)
        return self.jitter(state)


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failed calls; lets one trial call through later."""

    def __init__(
        self,
        name: str,
        *,
        threshold: int = 5,
        reset_after_s: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.threshold = threshold
        self.reset_after_s = reset_after_s
        self.monotonic = monotonic
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        """True while calls are being refused."""
        with self._lock:
            return self._refusing()

    def _refusing(self) -> bool:
        if self.opened_at is None:
            return False
        return self.monotonic() - self.opened_at < self.reset_after_s

    def before_call(self) -> None:
        """Raise ``CircuitOpen`` while the breaker is open (half-open after the cool-down)."""
        with self._lock:
            if self._refusing():
                raise CircuitOpen(f"{self.name} is unavailable (circuit open after failures)")

    def record_success(self) -> None:
        """Close the breaker."""
        with self._lock:
            self.failures, self.opened_at = 0, None

    def record_failure(self) -> None:
        """Count a failed call; open (or re-open) the breaker at the threshold."""
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold:
                if self.opened_at is None:
                    log.warning("%s: circuit opened after %d failures", self.name, self.failures)
                self.opened_at = self.monotonic()


@dataclass
class Resilience:
    """How one service's calls are retried and when they stop being tried at all."""

    name: str
    attempts: int = 4
    initial_wait_s: float = 1.0
    max_wait_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    breaker: CircuitBreaker | None = None
    waits: list[float] = field(default_factory=list)  # every wait taken (for tests and logs)

    def __post_init__(self) -> None:
        if self.breaker is None:
            self.breaker = CircuitBreaker(self.name)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` with retries; raise ``ServiceUnavailable`` when it keeps failing."""
        self.breaker.before_call()
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=_WaitRetryAfterOrJitter(self.initial_wait_s, self.max_wait_s),
            retry=retry_if_exception(is_transient),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            result = retrying(fn, *args, **kwargs)
        except (
            openai.OpenAIError,
            aai.AssemblyAIError,
            httpx.HTTPError,
            TransientHTTPError,
        ) as exc:
            self.breaker.record_failure()
            raise ServiceUnavailable(f"{self.name} failed: {_describe(exc)}") from exc
        self.breaker.record_success()
        return result

    def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.sleep(seconds)

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info("%s: attempt %d failed (%s); retrying", self.name, state.attempt_number, exc)


def _describe(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    text = exc.__class__.__name__ + (f" {status}" if status else "")
    return text


def resilience_for(
    name: str, settings: Any, sleep: Callable[[float], None] = time.sleep
) -> Resilience:
    """The retry and circuit-breaker policy for service ``name`` from the settings."""
    return Resilience(
        name=name,
        attempts=settings.provider_max_attempts,
        max_wait_s=settings.provider_max_wait_s,
        sleep=sleep,
        breaker=CircuitBreaker(
            name, threshold=settings.circuit_failures, reset_after_s=settings.circuit_reset_s
        ),
    )
