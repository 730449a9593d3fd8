"""One OpenAI (or compatible server) client: schema-validated JSON replies, usage, retries.

Three ways to ask for JSON, strictest first: structured outputs (``json_schema``), JSON mode
(``json_object``, schema in the prompt) and plain JSON asked for in the prompt. Self-hosted
servers (Ollama, llama.cpp, vLLM …) refuse some of them with a 400; ``auto`` then steps down
and remembers the step. Every reply is validated against the same pydantic schema, so a
transcript can never change the shape.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import openai
from pydantic import BaseModel

from bot.core.config import Settings
from bot.core.errors import ServiceUnavailable
from bot.costs.usage import UsageEvent
from bot.providers.resilience import Resilience, resilience_for

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
UsageSink = Callable[[UsageEvent], None]

MODES = ("json_schema", "json_object", "json")  # strictest first; "json" = prompt only
# Words in a 400/422 body that say the reply format itself was refused (OpenAI, llama.cpp,
# vLLM, Ollama, LM Studio phrase it differently; all name the parameter or the format).
_FORMAT_WORDS = (
    "response_format",
    "response format",
    "schema",
    "json_object",
    "json mode",
    "structured output",
    "guided_",
    "grammar",
)


class InvalidModelOutput(ServiceUnavailable):
    """The model's reply did not fit the schema even after one repair request."""


def estimate_tokens(text: str) -> int:
    """Rough token count (~4 characters per token; tiktoken's files are not available offline)."""
    return len(text) // 4 + 1


def build_openai_client(settings: Settings) -> openai.OpenAI:
    """An OpenAI client with the SDK's retries off (ours are in ``resilience``)."""
    key = settings.openai_api_key
    return openai.OpenAI(
        api_key=key.get_secret_value() if key else "not-needed",
        base_url=settings.openai_base_url or None,
        max_retries=0,
        timeout=settings.openai_timeout_s,
    )


class JsonModel:
    """Chat calls that return a validated pydantic object, with usage recorded per call.

    One instance per client and model (the factory shares it between insights and answers),
    so the reply format a server accepted is remembered for every later call.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client: openai.OpenAI | None = None,
        on_usage: UsageSink | None = None,
        resilience: Resilience | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.model = settings.openai_model
        self.client = client or build_openai_client(settings)
        self.on_usage = on_usage
        self.resilience = resilience or resilience_for("OpenAI", settings, sleep)
        setting = settings.structured_outputs
        self._modes = MODES if setting == "auto" else (setting,)
        self._lock = threading.Lock()

    @property
    def mode(self) -> str:
        """The reply format in use: the strictest one the server has not refused."""
        return self._modes[0]

    def ask(
        self,
        schema: type[M],
        system: str,
        user: str,
        *,
        operation: str,
        episode_id: int | None = None,
    ) -> M:
        """One chat call whose reply must validate as ``schema``."""
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        while True:
            mode = self.mode
            try:
                return self._ask_in(mode, schema, messages, operation, episode_id)
            except ServiceUnavailable as exc:
                if not (format_refused(exc) and self._step_down(mode)):
                    raise
                # A refusal is an answer: the server is up, so it must not open the circuit.
                self.resilience.breaker.record_success()

    def _step_down(self, refused: str) -> bool:
        """Stop using ``refused``; False when there is no laxer mode left to try."""
        with self._lock:
            if self._modes[0] != refused:  # another thread stepped down already
                return True
            if len(self._modes) == 1:
                return False
            self._modes = self._modes[1:]
        log.warning("%s refused %s replies; using %s from now on", self.model, refused, self.mode)
        return True

    # No temperature or token caps are sent: reasoning models (o-series, gpt-5) reject
    # non-default values, and a compatible server's defaults are its own to choose.
    def _ask_in(
        self, mode: str, schema: type[M], messages: list, operation: str, ep: int | None
    ) -> M:
        """The call in one reply format, with one repair request when the reply is invalid."""
        if mode != "json_schema":  # JSON mode and plain prompts only know the schema from us
            messages = [{"role": "system", "content": json_instructions(schema)}, *messages]
        for attempt in range(2):
            completion = self.resilience.call(
                self.client.chat.completions.create,
                model=self.model,
                messages=messages,
                **format_args(mode, schema),
            )
            self._record(completion, operation, ep)
            choice = completion.choices[0]
            if choice.finish_reason == "length":
                raise InvalidModelOutput("model reply was cut off (too long)")
            content = choice.message.content or ""
            try:
                return parse_reply(schema, content)
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                log.warning("%s reply invalid for %s (attempt %d)", mode, operation, attempt + 1)
                problem = choice.message.refusal or str(exc).splitlines()[0]
                messages = [
                    *messages,
                    {"role": "assistant", "content": content[:4000]},
                    {"role": "user", "content": f"That was not valid: {problem}. Reply again."},
                ]
        raise InvalidModelOutput(f"model reply did not match the {schema.__name__} schema")

    def _record(self, completion, operation: str, episode_id: int | None) -> None:
        usage = getattr(completion, "usage", None)
        if self.on_usage is None or usage is None:
            return
        self.on_usage(
            UsageEvent(
                service="openai",
                operation=operation,
                model=self.model,
                input_tokens=usage.prompt_tokens or 0,
                output_tokens=usage.completion_tokens or 0,
                episode_id=episode_id,
            )
        )


def json_instructions(schema: type[BaseModel]) -> str:
    """The system message that asks for ``schema`` when the server cannot enforce it."""
    spec = json.dumps(schema.model_json_schema())
    return f"Reply with one JSON object only, no prose, matching this JSON schema:\n{spec}"


def format_args(mode: str, schema: type[BaseModel]) -> dict[str, Any]:
    """The ``response_format`` for ``mode`` (none for plain prompt JSON)."""
    if mode == "json_schema":
        # The SDK's public helper gives the strict schema ``chat.completions.parse`` would send.
        strict = openai.pydantic_function_tool(schema)["function"]["parameters"]
        spec = {"name": schema.__name__, "schema": strict, "strict": True}
        return {"response_format": {"type": "json_schema", "json_schema": spec}}
    if mode == "json_object":
        return {"response_format": {"type": "json_object"}}
    return {}


def parse_reply(schema: type[M], content: str) -> M:
    """``schema`` from the first JSON object in ``content`` (bare, fenced or among prose)."""
    decoder = json.JSONDecoder()
    for start in (i for i, char in enumerate(content) if char == "{"):
        try:
            value, _ = decoder.raw_decode(content, start)
        except ValueError:
            continue
        return schema.model_validate(value)
    raise ValueError("no JSON object in the reply")


def format_refused(exc: ServiceUnavailable) -> bool:
    """True when the server rejected the requested reply format itself (a 400/422 naming it)."""
    cause = exc.__cause__
    if not isinstance(cause, openai.BadRequestError | openai.UnprocessableEntityError):
        return False
    text = f"{cause.message} {cause.body}".lower()
    return any(word in text for word in _FORMAT_WORDS)
