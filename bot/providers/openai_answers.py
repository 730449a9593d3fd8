"""Answers for ``ask`` written only from the retrieved passages, with [n] citations."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.moments import format_timestamp
from bot.core.ports import WrittenAnswer
from bot.core.values import Passage
from bot.providers.openai_client import JsonModel
from bot.providers.openai_prompts import ANSWER_SYSTEM, AnswerOut, neutralise
from bot.providers.output_safety import safe_text

_MARKER = re.compile(r"\[(\d+)\]")
NOT_FOUND = "The stored episodes don't say."


class LLMAnswerWriter:
    """``bot.core.ports.AnswerWriter`` over any OpenAI-compatible chat model."""

    name = "llm"

    def __init__(self, model: JsonModel) -> None:
        self.model = model

    def write_answer(self, question: str, passages: Sequence[Passage]) -> WrittenAnswer:
        """An answer from ``passages`` only; ``found=False`` when they don't hold it."""
        if not passages:
            return WrittenAnswer(NOT_FOUND, [], found=False)
        out = self.model.ask(
            AnswerOut, ANSWER_SYSTEM, answer_prompt(question, passages), operation="answer"
        )
        return checked_answer(out, passages)


def answer_prompt(question: str, passages: Sequence[Passage]) -> str:
    """The user message: the question and the numbered, delimited passages."""
    blocks = [
        f"[{n}] {neutralise(p.podcast)} · {neutralise(p.episode)} · {format_timestamp(p.start)}\n"
        f"{neutralise(p.text)}"
        for n, p in enumerate(passages, start=1)
    ]
    return f"Question: {neutralise(question)}\n<passages>\n" + "\n\n".join(blocks) + "\n</passages>"


def checked_answer(out: AnswerOut, passages: Sequence[Passage]) -> WrittenAnswer:
    """Enforce the contract in code: valid citation numbers, no stray links or mentions."""
    valid = range(1, len(passages) + 1)
    text = _MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in valid else "", out.answer)
    text = safe_text(text, allowed_urls=[p.url for p in passages])
    cited = sorted({int(n) for n in _MARKER.findall(text)} | {n for n in out.cited if n in valid})
    if not out.found or not cited or not text:
        return WrittenAnswer(text or NOT_FOUND, [], found=False)
    return WrittenAnswer(text, cited, found=True)
