"""Reply-tree bound width vs token budget, against rejection sampling at the same cost.

On the tiny random Qwen2-VL (scripts/make_tiny_models.py), one text query, the event
"the reply starts with PREFIX". For each token budget (model steps) the script prints the
reply tree's sound bounds [lower, upper] and their width, and the width of the 95%
Clopper-Pearson interval that rejection sampling gets for the same number of model steps:
each sampled reply costs ``max_new_tokens`` steps (a random tiny model rarely stops
early), so n = budget // max_new_tokens samples, with the expected count of hits
k = round(n * p) at p = the midpoint of the widest budget's bounds. The tree's bounds
hold with probability 1; the interval only with probability 0.95.

    .venv/bin/python scripts/bench/reply_tree.py [--budgets 4,16,64,256,1024,2048]
        [--temperature 0.05] [--top-p 0.9] [--tokens 3] [--prefix t]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from backends import builder  # this folder's tiny-checkpoint builder
from scipy.stats import binomtest

from models import Decoding, LoadOptions, ModelQuery, TreeBudget, open_model, reply_trees

QUESTION = "Is the light red? Answer yes or no."


def sampling_width(n: int, p: float) -> float:
    """The 95% Clopper-Pearson width for n samples with round(n * p) hits (1 when n = 0)."""
    if n == 0:
        return 1.0
    interval = binomtest(round(n * p), n).proportion_ci(0.95)
    return float(interval.high - interval.low)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", default="4,16,64,256,1024,2048")
    parser.add_argument("--temperature", type=float, default=0.05)
    parser.add_argument("--top-p", type=float, default=0.9)
    parser.add_argument("--tokens", type=int, default=3, help="max_new_tokens")
    parser.add_argument("--prefix", default="t", help="the event: the reply starts with this")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    folder = builder().build_tiny_model("qwen2-vl", Path("/tmp/drivecert-bench") / "qwen2-vl")
    model = open_model(f"hf:{folder}", LoadOptions(batch_size=8, device="cpu"))
    decoding = Decoding(temperature=args.temperature, top_p=args.top_p, max_new_tokens=args.tokens)
    query = ModelQuery.ask([], QUESTION)
    budgets = [int(b) for b in args.budgets.split(",")]
    rows = []
    for budget in budgets:
        began = time.perf_counter()
        (tree,) = reply_trees(model, [query], decoding, TreeBudget(budget, branches=1 << 20))
        assert tree.ok, tree.error
        lower, upper = tree.bounds(lambda text: text.startswith(args.prefix))
        rows.append((budget, tree, lower, upper, time.perf_counter() - began))
    p = (rows[-1][2] + rows[-1][3]) / 2
    print(
        f"tiny qwen2-vl, T={args.temperature}, top_p={args.top_p}, max_new_tokens="
        f"{args.tokens}, event: reply starts with {args.prefix!r} (p ~ {p:.4f})\n"
    )
    print(
        f"{'budget':>7} {'expanded':>8} {'branches':>8} {'lower':>7} {'upper':>7} "
        f"{'width':>7} {'time s':>7} | {'n sampled':>9} {'CP95 width':>10}"
    )
    for budget, tree, lower, upper, seconds in rows:
        n = budget // args.tokens
        print(
            f"{budget:>7} {tree.expanded:>8} {len(tree.branches):>8} {lower:>7.4f} "
            f"{upper:>7.4f} {upper - lower:>7.4f} {seconds:>7.2f} | {n:>9} "
            f"{sampling_width(n, p):>10.4f}"
        )


if __name__ == "__main__":
    main()
