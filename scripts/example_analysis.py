"""Write the example certificates, tables and figures in docs/example_analysis/.

A synthetic verdicts table with known unsafe rates (analysis._synthetic.example_rate:
2 scenarios x 3 weathers x 2 models x 1 question, 120 scenes each, with a wrong column)
goes through `write_analysis` exactly as `drivecert certify` would run it on a real run's
verdicts. Three samples of one cell are marked failed (a model call that errored), so the
table shows how an incomplete cell is reported.

    .venv/bin/python scripts/example_analysis.py [--out docs/example_analysis]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import AnalysisOptions, Spec, write_analysis
from analysis._synthetic import synthetic_verdicts

FAILED_CELL = ("right_turn", "llava-1.5-7b", "weather=HardRainNoon")
FAILED_SAMPLES = 3


def with_failed_samples(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The first samples of FAILED_CELL marked failed, their verdict cells empty."""
    out = verdicts.astype({"unsafe": object, "unparseable": object, "wrong": object})
    scenario, model, condition = FAILED_CELL
    failed = (
        (out["scenario"] == scenario)
        & (out["model"] == model)
        & (out["condition"] == condition)
        & (out["sample"] < FAILED_SAMPLES)
    )
    out.insert(out.columns.get_loc("unsafe"), "status", np.where(failed, "failed", "ok"))
    out.loc[failed, ["unsafe", "unparseable", "wrong", "answer"]] = None
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/example_analysis"))
    args = parser.parse_args()
    verdicts = with_failed_samples(synthetic_verdicts(n=120, seed=0))
    args.out.mkdir(parents=True, exist_ok=True)
    verdicts.to_csv(args.out / "verdicts.csv", index=False)
    options = AnalysisOptions(spec=Spec(0.3), pair=("weather=ClearNoon", "weather=HardRainNoon"))
    for name, path in write_analysis(verdicts, args.out, options).items():
        print(f"{name:<24} {path}")
