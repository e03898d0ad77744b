"""Known answers: runs of scripted:noisy at set rates cover the true rates family-wise.

The scripted model is wrong with a set probability per weather. On the questions used here
every wrong answer is unsafe under a red light (stop_needed: a missed stop; action: not
stopping), so P(unsafe) equals the set rate; P(wrong) equals it on every question. Over
repeated base seeds, the fraction of runs in which some certified interval misses its true
rate must stay at or below delta, in fixed-n and in sequential mode.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

RATES = {"ClearNoon": 0.1, "HardRainNoon": 0.8, "ClearNight": 0.35}
MODEL = "scripted:noisy?error=0.1&weather.HardRainNoon=0.8&weather.ClearNight=0.35&style=free"
CONDITIONS = ";".join(f"weather={w},control=light_red" for w in RATES)
DELTA = 0.2
REPEATS = 16


def misses(certificates: pd.DataFrame) -> int:
    truth = certificates["condition"].str.extract(r"weather=(\w+)")[0].map(RATES)
    return int(((certificates["lower"] > truth) | (certificates["upper"] < truth)).sum())


@pytest.mark.parametrize(
    ("mode", "event", "questions"),
    [
        ("fixed", "unsafe", "stop_needed,action"),
        ("sequential", "unsafe", "stop_needed,action"),
        ("sequential", "wrong", "all"),
    ],
)
def test_family_wise_coverage_of_set_rates(
    tmp_path: Path, mode: str, event: str, questions: str, run_settings
) -> None:
    failures = 0
    cells = 0
    for seed in range(REPEATS):
        out = tmp_path / f"{mode}-{seed}"
        run_settings(
            out,
            model=MODEL,
            conditions=CONDITIONS,
            questions=questions,
            event=event,
            sequential=mode == "sequential",
            n_max=40 if mode == "fixed" else 150,
            spec="<=0.5",
            delta=DELTA,
            seed=seed,
            figures=False,
            render={"width": 48, "height": 27},
        )
        certificates = pd.read_csv(out / "certificates.csv")
        assert (certificates["event"] == event).all()
        cells = len(certificates)
        failures += misses(certificates) > 0
    assert cells == 3 * (2 if questions != "all" else 6)
    assert failures / REPEATS <= DELTA, failures
