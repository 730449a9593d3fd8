"""``podbrief ask`` and ``podbrief search``: questions and passages from the transcripts."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, datetime

import typer
from rich.console import Console
from rich.markup import escape

from bot.ask.answers import answer_question
from bot.core.db import session_scope
from bot.core.errors import NotFound
from bot.core.moments import moment_label
from bot.core.values import Answer, AskScope, Passage
from bot.feeds.catalog import empty_library_hint
from handlers.chat.distinct import distinct_citations
from handlers.cli.root import runtime

log = logging.getLogger(__name__)


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint=option) from None


def print_answer(answer: Answer, console: Console) -> None:
    """The answer and its numbered citations, with times and links."""
    answer = distinct_citations(answer)  # a passage cited twice is listed once
    console.print(escape(answer.answer))
    for number, citation in enumerate(answer.citations, start=1):
        where = f"{citation.podcast} · {citation.episode} · {moment_label(citation.start)}"
        console.print(f"  [{number}] {escape(where)}  {escape(citation.url)}")


def print_passages(passages: list[Passage], console: Console) -> None:
    """Ranked passages with their source and a short excerpt."""
    if not passages:
        console.print("No passages found.")
    for rank, passage in enumerate(passages, start=1):
        excerpt = " ".join(passage.text.split()[:40])
        head = f"{rank}. {passage.podcast} · {passage.episode} · {moment_label(passage.start)}"
        console.print(f"[bold]{escape(head)}[/bold] ({passage.score:.2f}) {escape(passage.url)}")
        console.print(f"   {escape(excerpt)} …")


def register(app: typer.Typer) -> None:
    """Add ``ask`` and ``search`` to the root command."""

    @app.command("ask")
    def ask(
        ctx: typer.Context,
        question: str = typer.Argument(..., help="Your question, in your own words."),
        podcast: str | None = typer.Option(None, help="Only this podcast (name or id)."),
        episode: int | None = typer.Option(None, help="Only this episode id."),
        since: str | None = typer.Option(None, help="Episodes published on or after YYYY-MM-DD."),
        until: str | None = typer.Option(None, help="Episodes published on or before YYYY-MM-DD."),
        as_json: bool = typer.Option(False, "--json", help="Print the JSON contract shape."),
    ) -> None:
        """Answer a question from the transcripts, with timestamped citations."""

        scope = AskScope(
            podcast=podcast,
            episode_id=episode,
            since=_parse_day(since, "--since"),
            until=_parse_day(until, "--until"),
        )
        if not question.strip():
            raise typer.BadParameter("the question is empty", param_hint="QUESTION")
        services = runtime(ctx).services()
        try:
            with session_scope(services.engine) as session:
                answer = answer_question(services, session, question, scope=scope)
                if not answer.passages and (hint := empty_library_hint(session)):
                    answer = replace(answer, answer=hint)  # nothing processed yet: say how
        except NotFound as exc:  # an unknown --podcast/--episode, with the closest names
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=1) from None
        if as_json:
            typer.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        else:
            print_answer(answer, Console())

    @app.command("search")
    def search(
        ctx: typer.Context,
        terms: list[str] = typer.Argument(..., help="Words to look for."),
        podcast: str | None = typer.Option(None, help="Only this podcast (name or id)."),
        limit: int = typer.Option(10, min=1, max=100, help="How many passages."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Find the passages that best match TERMS."""
        from bot.search.retrieval import search_passages

        services = runtime(ctx).services()
        with session_scope(services.engine) as session:
            passages = search_passages(
                session,
                " ".join(terms),
                scope=AskScope(podcast=podcast),
                limit=limit,
                embedder=services.embedder,
                feedback=services.settings.search_feedback,
            )
        if as_json:
            result = Answer(answer="", citations=[], passages=passages, engine="search").to_json()
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=_json_default))
        else:
            print_passages(passages, Console())


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
