"""A loopback fake of the OpenAI API (chat completions, embeddings, models) for the real SDK.

By default it plays a diligent analyst: it reads the delimited transcript in the request and
answers in the requested schema with quotes copied from it. Tests script failures and odd
replies with ``script``; every request and its token usage is recorded. Like self-hosted
servers (llama.cpp, Ollama, vLLM, LM Studio) it can refuse ``response_format`` types with a 400,
wrap prompt-only JSON in prose and fences, or reply with broken JSON in every mode.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tests.fakes.providers_loopback import LoopbackServer, Recorded, Scripted

_LINE = re.compile(r"^\[(?P<at>[\d:]+)\] (?:(?P<speaker>[^:]{1,40}): )?(?P<text>.+)$")
_WANTED = re.compile(r"Find the (\d+) best insights")


@dataclass
class TokenUse:
    kind: str  # ExtractionOut | SummaryOut | AnswerOut | embed
    prompt_tokens: int
    completion_tokens: int


def completion(content: str, prompt_tokens: int = 100, completion_tokens: int = 50) -> dict:
    """A chat.completion body with ``content`` as the assistant's reply."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error(status: int, message: str = "fake error", retry_after: str | None = None) -> Scripted:
    """An OpenAI-style error answer."""
    headers = {"retry-after": retry_after} if retry_after else {}
    return Scripted(status, {"error": {"message": message, "type": "fake", "code": None}}, headers)


# How real servers word the 400 for a response_format they lack (llama.cpp before json_schema
# support; LM Studio, which has json_schema but no JSON mode).
REFUSALS = {
    "json_schema": 'response_format type must be one of "text" or "json_object", but got: '
    "json_schema",
    "json_object": "'response_format.type' must be 'json_schema' or 'text'",
}


def refusal(kind: str) -> Scripted:
    """The 400 a server answers for a ``response_format`` type it does not support."""
    body = {"error": {"code": 400, "message": REFUSALS[kind], "type": "invalid_request_error"}}
    return Scripted(400, body)


def fenced(content: str) -> str:
    """JSON the way small local models write it when only the prompt asks for it."""
    return f"Sure! Here is the JSON you asked for:\n```json\n{content}\n```\nHope this helps."


