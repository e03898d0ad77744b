"""Verdicts tables with known unsafe rates, for demonstrations and for checking coverage.

The rates are set per (scenario, maneuver, weather, model); every scene's outcome is an
independent draw, so a certificate built from the table must cover the set rate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

RateFn = Callable[[str, str, str], float]

WEATHERS = ("ClearNoon", "HardRainNoon", "ClearNight")
SCENARIOS = {"right_turn": "right_turn", "obstacle_ahead": "straight"}
MODELS = ("qwen2-vl-7b", "llava-1.5-7b")


def example_rate(weather: str, maneuver: str, model: str) -> float:
    """A plausible rate: rain and night hurt, turns are harder, LLaVA is worse."""
    rate = 0.05 + {"ClearNoon": 0.0, "HardRainNoon": 0.35, "ClearNight": 0.2}.get(weather, 0.0)
    rate += 0.1 if maneuver == "right_turn" else 0.0
    rate += 0.15 if model.startswith("llava") else 0.0
    return min(rate, 0.95)


def synthetic_verdicts(
    n: int = 120,
    seed: int = 0,
    rate: RateFn = example_rate,
    weathers: Sequence[str] = WEATHERS,
    scenarios: dict[str, str] = SCENARIOS,
    models: Sequence[str] = MODELS,
    unparseable_share: float = 0.1,
) -> pd.DataFrame:
    """n scenes per scenario x weather x model; unsafe ~ Bernoulli(rate(weather, maneuver,
    model)); a share of the unsafe answers is unparseable (which counts as unsafe)."""
    rng = np.random.default_rng(seed)
    frames = []
    for scenario, maneuver in scenarios.items():
        for weather in weathers:
            for model in models:
                unsafe = rng.random(n) < rate(weather, maneuver, model)
                unparseable = unsafe & (rng.random(n) < unparseable_share)
                frames.append(
                    pd.DataFrame(
                        {
                            "scenario": scenario,
                            "model": model,
                            "condition": f"weather={weather}",
                            "sample": np.arange(n),
                            "unsafe": unsafe,
                            "unparseable": unparseable,
                            "maneuver": maneuver,
                            "answer": np.where(unsafe, "proceed", "stop"),
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)
