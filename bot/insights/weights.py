"""How much each claim feature counts towards a claim's score: fitted by
``python -m bench.claim_weights`` to the editor's labels of candidate claims."""

from __future__ import annotations

# Fixed, not fitted: how central the claim is to the episode (see bench.claim_weights).
TOPICALITY: dict[str, float] = {"centrality": 0.45, "coverage": 0.1}
INTERCEPT = 0.2431
WEIGHTS: dict[str, float] = {
    "length_fit": -0.0609,
    "extra_sentences": -0.0265,
    "guest": 0.0587,
    "host": -0.0099,
    "signal_hits": 0.0642,
    "first_person": -0.0339,
    "chatter": -0.0285,
    "pointing": 0.0197,
    "repairs": -0.3586,
    "lesson": 0.0655,
    "anecdote": -0.0391,
    "ui_step": 0.1433,
    "orphan_pronoun": -0.0431,
    "named": 0.0124,
    "named_subject": 0.0461,
    "hedge": -0.2236,
    "payoff_next": -0.0125,
    "question_next": -0.0900,
    "question_before": 0.0279,
    "if_opening": -0.0172,
    "opinion_opening": 0.0789,
    "you_opening": -0.0391,
    "we_opening": -0.0265,
    "evaluative": -0.0865,
    "restart": -0.0924,
    "reason": 0.0420,
    "comparison": 0.0541,
    "number": -0.0031,
    "edge_of_episode": -0.0881,
    "long_turn": -0.0119,
    "advice": 0.0382,
    "prediction": 0.0188,
    "show_talk": -0.0301,
    "rare_words": -0.0041,
    "names": 0.0062,
    "glued": -0.0057,
    "thought_continues": 0.0362,
}


def score(features: dict[str, float]) -> float:
    """The claim's score: how likely the editor is to find it a self-contained insight."""
    fitted = sum(WEIGHTS.get(name, 0.0) * value for name, value in features.items())
    return INTERCEPT + fitted + topicality(features)


def topicality(features: dict[str, float]) -> float:
    """The fixed part of the score: the claim's centrality to its episode."""
    return sum(weight * features[name] for name, weight in TOPICALITY.items())
