"""AssemblyAI transcription from an audio URL (never downloaded here), behind ``Transcriber``.

Submits with speaker labels and language detection, stores the job id through
``on_submitted`` before waiting, and resumes that job after a restart instead of paying twice.
With a webhook URL configured it submits and returns at once (``TranscriptionPending``); the web
process hands the callback to ``bot.transcripts.transcription.handle_assemblyai_webhook``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import assemblyai as aai
import httpx
from assemblyai.prerecorded.v2 import api as aai_api

from bot.core.config import Settings
from bot.core.errors import TranscriptionFailed, TranscriptionPending
from bot.core.ports import Transcription
from bot.core.values import Segment
from bot.providers.resilience import Resilience, TransientHTTPError, resilience_for
from bot.transcripts.transcription import WEBHOOK_AUTH_HEADER

log = logging.getLogger(__name__)
T = TypeVar("T")

# A segment ends at a sentence end once it is this long, and is cut regardless at the maximum:
# short enough for precise "▶ mm:ss" links, long enough to read as a thought.
_SEGMENT_MIN_S = 8.0
_SEGMENT_MAX_S = 30.0
_SENTENCE_END = (".", "?", "!", "…")


class AssemblyAITranscriber:
    """``bot.core.ports.Transcriber`` over the official AssemblyAI SDK."""

    def __init__(
        self,
        settings: Settings,
        *,
        resilience: Resilience | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        key = settings.assemblyai_api_key
        self.client = aai.Client(
            settings=aai.Settings(
                api_key=key.get_secret_value() if key else None,
                base_url=settings.assemblyai_base_url,
                http_timeout=settings.read_timeout_s,
            )
        )
        hooks = self.client.http_client.event_hooks
        hooks["response"].append(self._remember_response)
        self.client.http_client.event_hooks = hooks
        self._last_response: httpx.Response | None = None
        self.settings = settings
        self.resilience = resilience or resilience_for("AssemblyAI", settings, sleep)
        self.sleep = sleep
        self.monotonic = monotonic

    def _remember_response(self, response: httpx.Response) -> None:
        self._last_response = response

    def _call(self, fn: Callable[..., T], *args: object) -> T:
        """``fn`` with our retries; SDK errors for 429/5xx carry the response (Retry-After)."""

        def attempt() -> T:
            try:
                return fn(*args)
            except aai.AssemblyAIError as exc:
                status = exc.status_code or 0
                if status == 429 or status >= 500:
                    raise TransientHTTPError(str(exc), self._last_response) from exc
                raise

        return self.resilience.call(attempt)

    @property
    def uses_webhook(self) -> bool:
        """True when AssemblyAI calls us back instead of being polled."""
        return bool(self.settings.assemblyai_webhook_url)

    def transcribe(
        self,
        audio_url: str,
        *,
        job_id: str | None = None,
        on_submitted: Callable[[str], None] | None = None,
    ) -> Transcription:
        """Transcribe ``audio_url``, resuming ``job_id`` when given (no second submission)."""
        if job_id is None:
            job_id = self.submit(audio_url)
            if on_submitted:
                on_submitted(job_id)
        if self.uses_webhook:
            response = self.fetch(job_id)
            if response.status in (aai.TranscriptStatus.queued, aai.TranscriptStatus.processing):
                raise TranscriptionPending(f"waiting for AssemblyAI webhook (job {job_id})")
            return transcription_from(response)
        return transcription_from(self.wait(job_id))

    def submit(self, audio_url: str) -> str:
        """Submit a job for ``audio_url``; returns the AssemblyAI transcript id."""
        transcriber = aai.Transcriber(client=self.client, config=self._config())
        response = self._call(transcriber.submit, audio_url)
        log.info("AssemblyAI job %s submitted", response.id)
        return response.id

    def _config(self) -> aai.TranscriptionConfig:
        config = aai.TranscriptionConfig(speaker_labels=True, language_detection=True)
        if self.uses_webhook:
            secret = self.settings.assemblyai_webhook_secret
            config.set_webhook(
                self.settings.assemblyai_webhook_url,
                WEBHOOK_AUTH_HEADER if secret else None,
                secret.get_secret_value() if secret else None,
            )
        return config

    def fetch(self, job_id: str) -> aai.types.TranscriptResponse:
        """The job's current state (one GET, retried on 429/5xx)."""
        return self._call(aai_api.get_transcript, self.client.http_client, job_id)

    def wait(self, job_id: str) -> aai.types.TranscriptResponse:
        """Poll ``job_id`` with growing intervals until it completes or fails."""
        started, interval = self.monotonic(), 3.0
        while True:
            response = self.fetch(job_id)
            if response.status not in (
                aai.TranscriptStatus.queued,
                aai.TranscriptStatus.processing,
            ):
                return response
            if self.monotonic() - started > self.settings.assemblyai_poll_timeout_s:
                raise TranscriptionPending(f"AssemblyAI job {job_id} still {response.status.value}")
            self.sleep(interval)
            interval = min(interval * 1.5, 60.0)


def transcription_from(response: aai.types.TranscriptResponse) -> Transcription:
    """Segments, language and audio length from a finished job; raises when it failed."""
    if response.status == aai.TranscriptStatus.error:
        raise TranscriptionFailed(
            f"AssemblyAI could not transcribe: {describe_error(response.error)}"
        )
    if response.utterances:
        segments = [
            seg
            for utt in response.utterances
            for seg in segments_from_words(utt.words, f"Speaker {utt.speaker}", utt)
        ]
    else:
        segments = segments_from_words(response.words or [], None, response)
    language = response.language_code
    return Transcription(
        segments=segments,
        language=getattr(language, "value", language),
        audio_seconds=float(response.audio_duration or (segments[-1].end if segments else 0.0)),
    )


def segments_from_words(words: Sequence, speaker: str | None, whole) -> list[Segment]:
    """Split one speaker turn (or a whole text) into sentence-sized timed segments."""
    if not words:
        text = (getattr(whole, "text", None) or "").strip()
        start, end = getattr(whole, "start", 0) or 0, getattr(whole, "end", 0) or 0
        return [Segment(start / 1000, end / 1000, speaker, text)] if text else []
    segments: list[Segment] = []
    current: list = []
    for word in words:
        current.append(word)
        length = (word.end - current[0].start) / 1000
        at_sentence_end = word.text.endswith(_SENTENCE_END) and length >= _SEGMENT_MIN_S
        if at_sentence_end or length >= _SEGMENT_MAX_S:
            segments.append(_segment(current, speaker))
            current = []
    if current:
        segments.append(_segment(current, speaker))
    return segments


def _segment(words: list, speaker: str | None) -> Segment:
    text = " ".join(w.text for w in words)
    return Segment(words[0].start / 1000, words[-1].end / 1000, speaker, text)


def describe_error(error: str | None) -> str:
    """AssemblyAI's error as a one-line reason users understand."""
    message = " ".join((error or "unknown error").split())
    lowered = message.lower()
    if "download" in lowered or ("could not" in lowered and "audio" in lowered):
        return f"audio unreachable ({message[:160]})"
    if "language" in lowered:
        return f"unsupported language ({message[:160]})"
    return message[:200]
