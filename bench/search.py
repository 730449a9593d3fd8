"""Search at scale: index build speed and ask latency on SQLite and PostgreSQL vs rank_bm25.

Builds ~5,000 episode-hours of transcript (150,000 chunks by default) by recombining runs of
corpus segments, loads them through the same insert path as ``index_episode`` (FTS5 triggers
on SQLite; tsvector, GIN and term statistics on PostgreSQL), then times the question set.

Run: ``.venv/bin/python -m bench.search [--chunks N] [--backends sqlite,postgres]``.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core import db
from bot.core.config import Settings
from bot.core.models import Episode, Podcast
from bot.core.services import Services
from bot.core.values import Segment
from bot.search.chunker import chunk_segments
from bot.search.index import chunk_row, insert_chunk_rows
from bot.search.retrieval import search_passages
from bot.transcripts.parse import parse_transcript

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "transcripts"
QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHUNKS_PER_EPISODE = 30  # ≈ one hour of talk at ~300 words a chunk
PODCASTS = 50
INCREMENTAL_EPISODES = 100


def corpus_runs() -> list[list[Segment]]:
    """Every parseable corpus transcript's segments."""
    runs = []
    for path in sorted(p for p in CORPUS.glob("*/*") if p.is_file() and p.suffix != ".md5"):
        try:
            runs.append(list(parse_transcript(path.read_bytes(), filename=path.name).segments))
        except Exception:
            continue
    return [run for run in runs if len(run) > 50]


def synthetic_episode(runs: list[list[Segment]], rng: random.Random) -> list[Segment]:
    """An hour of talk stitched from runs of consecutive segments of several transcripts."""
    out: list[Segment] = []
    clock = 0.0
    while sum(len(s.text.split()) for s in out[-400:]) < 9000 and len(out) < 4000:
        run = rng.choice(runs)
        begin = rng.randrange(0, max(1, len(run) - 60))
        for segment in run[begin : begin + rng.randint(20, 60)]:
            length = max(segment.end - segment.start, 0.5)
            out.append(Segment(clock, clock + length, segment.speaker, segment.text))
            clock += length
        if sum(len(s.text.split()) for s in out) >= 9000:
            break
    return out


