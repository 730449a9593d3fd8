"""How much each claim feature counts towards a claim's score: fitted by
``python -m bench.claim_weights`` to the editor's labels of candidate claims."""

from __future__ import annotations

INTERCEPT = 0.1
WEIGHTS: dict[str, float] = {
    "centrality": 0.45,
    "coverage": 0.1,
    "length_fit": 0.1,
    "extra_sentences": -0.06,
    "guest": 0.08,
    "host": -0.04,
    "signal_hits": 0.03,
    "first_person": -0.01,
    "chatter": -0.03,
    "pointing": -0.02,
    "repairs": -0.2,
    "lesson": 0.04,
    "anecdote": -0.02,
    "ui_step": -0.03,
    "orphan_pronoun": -0.03,
    "named": 0.03,
    "hedge": -0.03,
    "payoff_next": -0.05,
    "question_next": -0.05,
}


def score(features: dict[str, float]) -> float:
    """The claim's score: how likely the editor is to find it a self-contained insight."""
    return INTERCEPT + sum(WEIGHTS.get(name, 0.0) * value for name, value in features.items())
