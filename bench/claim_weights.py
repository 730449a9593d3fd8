"""How much each claim feature counts, learned from the editor's labels of candidate claims.

Run: ``.venv/bin/python -m bench.claim_weights``.

``tests/data/quality_candidates.yaml`` holds our own labels (``../shared/QUALITY.md``'s
insight, self-contained and clean) of every candidate ``bench.quality --candidates`` wrote:
each devset episode's 8 best claims by the engine of the day and its 3 most claim-like ones.
This script recomputes each candidate's features (``bot.insights.features``), fits a ridge
regression of the label value (yes 1, partly ½, no 0; insight counts 0.5, self-contained
0.3, clean 0.2), and prints

1. cross-validated figures: episodes split into 5 folds (10 random splits, averaged), each
   fold's episodes ranked by weights fitted on the other four, and the labels of the top
   candidate each would deliver, beside the weights in ``bot.insights.weights`` and the best
   the pool allows;
2. the weights fitted on every label, as the Python to put in ``bot.insights.weights``.

Topicality (centrality, keyphrase coverage) keeps its fixed weights and is not fitted: the
labelled pool was drawn by it, so it barely varies inside the pool (a fit finds it worthless),
and a brief needs the claims an episode makes about its own subject. It enters the fit as an
offset, so the whole score still estimates the label value (0 to 1) and briefs can weigh it.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

from bench.quality import DEVSET, devset_files, ranked_devset
from bot.insights import weights
from bot.insights.features import FEATURES, claim_features, episode_view

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "quality_candidates.yaml"
VALUE = {"yes": 1.0, "partly": 0.5, "no": 0.0, True: 1.0, False: 0.0}
SHARES = {"insight": 0.5, "self_contained": 0.3, "clean": 0.2}
RIDGE = 10.0
FOLDS = 5
SPLITS = 10  # random fold assignments averaged: one split's top items swing by ±5 points

Key = tuple[str, int, int]


def labelled_features(files: list[Path], labels: list[dict]) -> dict[Key, dict[str, float]]:
    """Each labelled candidate's features, recomputed by today's engine."""
    wanted = {(row["file"], row["first"], row["last"]) for row in labels}
    out: dict[Key, dict[str, float]] = {}
    for episode in ranked_devset(files):
        cast = episode.cast
        view = episode_view(episode.sentences, episode.phrases, set(cast.hosts), set(cast.guests))
        for claim, _ in episode.scored:
            key = (episode.path.name, claim.first, claim.last)
            if key in wanted:
                out[key] = claim_features(claim, view)
    return out


def target(row: dict) -> float:
    """The label value a ranking should maximise."""
    return sum(share * VALUE[row[criterion]] for criterion, share in SHARES.items())


def fit(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Ridge regression on standardised features; weights returned for raw features."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std
    gram = z.T @ z + RIDGE * np.eye(z.shape[1])
    coef = np.linalg.solve(gram, z.T @ (y - y.mean()))
    raw = coef / std
    return float(y.mean() - raw @ mean), raw


def cross_validated(
    rows: list[dict], x: np.ndarray, y: np.ndarray, topical: np.ndarray, seed: int
) -> np.ndarray:
    """Each candidate's score by weights fitted without its episode's fold."""
    episodes = sorted({r["file"] for r in rows})
    order = np.random.default_rng(seed).permutation(len(episodes))
    fold = {episodes[j]: i % FOLDS for i, j in enumerate(order)}
    scores = np.zeros(len(rows))
    for k in range(FOLDS):
        held = np.array([fold[r["file"]] == k for r in rows])
        intercept, coef = fit(x[~held], (y - topical)[~held])
        scores[held] = intercept + x[held] @ coef + topical[held]
    return scores


def top_labels(rows: list[dict], scores: np.ndarray) -> Counter[str]:
    """The labels of each episode's best-scored candidate."""
    best: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row["file"] not in best or scores[index] > scores[best[row["file"]]]:
            best[row["file"]] = index
    votes: Counter[str] = Counter()
    for index in best.values():
        for criterion in ("insight", "self_contained", "clean"):
            votes[f"{criterion} {_vote(rows[index][criterion])}"] += 1
    votes["episodes"] = len(best)
    return votes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    args = parser.parse_args()
    files = devset_files(args.devset)
    if not files or not LABELS.exists():
        print(f"skipped: no devset at {args.devset} or no labels at {LABELS}")
        return
    labels = yaml.safe_load(LABELS.read_text())["candidates"]
    features = labelled_features(files, labels)
    rows = [r for r in labels if (r["file"], r["first"], r["last"]) in features]
    print(f"{len(rows)} of {len(labels)} labelled candidates found in today's engine")
    fitted = [name for name in FEATURES if name not in weights.TOPICALITY]
    x = np.array([[features[_key(r)][name] for name in fitted] for r in rows])
    y = np.array([target(r) for r in rows])
    topical = np.array([weights.topicality(features[_key(r)]) for r in rows])
    cross = [cross_validated(rows, x, y, topical, seed) for seed in range(SPLITS)]
    shipped = np.array([weights.score(features[_key(r)]) for r in rows])
    votes: Counter[str] = sum((top_labels(rows, scores) for scores in cross), Counter())
    print(f"{'cross-validated fit':<22} top item per episode: {_rates(votes)}")
    for name, scores in (("bot.insights.weights", shipped), ("best in the pool", y)):
        print(f"{name:<22} top item per episode: {_rates(top_labels(rows, scores))}")
    intercept, coef = fit(x, y - topical)
    print("\nINTERCEPT =", round(intercept, 4))
    print("WEIGHTS = {")
    for name, value in zip(fitted, coef, strict=True):
        print(f'    "{name}": {value:.4f},')
    print("}")


def _key(row: dict) -> Key:
    return (row["file"], row["first"], row["last"])


def _vote(value: object) -> str:
    return {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else value


def _rates(votes: Counter[str]) -> str:
    n = votes["episodes"] or 1
    parts = []
    for criterion in ("insight", "self_contained", "clean"):
        shares = "/".join(f"{100 * votes[f'{criterion} {v}'] / n:.0f}" for v in ("yes", "no"))
        parts.append(f"{criterion} yes/no {shares}%")
    return " · ".join(parts)


if __name__ == "__main__":
    main()
