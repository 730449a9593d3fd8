"""A recording fake AnswerWriter (the LLM port) with a scripted reply."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.errors import ServiceUnavailable
from bot.core.ports import WrittenAnswer
from bot.core.values import Passage


class ScriptedWriter:
    """Returns ``reply`` (or raises ServiceUnavailable when ``fail``); records what it saw."""

    def __init__(self, reply: WrittenAnswer | None = None, *, fail: bool = False) -> None:
        self.reply = reply
        self.fail = fail
        self.calls: list[tuple[str, list[Passage]]] = []

    def write_answer(self, question: str, passages: Sequence[Passage]) -> WrittenAnswer:
        self.calls.append((question, list(passages)))
        if self.fail:
            raise ServiceUnavailable("LLM is down")
        return self.reply
