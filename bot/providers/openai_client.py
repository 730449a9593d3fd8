"""One OpenAI (or compatible server) client: schema-validated JSON replies, usage, retries.

Structured outputs (``chat.completions.parse`` with a pydantic schema) where the server has
them; a plain-JSON mode (schema in the prompt, validated in code) for servers without them.
Either way the reply is validated against the schema: a transcript can never change the shape.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import TypeVar

import openai
from pydantic import BaseModel, ValidationError

from bot.core.config import Settings
from bot.core.errors import ServiceUnavailable
from bot.costs.usage import UsageEvent
from bot.providers.resilience import Resilience, resilience_for

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
UsageSink = Callable[[UsageEvent], None]

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


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
    """Chat calls that return a validated pydantic object, with usage recorded per call."""

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
        self.mode = settings.structured_outputs  # "auto" settles on the first call

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
        if self.mode in ("auto", "json_schema"):
            try:
                parsed = self._structured(schema, messages, operation, episode_id)
            except InvalidModelOutput:
                if self.mode == "json_schema":
                    raise
            except ServiceUnavailable as exc:
                if self.mode == "json_schema" or not _unsupported(exc):
                    raise
                log.warning("%s has no structured outputs; using plain JSON", self.model)
                self.mode = "json"
            else:
                if self.mode == "auto":
                    self.mode = "json_schema"
                return parsed
        return self._plain(schema, messages, operation, episode_id)

    # No temperature or token caps are sent: reasoning models (o-series, gpt-5) reject
    # non-default values, and a compatible server's defaults are its own to choose.
    def _structured(self, schema: type[M], messages: list, operation: str, ep: int | None) -> M:
        def call():
            return self.client.chat.completions.parse(
                model=self.model, messages=messages, response_format=schema
            )

        for attempt in range(2):
            try:
                completion = self.resilience.call(call)
            except ServiceUnavailable as exc:
                if isinstance(exc.__cause__, openai.LengthFinishReasonError):
                    raise InvalidModelOutput("model reply was cut off (too long)") from exc
                raise
            except ValidationError:
                log.warning(
                    "structured reply off-schema for %s (attempt %d)", operation, attempt + 1
                )
                # The SDK drops the response when parsing fails; bill the prompt we sent.
                self._record_estimate(messages, operation, ep)
                continue
            self._record(completion, operation, ep)
            message = completion.choices[0].message
            if message.parsed is not None:
                return message.parsed
            log.warning("model refused %s: %s", operation, message.refusal)
        raise InvalidModelOutput(f"model reply did not match the {schema.__name__} schema")

    def _plain(self, schema: type[M], messages: list, operation: str, ep: int | None) -> M:
        instructions = (
            "Reply with one JSON object only, no prose, matching this JSON schema:\n"
            + json.dumps(schema.model_json_schema())
        )
        messages = [{"role": "system", "content": instructions}, *messages]
        for attempt in range(2):
            completion = self.resilience.call(
                self.client.chat.completions.create,
                model=self.model,
                messages=messages,
            )
            self._record(completion, operation, ep)
            content = completion.choices[0].message.content or ""
            try:
                return schema.model_validate_json(_FENCE.sub("", content.strip()))
            except ValidationError as exc:
                log.warning(
                    "model reply not valid JSON for %s (attempt %d)", operation, attempt + 1
                )
                error = str(exc).splitlines()[0]
                messages = [
                    *messages,
                    {"role": "assistant", "content": content[:4000]},
                    {"role": "user", "content": f"That was not valid: {error}. Reply again."},
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

    def _record_estimate(self, messages: list, operation: str, episode_id: int | None) -> None:
        if self.on_usage is None:
            return
        sent = sum(estimate_tokens(m["content"]) for m in messages)
        event = UsageEvent("openai", operation, self.model, sent, 0, episode_id=episode_id)
        self.on_usage(event)


def _unsupported(exc: ServiceUnavailable) -> bool:
    """True when the server rejected the structured-output request itself."""
    cause = exc.__cause__
    if isinstance(cause, openai.BadRequestError | openai.UnprocessableEntityError):
        return True
    return isinstance(cause, openai.NotFoundError)