def synthetic_chunks(total: int, seed: int = 7) -> Iterator[list[dict]]:
    """Chunk rows per synthetic episode (episode_id filled later), until ``total`` chunks."""
    runs, rng, made = corpus_runs(), random.Random(seed), 0
    while made < total:
        drafts = chunk_segments(synthetic_episode(runs, rng))[: total - made]
        made += len(drafts)
        yield [
            chunk_row(0, "transcript", d.text, d.idx, d.start, d.end, d.speakers) for d in drafts
        ]


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fresh(engine: Engine) -> Engine:
    """Empty the bench tables again (PostgreSQL), keeping the schema."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE chunk, episode, podcast, chunk_term RESTART IDENTITY CASCADE"))
    return engine


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49] * 1000:7.1f} ms  p95 {cuts[94] * 1000:7.1f} ms  (n={len(samples)})"


def load(engine: Engine, episodes: list[list[dict]], *, bulk_after: int | None = None) -> float:
    """Insert podcasts, episodes and chunks; returns seconds spent on the chunk inserts.

    ``bulk_after`` (PostgreSQL): after that many episodes, switch the term-statistics triggers
    off and recount once at the end, as a bulk import would.
    """
    spent = 0.0
    with Session(engine) as session:
        podcasts = [
            {"url": f"https://bench.example/{i}.xml", "title": f"Show {i}"} for i in range(PODCASTS)
        ]
        session.execute(insert(Podcast), podcasts)
        pod_ids = [row[0] for row in session.execute(text("SELECT id FROM podcast ORDER BY id"))]
        for number, rows in enumerate(episodes):
            if number == bulk_after:
                session.execute(text("ALTER TABLE chunk DISABLE TRIGGER USER"))
            episode = Episode(
                podcast_id=pod_ids[number % PODCASTS],
                identity=f"bench:{number}",
                title=f"Episode {number}",
                audio_url=f"https://cdn.example/{number}.mp3",
            )
            session.add(episode)
            session.flush()
            started = time.perf_counter()
            insert_chunk_rows(session, [row | {"episode_id": episode.id} for row in rows])
            if number % 50 == 49:
                session.commit()
            spent += time.perf_counter() - started
        started = time.perf_counter()
        if bulk_after is not None and len(episodes) > bulk_after:
            from bot.search.postgres import rebuild_term_stats

            session.execute(text("ALTER TABLE chunk ENABLE TRIGGER USER"))
            rebuild_term_stats(session)
        session.commit()
        spent += time.perf_counter() - started
    return spent


def time_calls(call: Callable[[str], object], questions: list[str], repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        for question in questions:
            started = time.perf_counter()
            call(question)
            timings.append(time.perf_counter() - started)
    return timings


def bench_database(
    name: str, engine: Engine, episodes: list[list[dict]], questions: list[str]
) -> None:
    total = sum(len(rows) for rows in episodes)
    bulk_after = INCREMENTAL_EPISODES if name == "postgres" else None
    if bulk_after is not None:
        # Episode by episode, as `podbrief process` indexes (triggers keep term stats exact).
        first = episodes[:bulk_after]
        seconds = load(engine, first)
        count = sum(map(len, first))
        print(
            f"{name:9} incremental index: {count:,} chunks ({bulk_after} episodes) in "
            f"{seconds:6.1f} s = {count / seconds:8,.0f} chunks/s"
        )
        engine = _fresh(engine)
    seconds = load(engine, episodes, bulk_after=bulk_after)
    print(
        f"{name:9} index build{' (bulk)' if bulk_after else ''}: {total:,} chunks in "
        f"{seconds:6.1f} s = {total / seconds:8,.0f} chunks/s"
    )
    if name == "postgres":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    from bot.ask.answers import answer_question

    services = Services(settings=Settings(_env_file=None), engine=engine)
    with Session(engine) as session:
        search_passages(session, "warm up the caches")
        plain = time_calls(lambda q: search_passages(session, q), questions, repeat=2)
        feedback = time_calls(lambda q: search_passages(session, q, feedback=True), questions, 1)
        ask = time_calls(lambda q: answer_question(services, session, q), questions, repeat=1)
    print(f"{name:9} search (default)                : {percentiles(plain)}")
    print(f"{name:9} search (feedback expansion on)  : {percentiles(feedback)}")
    print(f"{name:9} ask (search + extractive answer): {percentiles(ask)}")
    print(f"{name:9} peak memory so far: {peak_mb():,.0f} MB")


def bench_rank_bm25(episodes: list[list[dict]], questions: list[str], limit: int) -> None:
    """The same chunks and questions through rank_bm25 (in memory, pure Python)."""
    import numpy as np
    from rank_bm25 import BM25Okapi

    from bot.search.terms import stem

    docs = [row["text"] for rows in episodes for row in rows]
    started = time.perf_counter()
    index = BM25Okapi([[stem(w) for w in _all_words(d)] for d in docs])
    built = time.perf_counter() - started
    print(
        f"rank_bm25 index build: {len(docs):,} chunks in {built:6.1f} s"
        f" = {len(docs) / built:8,.0f} chunks/s"
    )

    def top10(question: str) -> list[int]:
        scores = index.get_scores([stem(w) for w in _all_words(question)])
        return list(np.argsort(-scores)[:10])

    timings = time_calls(top10, questions[:limit], repeat=1)
    print(f"rank_bm25 search: {percentiles(timings)}")
    print(f"rank_bm25 peak memory so far: {peak_mb():,.0f} MB")


def _all_words(text_: str) -> list[str]:
    from bot.search.terms import stopwords, words

    return [w for w in words(text_) if w not in stopwords()]


def pg_engine() -> tuple[Engine, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = db.create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = db.create_db_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    db.upgrade(engine)
    return engine, schema


def drop_schema(schema: str) -> None:
    admin = db.create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=150_000)
    parser.add_argument("--backends", default="sqlite,postgres,rank_bm25")
    parser.add_argument("--bm25-queries", type=int, default=20, help="rank_bm25 is slow per query")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}")
    import yaml

    questions = [q["question"] for q in yaml.safe_load(QUESTIONS.read_text())]
    started = time.perf_counter()
    episodes = list(synthetic_chunks(args.chunks))
    words = sum(len(row["text"].split()) for rows in episodes for row in rows)
    print(
        f"generated {sum(map(len, episodes)):,} chunks in {len(episodes):,} episodes "
        f"({words / 9000:,.0f} episode-hours at 9,000 words/h)"
        f" in {time.perf_counter() - started:.1f} s; "
        f"peak memory {peak_mb():,.0f} MB"
    )
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            engine = db.create_db_engine(f"sqlite:///{tmp}/bench.db")
            db.upgrade(engine)
            bench_database("sqlite", engine, episodes, questions)
            engine.dispose()
    if "postgres" in backends:
        engine, schema = pg_engine()
        try:
            bench_database("postgres", engine, episodes, questions)
        finally:
            engine.dispose()
            drop_schema(schema)
    if "rank_bm25" in backends:
        bench_rank_bm25(episodes, questions, args.bm25_queries)


if __name__ == "__main__":
    main()
