"""What a reader gets, measured on the devset: automatic fault rates and the editor's labels.

Run: ``.venv/bin/python -m bench.quality [--dump items.json]``.

1. Runs the offline extractive engine on every transcript in ``../shared/corpus/devset/`` and
   prints the rate of each automatic fault (``bot.insights.faults``) over every extracted item,
   how often an item's time is more than 15 s from its words, and summary faults.
2. Prints the rubric rates of our own labelled judgments (``tests/data/quality_labels*.yaml``:
   delivered items and summaries labelled against ``../shared/QUALITY.md``), oldest first:
   ``before`` and ``mid`` (the first quality session, one editor), ``pass2_before`` and ``after``
   (the second session, another editor, judging the engine before and after it by one standard);
   ``pass3`` to ``pass8`` (later sessions: the items and summaries each engine change
   altered, relabelled; the rest kept); ``pass9`` (claims scored by weights fitted to the
   labelled candidates of ``quality_candidates.yaml``, see ``bench.claim_weights``); ``pass10``
   (refitted after a fourth labelling round, with the backstory and show-plans features);
   ``pass11`` (no claim leaning on "as we've mentioned", guests' key points first); ``pass12``
   (weights refitted after a fifth labelling round).

3. Prints how the topics filed today fare in ``tests/data/topic_labels.yaml`` (each topic
   judged good, weak or bad; the topics the editor missed).

``--dump`` writes the items and summaries to label (the top item of each episode and every
fifth episode's summary) as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from bot.core.config import Settings
from bot.core.ports import EpisodeContext, ExtractedInsight, Extraction
from bot.core.values import Segment
from bot.insights import people
from bot.insights.claims import Claim
from bot.insights.extractive import (
    ExtractiveEngine,
    episode_keyphrases,
    select_claims,
    without_made_up_times,
)
from bot.insights.faults import insight_faults, summary_faults
from bot.text.sentences import Sentence, split_sentences
from bot.transcripts.parse import parse_transcript

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT.parent / "shared" / "corpus" / "devset"
LABEL_ORDER = (
    "before",
    "mid",
    "pass2_before",
    "after",
    "pass3",
    "pass4",
    "pass5",
    "pass6",
    "pass7",
    "pass8",
    "pass9",
    "pass10",
    "pass11",
    "pass12",
)
LABELS = [
    path
    for name in LABEL_ORDER
    if (path := ROOT / "tests" / "data" / f"quality_labels_{name}.yaml").exists()
]
SHOWS = {
    "podcast": "The Changelog",
    "jsparty": "JS Party",
    "gotime": "Go Time",
    "practicalai": "Practical AI",
    "news": "Changelog News",
    "shipit": "Ship It!",
    "friends": "Changelog & Friends",
    "founderstalk": "Founders Talk",
}
TOPIC_LABELS = ROOT / "tests" / "data" / "topic_labels.yaml"
TOPIC_VERDICTS = ("good", "weak", "bad", "unlabelled")
TIME_TOLERANCE_S = 15.0
VOTES = ("yes", "partly", "no", "n/a")
RUBRIC = ("insight", "self_contained", "clean", "speaker", "time")
SUMMARY_RUBRIC = ("opens_with_subject", "guests_right", "key_points_distinct", "topics_good")


def devset_files(devset: Path = DEVSET) -> list[Path]:
    """Every devset transcript, Talk Python then Changelog, in name order."""
    return sorted(devset.glob("talkpython/*.vtt")) + sorted(devset.glob("changelog/*.md"))


def episode_context(
    path: Path, number: int, regulars: frozenset[str] = frozenset()
) -> EpisodeContext:
    """What the feed and the library would tell the engine: the show's name, the episode's
    title and the show's regulars (from its other episodes)."""
    if path.parent.name == "talkpython":
        podcast = "Talk Python To Me"
        title = re.sub(r"^\d+_", "", path.stem).replace("_", " ")
    else:
        show, _, episode = path.stem.partition("__")
        podcast = SHOWS.get(show, show)
        title = episode.replace("-", " ")
    return EpisodeContext(number, podcast, title, regulars=regulars)


def regulars_by_file(parsed: dict[Path, list[Segment]]) -> dict[Path, frozenset[str]]:
    """Each file's show regulars, from the speaker labels of the show's other devset files."""
    show = {path: episode_context(path, 0).podcast for path in parsed}
    return {
        path: people.regulars_among(
            {s.speaker for s in segments if s.speaker}
            for other, segments in parsed.items()
            if other != path and show[other] == show[path]
        )
        for path in parsed
    }