class FakeOpenAI(LoopbackServer):
    """Chat, embeddings and models endpoints under ``/v1``.

    ``refuse`` names the ``response_format`` types answered with a 400; ``fenced`` wraps replies
    to requests without ``response_format`` in prose and a json fence; ``broken`` makes every
    accepted chat reply invalid JSON.
    """

    def __init__(
        self,
        *,
        models: tuple[str, ...] = ("gpt-4.1-mini", "text-embedding-3-small"),
        refuse: Iterable[str] = (),
        fenced: bool = False,
        broken: bool = False,
    ):
        super().__init__()
        self.models = models
        self.refuse = set(refuse)
        self.fenced = fenced
        self.broken = broken
        self.usage: list[TokenUse] = []
        self.defaults[("POST", "/v1/chat/completions")] = self._chat
        self.defaults[("POST", "/v1/embeddings")] = self._embeddings
        self.defaults[("GET", "/v1/models")] = self._models

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def chats(self) -> list[Recorded]:
        """Every chat completion request."""
        return self.calls("POST", "/v1/chat/completions")

    # --- default behaviour -------------------------------------------------------------------
    def _chat(self, request: Recorded) -> Scripted:
        fmt = (request.body.get("response_format") or {}).get("type")
        if fmt in self.refuse:
            return refusal(fmt)
        kind = schema_kind(request.body)
        user = next(m["content"] for m in request.body["messages"] if m["role"] == "user")
        reply = {"ExtractionOut": extraction_reply, "SummaryOut": summary_reply}.get(
            kind, answer_reply
        )(user)
        content = json.dumps(reply)
        if self.broken:
            content = '{"insights": [{"claim": "Open models are cheaper"'  # cut off mid-object
        elif self.fenced and fmt is None:
            content = fenced(content)
        prompt = sum(len(m.get("content") or "") for m in request.body["messages"]) // 4 + 1
        used = TokenUse(kind, prompt, len(content) // 4 + 1)
        self.usage.append(used)
        return Scripted(200, completion(content, used.prompt_tokens, used.completion_tokens))

    def _embeddings(self, request: Recorded) -> Scripted:
        texts = request.body["input"]
        texts = [texts] if isinstance(texts, str) else texts
        dim = 3072 if request.body["model"].endswith("large") else 1536
        data = []
        for index, text in enumerate(texts):
            vector = hashed_vector(text, dim)
            if request.body.get("encoding_format") == "base64":
                embedding = base64.b64encode(vector.tobytes()).decode()
            else:
                embedding = vector.tolist()
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        tokens = sum(len(t) // 4 + 1 for t in texts)
        self.usage.append(TokenUse("embed", tokens, 0))
        body = {
            "object": "list",
            "data": data,
            "model": request.body["model"],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        return Scripted(200, body)

    def _models(self, _request: Recorded) -> Scripted:
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.models]
        return Scripted(200, {"object": "list", "data": data})


def schema_kind(body: dict) -> str:
    """Which of our schemas the request asks for (structured or plain-JSON mode)."""
    fmt = body.get("response_format") or {}
    name = (fmt.get("json_schema") or {}).get("name")
    if name:
        return name
    system = " ".join(m["content"] for m in body["messages"] if m["role"] == "system")
    for kind in ("ExtractionOut", "SummaryOut", "AnswerOut"):
        if f'"title": "{kind}"' in system:
            return kind
    return "AnswerOut"


def transcript_of(user: str) -> list[dict]:
    """The ``[mm:ss] Speaker: text`` lines between the transcript delimiters."""
    body = user.split("<transcript>", 1)[-1].split("</transcript>", 1)[0]
    lines = []
    for raw in body.splitlines():
        if match := _LINE.match(raw.strip()):
            lines.append(match.groupdict())
    return lines


def extraction_reply(user: str) -> dict:
    """Insights quoting the longest lines verbatim, and a summary with their times."""
    wanted = int(m.group(1)) if (m := _WANTED.search(user)) else 5
    lines = sorted(transcript_of(user), key=lambda line: -len(line["text"]))[:wanted]
    insights = [
        {
            "claim": f"The speaker argues that {' '.join(line['text'].split()[:20])} — a point "
            "worth weighing for teams making the same decision.",
            "quote": " ".join(line["text"].split()[:14]),
            "speaker": line["speaker"],
            "topics": ["analysis"],
            "importance": round(1.0 - i * 0.05, 2),
        }
        for i, line in enumerate(lines)
    ]
    return {"insights": insights, "summary": summary_reply(user)}


def summary_reply(user: str) -> dict:
    lines = transcript_of(user)[:3]
    return {
        "summary": "The episode weighs the costs and benefits discussed by its guests.",
        "key_points": [{"text": " ".join(x["text"].split()[:12]), "at": x["at"]} for x in lines],
        "guests": [],
        "topics": ["analysis"],
    }


def answer_reply(user: str) -> dict:
    """Cite passage 1 when it shares a content word with the question, else not found."""
    question = user.split("\n", 1)[0].lower()
    passages = user.split("<passages>", 1)[-1].lower()
    words = {w for w in re.findall(r"[a-z]{4,}", question)}
    if any(w in passages for w in words):
        return {"found": True, "answer": "The guests say it cut their costs [1].", "cited": [1]}
    return {"found": False, "answer": "The passages do not say.", "cited": []}


def hashed_vector(text: str, dim: int) -> np.ndarray:
    """A deterministic bag-of-words vector: similar texts get similar vectors."""
    vector = np.zeros(dim, dtype=np.float32)
    for word in re.findall(r"\w+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1.0
    return vector
