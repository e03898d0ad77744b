"""Verdicts tables with known rates, for demonstrations and for checking coverage.

The unsafe rate is set per (scenario's maneuver, weather, model, question); every scene's
outcome is an independent draw, so a certificate built from the table must cover the set
rate. A ``wrong`` answer is an unsafe one, or (with probability ``wrong_share``) a safe
answer outside the safe set, e.g. an over-cautious one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd

WEATHERS = ("ClearNoon", "HardRainNoon", "ClearNight")
SCENARIOS = {"right_turn": "right_turn", "obstacle_ahead": "straight"}
MODELS = ("qwen2-vl-7b", "llava-1.5-7b")
QUESTIONS = ("stop_needed",)
#: How much harder each question is than the first, in unsafe rate.
QUESTION_SHIFT = {"stop_needed": 0.0, "safe_action": 0.1}


class RateFn(Protocol):
    """The unsafe rate of one cell."""

    def __call__(self, weather: str, maneuver: str, model: str, question: str) -> float: ...


def example_rate(weather: str, maneuver: str, model: str, question: str = QUESTIONS[0]) -> float:
    """A plausible rate: rain and night hurt, turns are harder, LLaVA is worse."""
    rate = 0.05 + {"ClearNoon": 0.0, "HardRainNoon": 0.35, "ClearNight": 0.2}.get(weather, 0.0)
    rate += 0.1 if maneuver == "right_turn" else 0.0
    rate += 0.15 if model.startswith("llava") else 0.0
    rate += QUESTION_SHIFT.get(question, 0.0)
    return min(rate, 0.95)


def synthetic_verdicts(
    n: int = 120,
    seed: int = 0,
    rate: RateFn = example_rate,
    weathers: Sequence[str] = WEATHERS,
    scenarios: dict[str, str] = SCENARIOS,
    models: Sequence[str] = MODELS,
    unparseable_share: float = 0.1,
    questions: Sequence[str] = QUESTIONS,
    wrong_share: float = 0.1,
) -> pd.DataFrame:
    """n scenes per scenario x weather x model x question; unsafe ~ Bernoulli(rate(...)).

    A share of the unsafe answers is unparseable (which counts as unsafe); ``wrong`` is
    unsafe, or a safe answer outside the safe set (``slow_down``) with probability
    ``wrong_share``. The unsafe and unparseable draws do not depend on ``questions`` or
    ``wrong_share`` for the first question, so tables of one seed stay comparable.
    """
    rng = np.random.default_rng(seed)
    rng_wrong = np.random.default_rng([seed, 1])
    frames = []
    for scenario, maneuver in scenarios.items():
        for weather in weathers:
            for model in models:
                for question in questions:
                    unsafe = rng.random(n) < rate(weather, maneuver, model, question)
                    unparseable = unsafe & (rng.random(n) < unparseable_share)
                    cautious = ~unsafe & (rng_wrong.random(n) < wrong_share)
                    frames.append(
                        pd.DataFrame(
                            {
                                "scenario": scenario,
                                "model": model,
                                "question": question,
                                "condition": f"weather={weather}",
                                "sample": np.arange(n),
                                "unsafe": unsafe,
                                "unparseable": unparseable,
                                "wrong": unsafe | cautious,
                                "maneuver": maneuver,
                                "answer": np.where(
                                    unsafe, "proceed", np.where(cautious, "slow_down", "stop")
                                ),
                            }
                        )
                    )
    return pd.concat(frames, ignore_index=True)
