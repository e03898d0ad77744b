"""Coverage of judge-corrected certificates against a biased judge, beside the uncorrected
ones.

Each run draws K = 4 cells of n scenes at true unsafe rates 0.05, 0.2, 0.4, 0.6 and a
calibration set of labelled replies (45% yes, 45% no, 10% null). A scripted judge reads
them with set, biased error rates: it leaves a safe answer null with probability ``shy``
(null counts as unsafe, so the judged rate is too high), and reads a null as the safe
answer with probability ``bold`` (too low). Per setting the script prints the share of runs
in which some cell's interval misses its true rate, for the uncorrected Clopper-Pearson
intervals at delta / K and for the corrected ones (cells at delta / 2K, calibration at
delta / 2), and the mean width of each. Target: corrected miscoverage <= delta.

    .venv/bin/python scripts/bench/judge_correction.py [--runs 400] [--n 300] [--calibration 400]

A second part runs the real parts end to end: traffic_light scenes under a red light,
scripted:noisy replies in free text at a set error rate (every wrong answer unsafe there),
read by the scripted judge ``scripted:shy=0.15``, certified with and without the
correction, the judge calibrated on the project's three labelled sets. Frames are left out
(the scripted model reads none), and each reply ends with a remark naming its scene, so
that the judge's per-reply draws are independent across scenes.
"""

from __future__ import annotations

import argparse

import numpy as np

from analysis import binomial_interval, calibrate, corrected_bounds

DELTA = 0.1
RATES = (0.05, 0.2, 0.4, 0.6)
SETTINGS = ((0.0, 0.0), (0.05, 0.0), (0.15, 0.0), (0.0, 0.3), (0.1, 0.3))


def one_run(rng: np.random.Generator, shy: float, bold: float, n: int, calibration_n: int):
    """(uncorrected missed, corrected missed, uncorrected width, corrected width)."""
    labels = rng.choice(["yes", "no", "null"], size=calibration_n, p=[0.45, 0.45, 0.1])
    pairs = []
    for label in labels:
        if label == "yes":
            pairs.append(("yes", None if rng.random() < shy else "yes"))
        elif label == "no":
            pairs.append(("no", "no"))
        else:
            pairs.append((None, "yes" if rng.random() < bold else None))
    se, sp = calibrate(pairs, "bench").rates(DELTA / 2)
    missed = [False, False]
    widths = [0.0, 0.0]
    for p in RATES:
        truth = rng.choice(["no", "yes", "null"], size=n, p=[p * 0.9, 1 - p, p * 0.1])
        draws = rng.random(n)
        judged_unsafe = np.where(
            truth == "yes", draws < shy, np.where(truth == "null", draws >= bold, True)
        )
        k = int(judged_unsafe.sum())
        plain = binomial_interval(k, n, DELTA / len(RATES))
        half = binomial_interval(k, n, DELTA / 2 / len(RATES))
        low, high = corrected_bounds((half.lower, half.upper), se, sp)
        missed[0] |= not plain.lower <= p <= plain.upper
        missed[1] |= not low <= p <= high
        widths[0] += (plain.upper - plain.lower) / len(RATES)
        widths[1] += (high - low) / len(RATES)
    return missed[0], missed[1], widths[0], widths[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--calibration", type=int, default=400)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    print(f"delta = {DELTA}, K = {len(RATES)} cells of n = {args.n}, calibration of "
          f"{args.calibration}, {args.runs} runs per setting")  # fmt: skip
    print(f"{'shy':>5} {'bold':>5} | {'uncorrected miss':>16} {'width':>6} | "
          f"{'corrected miss':>14} {'width':>6}")  # fmt: skip
    for shy, bold in SETTINGS:
        results = np.array(
            [one_run(rng, shy, bold, args.n, args.calibration) for _ in range(args.runs)]
        )
        plain_miss, fixed_miss = results[:, 0].mean(), results[:, 1].mean()
        print(
            f"{shy:5.2f} {bold:5.2f} | {plain_miss:16.3f} {results[:, 2].mean():6.3f} | "
            f"{fixed_miss:14.3f} {results[:, 3].mean():6.3f}"
            + ("" if fixed_miss <= DELTA else "  <- above delta")
        )


def end_to_end(runs: int, n: int) -> None:
    """The judged and corrected certificates of scripted replies read by a shy judge."""
    from pathlib import Path

    from harness.judge import open_judge
    from harness.judge._accuracy import judge_calibration
    from harness.run._ask import answer_key
    from models import Decoding, ModelQuery, open_model
    from scenarios import get_scenario

    judge = open_judge("scripted:shy=0.15")
    data = Path(__file__).parents[2] / "tests" / "data"
    sets = ("judge_cases.jsonl", "judge_heldout.jsonl", "judge_realworld.jsonl")
    combined = Path("/tmp/drivecert_bench_labels.jsonl")
    combined.write_bytes(b"".join((data / name).read_bytes() for name in sets))
    se, sp = judge_calibration(combined, judge.read).rates(DELTA / 2)
    scenario = get_scenario("traffic_light")
    rates = {"ClearNoon": 0.1, "HardRainNoon": 0.5}
    model = open_model("scripted:noisy?error=0.1&weather.HardRainNoon=0.5&style=free")
    misses = [0, 0]
    for seed in range(runs):
        missed = [False, False]
        for weather, p in rates.items():
            condition = scenario.resolve_condition(f"weather={weather},light=red")
            asked = []
            for index in range(n):
                scene = scenario.sample(condition, index, seed)
                question = next(q for q in scenario.ask(scene) if q.id == "stop_needed")
                asked.append(
                    (question, ModelQuery.ask([], question.prompt, key=answer_key(scene, question)))
                )
            replies = model.generate([query for _, query in asked], Decoding())
            k = 0
            for index, ((question, _), reply) in enumerate(zip(asked, replies, strict=True)):
                # the scripted judge draws once per distinct reply (a judge reads a text
                # the same way every time); a closing remark makes each scene's reply its own
                text = f"{reply.text} (Scene {seed}-{index}.)"
                read = judge.read(text, question.kind, question.text)
                k += read is None or read in question.ground_truth.unsafe
            plain = binomial_interval(k, n, DELTA / len(rates))
            half = binomial_interval(k, n, DELTA / 2 / len(rates))
            low, high = corrected_bounds((half.lower, half.upper), se, sp)
            missed[0] |= not plain.lower <= p <= plain.upper
            missed[1] |= not low <= p <= high
        misses[0] += missed[0]
        misses[1] += missed[1]
    print(
        f"end to end (scripted:noisy, judge scripted:shy=0.15 calibrated on {sets}; "
        f"sensitivity >= {se:.3f}, specificity >= {sp:.3f}; {runs} runs of 2 cells x {n}): "
        f"uncorrected miss {misses[0] / runs:.3f}, corrected miss {misses[1] / runs:.3f}"
    )


if __name__ == "__main__":
    main()
    end_to_end(runs=40, n=200)
