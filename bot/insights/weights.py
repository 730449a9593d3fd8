"""How much each claim feature counts towards a claim's score: fitted by
``python -m bench.claim_weights`` to the editor's labels of candidate claims."""

from __future__ import annotations

# Fixed, not fitted: how central the claim is to the episode (see bench.claim_weights).
TOPICALITY: dict[str, float] = {"centrality": 0.45, "coverage": 0.1}
INTERCEPT = 0.2345
WEIGHTS = {
    "length_fit": -0.0496,
    "extra_sentences": -0.0272,
    "guest": 0.0681,
    "host": 0.0034,
    "signal_hits": 0.0630,
    "first_person": -0.0401,
    "chatter": -0.0393,
    "pointing": 0.0130,
    "repairs": -0.3733,
    "lesson": 0.0726,
    "anecdote": -0.0337,
    "ui_step": 0.1052,
    "orphan_pronoun": -0.0512,
    "named": 0.0289,
    "named_subject": 0.0429,
    "hedge": -0.2220,
    "payoff_next": -0.0390,
    "question_next": -0.1279,
    "question_before": 0.0754,
    "if_opening": -0.0101,
    "opinion_opening": 0.0959,
    "you_opening": -0.0389,
    "we_opening": -0.0279,
    "evaluative": -0.0713,
    "restart": -0.1145,
    "reason": 0.0378,
    "comparison": 0.0681,
    "number": -0.0103,
    "edge_of_episode": -0.0824,
    "long_turn": -0.0090,
    "advice": 0.0432,
    "prediction": 0.0047,
    "show_talk": -0.0356,
    "backstory": -0.0635,
    "show_plans": -0.2144,
    "rare_words": 0.0325,
    "names": 0.0055,
    "glued": -0.0162,
    "thought_continues": 0.0187,
}


def score(features: dict[str, float]) -> float:
    """The claim's score: how likely the editor is to find it a self-contained insight."""
    fitted = sum(WEIGHTS.get(name, 0.0) * value for name, value in features.items())
    return INTERCEPT + fitted + topicality(features)


def topicality(features: dict[str, float]) -> float:
    """The fixed part of the score: the claim's centrality to its episode."""
    return sum(weight * features[name] for name, weight in TOPICALITY.items())
