"""Model throughput at batch 1 vs batch 8, and the per-query overhead outside generate().

Runs the transformers backend on a tiny random checkpoint (scripts/make_tiny_models.py),
so it measures drivecert's own cost: preprocessing (chat template, qwen_vl_utils resizing,
the processor), batching and decoding, against the time spent inside ``model.generate``.

    .venv/bin/python scripts/bench/backends.py [--family qwen2-vl] [--queries 64] [--tokens 64]

The default is drivecert's default decoding (64 new tokens, greedy). A random tiny model
never stops early, so every answer is that long.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from models import Decoding, LoadOptions, ModelQuery, open_model

ROOT = Path(__file__).resolve().parents[2]


def builder() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_tiny_models", ROOT / "scripts" / "make_tiny_models.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def queries(n: int) -> list[ModelQuery]:
    rng = np.random.default_rng(0)
    return [
        ModelQuery.ask(
            [Image.fromarray(rng.integers(0, 255, (450, 800, 3), dtype=np.uint8))],
            "Is it necessary for the vehicle to stop here? Answer yes or no.",
        )
        for _ in range(n)
    ]


def measure(
    folder: Path, batch: int, work: list[ModelQuery], decoding: Decoding, repeats: int
) -> dict[str, float]:
    """The fastest of ``repeats`` runs over ``work`` (after one warm-up batch)."""
    model: Any = open_model(f"hf:{folder}", LoadOptions(batch_size=batch))
    inner = model.model.generate
    inside = [0.0]

    def timed(**kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return inner(**kwargs)
        finally:
            inside[0] += time.perf_counter() - began

    model.model.generate = timed
    model.generate(work[:batch], decoding)  # warm-up
    runs = []
    for _ in range(repeats):
        inside[0] = 0.0
        began = time.perf_counter()
        model.generate(work, decoding)
        runs.append((time.perf_counter() - began, inside[0]))
    total, inside[0] = min(runs)
    return {
        "qps": len(work) / total,
        "total_s": total,
        "generate_s": inside[0],
        "overhead_ms": 1000 * (total - inside[0]) / len(work),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--family", default="qwen2-vl")
    parser.add_argument("--queries", type=int, default=64)
    parser.add_argument(
        "--tokens", type=int, default=Decoding().max_new_tokens, help="new tokens per answer"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--repeats", type=int, default=3, help="runs per setting; the fastest")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    folder = Path(
        builder().build_tiny_model(args.family, Path("/tmp/drivecert-bench") / args.family)
    )
    work = queries(args.queries)
    decoding = Decoding(max_new_tokens=args.tokens)
    print(
        f"{args.family} tiny checkpoint, {args.queries} queries of one 800x450 image, "
        f"{args.tokens} new tokens, greedy, {args.threads} torch thread(s), "
        f"fastest of {args.repeats} runs"
    )
    print(
        f"{'batch':>5} {'queries/s':>10} {'total s':>8} {'in generate s':>14} "
        f"{'overhead ms/query':>18}"
    )
    results = {}
    for batch in (1, 8):
        r = measure(folder, batch, work, decoding, args.repeats)
        results[batch] = r
        print(
            f"{batch:>5} {r['qps']:>10.1f} {r['total_s']:>8.2f} {r['generate_s']:>14.2f} "
            f"{r['overhead_ms']:>18.2f}"
        )
    speedup = results[8]["qps"] / results[1]["qps"]
    worst = max(r["overhead_ms"] for r in results.values())
    print(f"batch 8 / batch 1 throughput: {speedup:.2f}x (target >= 3x)")
    print(f"largest overhead outside generate(): {worst:.2f} ms/query (target < 5 ms)")


if __name__ == "__main__":
    main()
