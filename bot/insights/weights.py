"""How much each claim feature counts towards a claim's score: fitted by
``python -m bench.claim_weights`` to the editor's labels of candidate claims."""

from __future__ import annotations

# Fixed, not fitted: how central the claim is to the episode (see bench.claim_weights).
TOPICALITY: dict[str, float] = {"centrality": 0.45, "coverage": 0.1}
INTERCEPT = 0.2442
WEIGHTS: dict[str, float] = {
    "length_fit": -0.0678,
    "extra_sentences": -0.0294,
    "guest": 0.0633,
    "host": -0.0028,
    "signal_hits": 0.0624,
    "first_person": -0.0365,
    "chatter": -0.0282,
    "pointing": 0.0077,
    "repairs": -0.3492,
    "lesson": 0.0708,
    "anecdote": -0.0315,
    "ui_step": 0.1900,
    "orphan_pronoun": -0.0494,
    "named": 0.0272,
    "named_subject": 0.0483,
    "hedge": -0.2185,
    "payoff_next": -0.0298,
    "question_next": -0.1059,
    "question_before": 0.0322,
    "if_opening": -0.0050,
    "opinion_opening": 0.0806,
    "you_opening": -0.0352,
    "we_opening": -0.0222,
    "evaluative": -0.0848,
    "restart": -0.0918,
    "reason": 0.0443,
    "comparison": 0.0468,
    "number": -0.0005,
    "edge_of_episode": -0.0879,
    "long_turn": -0.0105,
    "advice": 0.0369,
    "prediction": 0.0145,
    "show_talk": -0.0351,
    "rare_words": -0.0184,
    "names": 0.0034,
    "glued": -0.0031,
    "thought_continues": 0.0300,
}


def score(features: dict[str, float]) -> float:
    """The claim's score: how likely the editor is to find it a self-contained insight."""
    fitted = sum(WEIGHTS.get(name, 0.0) * value for name, value in features.items())
    return INTERCEPT + fitted + topicality(features)


def topicality(features: dict[str, float]) -> float:
    """The fixed part of the score: the claim's centrality to its episode."""
    return sum(weight * features[name] for name, weight in TOPICALITY.items())
