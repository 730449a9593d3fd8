"""``podbrief transcript parse`` and ``podbrief episodes import | list``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from bot.core.db import session_scope
from bot.core.errors import PodbriefError
from bot.core.moments import format_timestamp
from bot.core.values import Segment
from bot.transcripts.parse import ParsedTranscript
from handlers.cli.output import print_json
from handlers.cli.root import runtime

if TYPE_CHECKING:
    from bot.core.models import Episode

log = logging.getLogger(__name__)
T = TypeVar("T")

FileArg = Annotated[Path, typer.Argument(help="A transcript file (any supported format).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def register(app: typer.Typer) -> None:
    """Add the ``transcript`` and ``episodes`` command groups."""
    transcript_app = typer.Typer(help="Transcript files.", no_args_is_help=True)
    episodes_app = typer.Typer(help="Episodes: import transcripts, list.", no_args_is_help=True)
    transcript_app.command("parse")(parse_command)
    episodes_app.command("import")(import_command)
    episodes_app.command("list")(list_command)
    app.add_typer(transcript_app, name="transcript")
    app.add_typer(episodes_app, name="episodes")


def parse_command(
    ctx: typer.Context,
    file: FileArg,
    mime: Annotated[
        str | None, typer.Option("--type", help="The MIME type the file claims to be.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Parse a transcript file into timed segments (the format is sniffed from the content)."""
    from bot.transcripts.parse import parse_transcript

    data = _read(file, runtime(ctx).settings.max_transcript_bytes)
    parsed = _or_exit(lambda: parse_transcript(data, mime=mime, filename=file.name))
    if as_json:
        print_json(transcript_json(parsed))
        return
    typer.echo(f"{file.name}: {parsed.format}, {len(parsed.segments)} segments")
    for seg in parsed.segments:
        typer.echo(_segment_line(seg))


def transcript_json(parsed: ParsedTranscript) -> dict:
    """The ``transcript parse --json`` contract."""
    return {
        "format": parsed.format,
        "segments": [
            {"start": s.start, "end": s.end, "speaker": s.speaker, "text": s.text}
            for s in parsed.segments
        ],
    }


def _segment_line(seg: Segment) -> str:
    who = f"{seg.speaker}: " if seg.speaker else ""
    return f"[{format_timestamp(seg.start)}] {who}{seg.text}"


def import_command(
    ctx: typer.Context,
    file: FileArg,
    podcast: Annotated[str, typer.Option("--podcast", help="Podcast name to file it under.")],
    title: Annotated[str | None, typer.Option(help="Episode title (default: file name).")] = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date or time, ISO 8601.")
    ] = None,
    mime: Annotated[str | None, typer.Option("--type", help="The file's MIME type.")] = None,
    no_process: Annotated[
        bool, typer.Option("--no-process", help="Store only; leave insights to `process`.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import a local transcript as an episode, then summarise and index it."""
    from bot.transcripts.imports import import_episode, parse_published

    rt = runtime(ctx)
    data = _read(file, rt.settings.max_transcript_bytes)
    when = _or_exit(lambda: parse_published(published))
    with session_scope(rt.engine()) as session:
        episode, count = _or_exit(
            lambda: import_episode(
                session,
                data,
                filename=file.name,
                podcast_name=podcast,
                title=title,
                published=when,
                mime=mime,
            )
        )
        episode_id, status = episode.id, episode.status
    result: dict = {"id": episode_id, "segments": count}
    if not no_process and status == "pending":
        result.update(_process(ctx, episode_id))
    if as_json:
        print_json(result)
    else:
        typer.echo(f"episode {episode_id}: {count} segments imported")
        if "error" in result:
            typer.echo(f"not processed yet: {result['error']}", err=True)


def _process(ctx: typer.Context, episode_id: int) -> dict:
    """Summarise and index right away; a failure leaves the episode pending with its reason."""
    from bot.core.models import Episode
    from bot.jobs.pipeline import process_episode

    services = runtime(ctx).services()
    try:
        process_episode(services, episode_id)
    except PodbriefError as exc:
        with session_scope(services.engine) as session:
            episode = session.get(Episode, episode_id)
            episode.status_reason = str(exc)
            session.add(episode)
        return {"processed": False, "error": str(exc)}
    return {"processed": True}


def list_command(
    ctx: typer.Context,
    podcast: Annotated[
        str | None, typer.Option("--podcast", help="Only this podcast (name or id).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many episodes.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List stored episodes, newest first."""
    from sqlmodel import select

    from bot.core.models import Podcast
    from bot.feeds.catalog import list_episodes

    with session_scope(runtime(ctx).engine()) as session:
        episodes = _or_exit(lambda: list_episodes(session, podcast=podcast, limit=limit))
        titles = {p.id: p.title for p in session.exec(select(Podcast))}
        rows = [_episode_row(e, titles.get(e.podcast_id, "")) for e in episodes]
    if as_json:
        print_json({"episodes": rows})
        return
    if not rows:
        typer.echo("no episodes yet: `podbrief episodes import FILE --podcast NAME`")
    for row in rows:
        when = (row["published"] or "")[:10] or "undated"
        what = f"{row['podcast']} · {row['title']}"
        typer.echo(f"{row['id']:>5}  {when:<10}  {row['status']:<8} {what}")


def _episode_row(episode: Episode, podcast_title: str) -> dict:
    return {
        "id": episode.id,
        "podcast_id": episode.podcast_id,
        "podcast": podcast_title,
        "title": episode.title,
        "published": episode.published_at.isoformat() if episode.published_at else None,
        "status": episode.status,
        "status_reason": episode.status_reason,
        "transcript_source": episode.transcript_source,
        "transcript_format": episode.transcript_format,
    }


def _read(file: Path, max_bytes: int) -> bytes:
    """The file's bytes; too big (MAX_TRANSCRIPT_BYTES) or unreadable is a one-line error."""
    try:
        if file.stat().st_size > max_bytes:
            _exit(f"{file} is larger than MAX_TRANSCRIPT_BYTES ({max_bytes} bytes)")
        return file.read_bytes()
    except OSError as exc:
        _exit(f"cannot read {file}: {exc.strerror or exc}")


def _or_exit(action: Callable[[], T]) -> T:
    """Run ``action``; a PodbriefError becomes a one-line error and exit status 1."""
    try:
        return action()
    except PodbriefError as exc:
        _exit(str(exc))


def _exit(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)
