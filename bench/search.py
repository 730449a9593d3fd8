"""Search at scale: index build speed and ask latency on SQLite and PostgreSQL vs rank_bm25.

Builds ~5,000 episode-hours of transcript (150,000 chunks by default) by recombining runs of
corpus segments, loads them through the same insert path as ``index_episode`` (FTS5 triggers
on SQLite; tsvector, GIN and term statistics on PostgreSQL), then times the question set.

The rank_bm25 anchor (the same chunks and questions in memory) runs in every run, and each
podbrief figure is printed beside it with the ratio: on a shared, noisy machine the ratio
holds where the milliseconds do not.

Run: ``.venv/bin/python -m bench.search [--chunks N] [--backends sqlite,postgres]
[--pg-schema NAME]`` (``--pg-schema`` keeps the PostgreSQL index between runs and reuses it).
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


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


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
    name: str,
    engine: Engine,
    episodes: list[list[dict]],
    questions: list[str],
    *,
    built: bool = False,
) -> dict[str, float]:
    """Index ``episodes`` (unless ``built``: a kept database already holds them), then time;
    returns the figures to set beside the anchor's (build in chunks/s, latencies p95 in s)."""
    figures = {}
    if built:
        print(f"{name:9} index build: skipped, reusing the kept database")
    else:
        figures["build"] = build_index(name, engine, episodes)
    return figures | time_searches(name, engine, questions)


def build_index(name: str, engine: Engine, episodes: list[list[dict]]) -> float:
    """Index ``episodes``; returns chunks/s of the (bulk) build."""
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
        # What autovacuum does after a bulk insert (it is off on the benchmark server): hint
        # bits and the visibility map set, the GIN pending list merged, statistics gathered.
        # Without it the first searches after a build pay for all three.
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    return total / seconds


def time_searches(name: str, engine: Engine, questions: list[str]) -> dict[str, float]:
    from bot.ask.answers import answer_question

    services = Services(settings=Settings(_env_file=None), engine=engine)
    with Session(engine) as session:
        search_passages(session, "warm up the caches")
        plain = time_calls(lambda q: search_passages(session, q), questions, repeat=2)
        feedback = time_calls(lambda q: search_passages(session, q, feedback=True), questions, 1)
        ask = time_calls(lambda q: answer_question(services, session, q), questions, repeat=1)
        recall = recall_line(session, questions)  # after the timings, so it warms nothing
    print(f"{name:9} search (default)                : {percentiles(plain)}")
    print(f"{name:9} search (feedback expansion on)  : {percentiles(feedback)}")
    print(f"{name:9} ask (search + extractive answer): {percentiles(ask)}")
    print(f"{name:9} {recall}")
    print(f"{name:9} peak memory so far: {peak_mb():,.0f} MB")
    return {"search": p95(plain), "search+feedback": p95(feedback), "ask": p95(ask)}


def recall_line(session: Session, questions: list[str]) -> str:
    """Recall of the question set's answering phrases in the top 10 and top 5 passages: the
    figure a faster index must not lower (the corpus recombined into many chunks holds each
    phrase several times, so this is a floor check, not the corpus recall of tests/search)."""
    import yaml

    phrases = {q["question"]: q["phrase"].lower() for q in yaml.safe_load(QUESTIONS.read_text())}
    at10 = at5 = 0
    for question in questions:
        texts = [" ".join(p.text.split()).lower() for p in search_passages(session, question)]
        found = [question in phrases and phrases[question] in t for t in texts]
        at10 += any(found)
        at5 += any(found[:5])
    return f"recall of the answering phrase: @10 {at10}/{len(questions)}  @5 {at5}/{len(questions)}"


def bench_rank_bm25(
    episodes: list[list[dict]], questions: list[str], limit: int
) -> dict[str, float]:
    """The anchor: the same chunks and questions through rank_bm25 (in memory, pure Python)."""
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
    return {"build": len(docs) / built, "search": p95(timings)}


def print_ratios(results: dict[str, dict[str, float]], anchor: dict[str, float]) -> None:
    """Each podbrief figure beside the anchor's from this run, and their ratio (the ratio is
    what holds on a noisy machine)."""
    print("podbrief vs the rank_bm25 anchor, same run:")
    for name, figures in results.items():
        if "build" in figures:
            ratio = figures["build"] / anchor["build"]
            print(
                f"  {name:9} index build {figures['build']:8,.0f} chunks/s vs "
                f"{anchor['build']:8,.0f} chunks/s = {ratio:5.2f}x the anchor's speed"
            )
        for key in ("search", "search+feedback", "ask"):
            ratio = figures[key] / anchor["search"]
            print(
                f"  {name:9} {key:15} p95 {figures[key] * 1000:6.1f} ms vs search p95 "
                f"{anchor['search'] * 1000:6.1f} ms = {ratio:5.3f}x the anchor's time"
            )


def _all_words(text_: str) -> list[str]:
    from bot.search.terms import stopwords, words

    return [w for w in words(text_) if w not in stopwords()]


def pg_engine(schema: str | None, chunks: int) -> tuple[Engine, str, bool]:
    """An engine on ``schema`` (a new throwaway one when None), migrated; and whether it
    already holds ``chunks`` chunks from an earlier run kept with ``--pg-schema``."""
    schema = schema or f"bench_{uuid.uuid4().hex[:8]}"
    admin = db.create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    engine = db.create_db_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    db.upgrade(engine)
    with engine.connect() as conn:
        held = conn.execute(text("SELECT count(*) FROM chunk")).scalar_one()
    if held not in (0, chunks):
        engine = _fresh(engine)  # a different size was kept: build afresh
    return engine, schema, held == chunks


def drop_schema(schema: str) -> None:
    admin = db.create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=150_000)
    parser.add_argument(
        "--backends", default="sqlite,postgres", help="the rank_bm25 anchor always runs too"
    )
    parser.add_argument("--bm25-queries", type=int, default=20, help="rank_bm25 is slow per query")
    parser.add_argument(
        "--pg-schema",
        help="keep the PostgreSQL index in this schema, and reuse it when it already holds "
        "--chunks chunks (skips the build: for iterating on search)",
    )
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
    backends, results = args.backends.split(","), {}
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            engine = db.create_db_engine(f"sqlite:///{tmp}/bench.db")
            db.upgrade(engine)
            results["sqlite"] = bench_database("sqlite", engine, episodes, questions)
            engine.dispose()
    if "postgres" in backends:
        engine, schema, built = pg_engine(args.pg_schema, sum(map(len, episodes)))
        try:
            results["postgres"] = bench_database(
                "postgres", engine, episodes, questions, built=built
            )
        finally:
            engine.dispose()
            if not args.pg_schema:
                drop_schema(schema)
    print_ratios(results, bench_rank_bm25(episodes, questions, args.bm25_queries))


if __name__ == "__main__":
    main()