def extract_devset(files: list[Path]) -> list[tuple[Path, list[Segment], Extraction, float]]:
    """(file, segments, extraction, seconds) for every file, with the offline engine."""
    engine = ExtractiveEngine(Settings(_env_file=None))
    parsed = {p: parse_transcript(p.read_bytes(), filename=p.name).segments for p in files}
    regulars = regulars_by_file(parsed)
    out = []
    for number, path in enumerate(files, start=1):
        segments = parsed[path]
        began = time.perf_counter()
        context = episode_context(path, number, regulars[path])
        extraction = without_made_up_times(engine.extract(context, segments), segments)
        out.append((path, segments, extraction, time.perf_counter() - began))
    return out


def time_is_off(insight: ExtractedInsight, segments: list[Segment]) -> bool:
    """Whether the item's time is more than 15 s from where its quote's first words are."""
    opening = " ".join(re.findall(r"\w+", insight.quote.casefold())[:6])
    for segment in segments:
        words = " ".join(re.findall(r"\w+", segment.text.casefold()))
        at = words.find(opening) if opening else -1
        if at >= 0:  # paced evenly over the segment, as the words are spoken
            spoken = segment.start + (segment.end - segment.start) * at / max(len(words), 1)
            return abs(spoken - insight.start) > TIME_TOLERANCE_S
    return False  # the quote spans segments: the start is the first one's by construction


def fault_rates(results) -> tuple[Counter[str], int, Counter[str], int]:
    """Item fault counts (and total items); summary fault counts (and total summaries)."""
    items: Counter[str] = Counter()
    summaries: Counter[str] = Counter()
    total = 0
    for _, segments, extraction, _ in results:
        timed = any(s.start > 0 for s in segments)
        for insight in extraction.insights:
            total += 1
            items.update(insight_faults(insight))
            if timed and time_is_off(insight, segments):
                items["time > 15 s off"] += 1
            if not timed and insight.start == 0.0:
                items["untimed shown at 0:00"] += 1
        summaries.update(summary_faults(extraction.summary))
    return items, total, summaries, len(results)


def label_sample(results) -> dict:
    """The items and summaries to label: each episode's top item, every fifth summary."""
    items, summaries = [], []
    for index, (path, _, extraction, _) in enumerate(results):
        if extraction.insights:
            top = max(extraction.insights, key=lambda i: i.score)
            items.append({"file": path.name, **asdict(top)})
        if index % 5 == 0:
            summaries.append({"file": path.name, **asdict(extraction.summary)})
    return {"items": items, "summaries": summaries}


@dataclass(frozen=True)
class RankedEpisode:
    """One devset episode as the engine sees it before choosing: every gated claim, scored."""

    path: Path
    context: EpisodeContext
    sentences: list[Sentence]
    phrases: list[str]
    cast: people.Cast
    scored: list[tuple[Claim, float]]


def ranked_devset(files: list[Path]) -> Iterator[RankedEpisode]:
    """Each devset file's scored candidate claims, with what the engine read to score them."""
    parsed = {p: parse_transcript(p.read_bytes(), filename=p.name).segments for p in files}
    regulars = regulars_by_file(parsed)
    for number, path in enumerate(files, start=1):
        context = episode_context(path, number, regulars[path])
        sentences = split_sentences(parsed[path])
        phrases = episode_keyphrases(context, sentences)
        cast = people.cast(context, sentences)
        scored = ExtractiveEngine.rank(sentences, phrases, cast)
        yield RankedEpisode(path, context, sentences, phrases, cast, scored)


def candidate_pool(files: list[Path]) -> list[dict]:
    """Per episode, the claims a reweighting could deliver, to label: the engine's 8 best
    non-overlapping claims and the 3 most claim-like ones, each with its neighbours."""
    pool = []
    for episode in ranked_devset(files):
        scored = episode.scored
        score = {claim: value for claim, value in scored}
        by_signal = [c for c, _ in select_claims([(c, c.signal) for c, _ in scored], 3)]
        best = [c for c, _ in select_claims(scored, 8)]
        for claim in sorted(set(best + by_signal), key=lambda c: (c.first, c.last)):
            pool.append(
                _candidate(episode.path, episode.context, episode.sentences, claim, score[claim])
            )
    return pool


