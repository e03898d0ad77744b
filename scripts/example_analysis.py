"""Write the example certificates, tables and figures in docs/example_analysis/.

A synthetic verdicts table with known unsafe rates (analysis._synthetic.example_rate:
2 scenarios x 3 weathers x 2 models, 120 scenes each) goes through `write_analysis`
exactly as `drivecert certify` would run it on a real run's verdicts.

    .venv/bin/python scripts/example_analysis.py [--out docs/example_analysis]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis import AnalysisOptions, Spec, write_analysis
from analysis._synthetic import synthetic_verdicts

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/example_analysis"))
    args = parser.parse_args()
    verdicts = synthetic_verdicts(n=120, seed=0)
    args.out.mkdir(parents=True, exist_ok=True)
    verdicts.to_csv(args.out / "verdicts.csv", index=False)
    options = AnalysisOptions(spec=Spec(0.3), pair=("weather=ClearNoon", "weather=HardRainNoon"))
    for name, path in write_analysis(verdicts, args.out, options).items():
        print(f"{name:<24} {path}")
