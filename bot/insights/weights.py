"""How much each claim feature counts towards a claim's score: fitted by
``python -m bench.claim_weights`` to the editor's labels of candidate claims."""

from __future__ import annotations

# Fixed, not fitted: how central the claim is to the episode (see bench.claim_weights).
TOPICALITY: dict[str, float] = {"centrality": 0.45, "coverage": 0.1}
INTERCEPT = 0.2509
WEIGHTS = {
    "length_fit": -0.0609,
    "extra_sentences": -0.0265,
    "guest": 0.0649,
    "host": -0.0054,
    "signal_hits": 0.0658,
    "first_person": -0.0353,
    "chatter": -0.0395,
    "pointing": 0.0128,
    "repairs": -0.3732,
    "lesson": 0.0649,
    "anecdote": -0.0300,
    "ui_step": 0.1128,
    "orphan_pronoun": -0.0546,
    "named": 0.0219,
    "named_subject": 0.0455,
    "hedge": -0.2267,
    "payoff_next": -0.0395,
    "question_next": -0.1075,
    "question_before": 0.0332,
    "if_opening": -0.0126,
    "opinion_opening": 0.0792,
    "you_opening": -0.0370,
    "we_opening": -0.0199,
    "evaluative": -0.0791,
    "restart": -0.1009,
    "reason": 0.0383,
    "comparison": 0.0674,
    "number": -0.0053,
    "edge_of_episode": -0.0680,
    "long_turn": -0.0225,
    "advice": 0.0390,
    "prediction": 0.0039,
    "show_talk": -0.0324,
    "backstory": -0.0766,
    "show_plans": -0.2140,
    "rare_words": 0.0264,
    "names": 0.0062,
    "glued": -0.0206,
    "thought_continues": 0.0295,
}


def score(features: dict[str, float]) -> float:
    """The claim's score: how likely the editor is to find it a self-contained insight."""
    fitted = sum(WEIGHTS.get(name, 0.0) * value for name, value in features.items())
    return INTERCEPT + fitted + topicality(features)


def topicality(features: dict[str, float]) -> float:
    """The fixed part of the score: the claim's centrality to its episode."""
    return sum(weight * features[name] for name, weight in TOPICALITY.items())