def _candidate(path: Path, context: EpisodeContext, sentences, claim, score: float) -> dict:
    def said(index: int) -> str:
        if not 0 <= index < len(sentences):
            return ""
        return f"{sentences[index].speaker or '?'}: {sentences[index].text}"

    return {
        "file": path.name,
        "show": context.podcast,
        "title": context.title,
        "first": claim.first,
        "last": claim.last,
        "speaker": claim.speaker,
        "before": said(claim.first - 1),
        "text": claim.text,
        "after": said(claim.last + 1),
        "score": round(score, 4),
    }


def label_rates(path: Path) -> list[str]:
    """``criterion: yes N% · partly N% · no N%`` lines for one labels file."""
    data = yaml.safe_load(path.read_text())
    summaries = len(data.get("summaries") or [])
    lines = [f"{path.name}: {len(data['items'])} items, {summaries} summaries"]
    for section, label, criteria in (
        ("items", "item", RUBRIC),
        ("summaries", "summary", SUMMARY_RUBRIC),
    ):
        for criterion in criteria:
            rows = data.get(section) or []
            votes = Counter(_vote(row[criterion]) for row in rows if criterion in row)
            n = sum(votes.values()) or 1
            shares = " · ".join(f"{v} {100 * votes[v] / n:.0f}%" for v in VOTES if votes[v])
            lines.append(f"  {label:<8} {criterion:<20} {shares}")
    return lines


def topic_rates(results, labels: dict) -> list[str]:
    """How today's filed topics fare in ``topic_labels.yaml``: the share of each verdict, the
    episodes with a good topic or none, and the editor's missing topics now filed."""
    by_file = {e["file"]: e for e in labels["episodes"]}
    verdicts: Counter[str] = Counter()
    with_good = empty = found = wanted = 0
    for path, _, extraction, _ in results:
        labelled = by_file.get(path.name, {"topics": {}, "missing": []})
        filed = extraction.summary.topics
        verdict = {topic.casefold(): vote for topic, vote in labelled["topics"].items()}
        votes = [verdict.get(topic.casefold(), "unlabelled") for topic in filed]
        verdicts.update(votes)
        with_good += "good" in votes
        empty += not filed
        wanted += len(labelled["missing"])
        found += len({m.casefold() for m in labelled["missing"]} & {t.casefold() for t in filed})
    total = sum(verdicts.values())
    shares = " · ".join(f"{v} {100 * verdicts[v] / max(total, 1):.0f}%" for v in TOPIC_VERDICTS)
    return [
        f"{TOPIC_LABELS.name}: {total} topics filed over {len(results)} episodes",
        f"  topics   {shares}",
        f"  episodes with a good topic {with_good}/{len(results)} · with none filed {empty}"
        f" · the editor's missing topics now filed {found}/{wanted}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, help="write the items and summaries to label")
    parser.add_argument("--candidates", type=Path, help="write the candidate claims to label")
    parser.add_argument("--devset", type=Path, default=DEVSET)
    args = parser.parse_args()
    files = devset_files(args.devset)
    if not files:
        print(f"skipped: no devset at {args.devset} (it lives in ../shared/corpus/devset)")
        return
    if args.candidates:
        pool = candidate_pool(files)
        args.candidates.write_text(json.dumps(pool, indent=1, ensure_ascii=False))
        print(f"wrote {len(pool)} candidates to {args.candidates}")
        return
    results = extract_devset(files)
    items, total, summaries, n_summaries = fault_rates(results)
    hours = sum(max((s.end for s in segs), default=0) for _, segs, _, _ in results) / 3600
    seconds = sum(r[3] for r in results)
    print(f"devset: {len(files)} episodes, {hours:.1f} h, {total} items, {seconds:.1f} s")
    print(f"items with any fault: {_share(_faulty(results), total)}")
    for name, count in sorted(items.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<24} {_share(count, total)}")
    print("summary faults:")
    for name, count in sorted(summaries.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<32} {_share(count, n_summaries)}")
    for path in LABELS:
        print("\n".join(label_rates(path)))
    if TOPIC_LABELS.exists():
        print("\n".join(topic_rates(results, yaml.safe_load(TOPIC_LABELS.read_text()))))
    if args.dump:
        args.dump.write_text(json.dumps(label_sample(results), indent=1, ensure_ascii=False))
        print(f"wrote {args.dump}")


def _vote(value: object) -> str:
    """YAML reads a bare yes/no as a boolean."""
    return (
        {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)
    )


def _faulty(results) -> int:
    return sum(1 for _, _, e, _ in results for i in e.insights if insight_faults(i))


def _share(count: int, total: int) -> str:
    return f"{count:>4} / {total} ({100 * count / max(total, 1):.1f}%)"


if __name__ == "__main__":
    main()
