"""Cost of the sequential certifier: microseconds per observation, and betting p-values.

For each method, streams at the threshold (so the certifier stays undecided and keeps
sampling) are fed to `SequentialCertifier.observe` up to n; the script prints the mean cost
per observation. "observe" is the certifier as it runs; "observe + bounds" also reads
lower/upper after every observation, as the certifier did before observe() became O(1) for
beta-binomial (the bisection at every step). Then `certifier_bounds` over 100 certifiers
(what a live display calls twice a second), and the betting CS's `pvalues()` at n = 10^6:
the first call for a threshold (one replay) and the repeated call (streamed, O(1)).

    .venv/bin/python scripts/bench/certifier.py [--n 10000] [--pvalue-n 1000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from analysis import BettingSequence, SequentialCertifier, Spec, StopRule, certifier_bounds

THRESHOLD = 0.5
DELTA = 0.05 / 12


def per_observation(method: str, n: int, read_bounds: bool, seed: int) -> float:
    """Mean microseconds per observe() over n observations (restarting after a stop)."""
    rng = np.random.default_rng(seed)
    xs = rng.random(n) < THRESHOLD
    certifier = SequentialCertifier(Spec(THRESHOLD), DELTA, method, StopRule(n_max=n))
    started = time.perf_counter()
    for x in xs:
        if certifier.observe(bool(x)):
            certifier = SequentialCertifier(Spec(THRESHOLD), DELTA, method, StopRule(n_max=n))
        if read_bounds:
            _ = certifier.lower, certifier.upper
    return 1e6 * (time.perf_counter() - started) / n


def live_display(certifiers: int, n: int, seed: int) -> float:
    """Milliseconds per certifier_bounds call over ``certifiers`` beta-binomial certifiers,
    each fed one more observation between calls (so nothing is cached; the rare one that
    stops keeps its cached bounds)."""
    rng = np.random.default_rng(seed)
    pool = [
        SequentialCertifier(Spec(THRESHOLD), DELTA, rule=StopRule(n_max=10 * n))
        for _ in range(certifiers)
    ]
    for certifier in pool:
        for x in rng.random(n) < THRESHOLD:
            if certifier.observe(bool(x)):
                break
    calls, spent = 10, 0.0
    for _ in range(calls):
        for certifier in pool:
            if certifier.stopped is None:
                certifier.observe(bool(rng.random() < THRESHOLD))
        started = time.perf_counter()
        certifier_bounds(pool)
        spent += time.perf_counter() - started
    return 1e3 * spent / calls


def betting_pvalues(n: int, seed: int) -> tuple[float, float, float]:
    """Seconds for n updates, for the first pvalues() call (replay) and a repeated one."""
    rng = np.random.default_rng(seed)
    sequence = BettingSequence(DELTA)
    started = time.perf_counter()
    for x in rng.random(n) < THRESHOLD:
        sequence.update(float(x))
    fed = time.perf_counter() - started
    started = time.perf_counter()
    sequence.pvalues(THRESHOLD)
    first = time.perf_counter() - started
    sequence.update(1.0)  # one more observation: the probe is stepped, not replayed
    started = time.perf_counter()
    sequence.pvalues(THRESHOLD)
    again = time.perf_counter() - started
    return fed, first, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="observations per stream")
    parser.add_argument("--pvalue-n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"threshold {THRESHOLD}, delta {DELTA:.4g}, streams at p = threshold, n = {args.n:,}")
    print(f"{'method':<15} {'observe':>12} {'observe + bounds':>18}   (us per observation)")
    for method in ("beta-binomial", "betting"):
        fast = per_observation(method, args.n, read_bounds=False, seed=args.seed)
        slow = per_observation(method, args.n, read_bounds=True, seed=args.seed)
        print(f"{method:<15} {fast:>12.1f} {slow:>18.1f}")
    print(
        f"certifier_bounds over 100 beta-binomial certifiers at n ~ 1,000: "
        f"{live_display(100, 1000, args.seed):.1f} ms per call"
    )
    fed, first, again = betting_pvalues(args.pvalue_n, args.seed)
    print(
        f"betting at n = {args.pvalue_n:,}: {fed:.1f} s of updates "
        f"({1e6 * fed / args.pvalue_n:.1f} us each); pvalues() first call {first:.2f} s "
        f"(replay), repeated {1e6 * again:.0f} us"
    )


if __name__ == "__main__":
    main()
