"""A loopback fake of AssemblyAI's v2 transcript API for the real ``assemblyai`` SDK."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from tests.fakes.providers_loopback import LoopbackServer, Recorded, Scripted


@dataclass
class FakeJob:
    """One submitted transcript and how it will turn out."""

    id: str
    audio_url: str
    polls_left: int
    result: dict = field(default_factory=dict)
    error: str | None = None


def turns_payload(turns: list[tuple[str, float, str]], *, seconds_per_word: float = 0.4) -> dict:
    """A completed-transcript body from ``(speaker, start_s, text)`` turns, with word timings."""
    utterances, all_words = [], []
    for speaker, start_s, text in turns:
        words, t = [], start_s * 1000
        for token in text.split():
            end = t + seconds_per_word * 1000
            words.append(
                {
                    "text": token,
                    "start": int(t),
                    "end": int(end),
                    "confidence": 0.9,
                    "speaker": speaker,
                }
            )
            t = end
        utterances.append(
            {
                "text": text,
                "start": words[0]["start"],
                "end": words[-1]["end"],
                "confidence": 0.9,
                "speaker": speaker,
                "words": words,
            }
        )
        all_words += words
    return {
        "text": " ".join(u["text"] for u in utterances),
        "utterances": utterances,
        "words": all_words,
        "audio_duration": int(all_words[-1]["end"] / 1000) + 1,
        "language_code": "en",
    }


class FakeAssemblyAI(LoopbackServer):
    """Jobs complete after ``polls`` GETs with the result registered for their audio URL."""

    def __init__(self, polls: int = 1) -> None:
        super().__init__()
        self.polls = polls
        self.jobs: dict[str, FakeJob] = {}
        self.results: dict[str, dict] = {}
        self.errors: dict[str, str] = {}
        self._ids = itertools.count(1)
        self.defaults[("POST", "/v2/transcript")] = self._submit
        self.defaults[("GET", "/v2/transcript/")] = self._get

    def _submit(self, request: Recorded) -> Scripted:
        audio_url = request.body["audio_url"]
        job = FakeJob(
            id=f"tx_{next(self._ids)}",
            audio_url=audio_url,
            polls_left=self.polls,
            result=self.results.get(audio_url, {}),
            error=self.errors.get(audio_url),
        )
        self.jobs[job.id] = job
        return Scripted(200, {**request.body, "id": job.id, "status": "queued"})

    def _get(self, request: Recorded) -> Scripted:
        job = self.jobs.get(request.path.rsplit("/", 1)[-1])
        if job is None:
            return Scripted(404, {"error": "Transcript not found"})
        base = {"id": job.id, "audio_url": job.audio_url}
        if job.polls_left > 0:
            job.polls_left -= 1
            return Scripted(200, {**base, "status": "processing"})
        if job.error:
            return Scripted(200, {**base, "status": "error", "error": job.error})
        return Scripted(200, {**base, "status": "completed", **job.result})

    @property
    def submissions(self) -> list[Recorded]:
        """Every POST /v2/transcript the SDK made."""
        return self.calls("POST", "/v2/transcript")
