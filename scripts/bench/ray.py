"""Ray benchmark: one local worker against two Ray workers on the same sweep.

A scripted model with a fixed ``latency_ms`` per call stands in for a model on a GPU (the
machine has none): the call sleeps, leaving the CPU to the renderers, as a GPU would.
Both runs draw the same scenes (800x450, right_turn's 20 default conditions, 4
questions each, fixed n), and the benchmark checks that their certificates are identical.

Prints the loop's throughput of each (scenes per second, start-up excluded: Ray's cluster
and actors are started before the first batch), their ratio, and the start-up times.

    .venv/bin/python scripts/bench/ray.py                        # 320 scenes, 600 ms/call
    .venv/bin/python scripts/bench/ray.py --scenes 640 --latency-ms 1200 --workers 2
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# this file is named ray.py: keep `import ray` from finding it instead of the package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from harness.run._ray import RayOptions, ray_engine  # noqa: E402
from harness.run._session import RunResult, execute  # noqa: E402
from harness.run._sweep import SweepConfig, resolved_scenarios, sweep_plan  # noqa: E402


def config(scenes: int, latency_ms: int, batch_size: int) -> SweepConfig:
    return SweepConfig.model_validate(
        {
            "models": [f"scripted:noisy?error=0.2&latency_ms={latency_ms}"],
            "scenarios": ["right_turn"],  # 20 default conditions
            "n_max": max(1, scenes // 20),
            "batch_size": batch_size,
            "seed": 7,
            "figures": False,
            "report": False,
        }
    )


def one(settings: SweepConfig, out: Path, engine: Any = None) -> tuple[RunResult, float]:
    plan = sweep_plan(settings, "bench")
    payload = settings.fingerprint_payload(resolved_scenarios(plan))
    started = time.perf_counter()
    result = execute(plan, payload, out, engine=engine)
    return result, time.perf_counter() - started


def rate(result: RunResult) -> float:
    return result.counters.samples / result.loop_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenes", type=int, default=320)
    parser.add_argument("--latency-ms", type=int, default=600, help="per model call")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    import ray

    settings = config(args.scenes, args.latency_ms, args.batch_size)
    with tempfile.TemporaryDirectory() as folder:
        local, local_wall = one(settings, Path(folder) / "local")
        started = time.perf_counter()
        ray.init(
            num_cpus=args.workers,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
        cluster_s = time.perf_counter() - started
        engine = ray_engine(RayOptions("local", workers=args.workers))
        distributed, ray_wall = one(settings, Path(folder) / "ray", engine)
        ray.shutdown()
        same = (local.root / "certificates.csv").read_bytes() == (
            distributed.root / "certificates.csv"
        ).read_bytes()
    print(
        f"sweep: {local.counters.samples} scenes x 4 questions, 800x450, "
        f"model call {args.latency_ms} ms per batch of {args.batch_size} scenes"
    )
    print(
        f"local, 1 worker : {rate(local):6.2f} scenes/s in the loop "
        f"(render busy {local.render_s:.1f} s, model {local.model_s:.1f} s, "
        f"wall {local_wall:.1f} s)"
    )
    print(
        f"ray, {args.workers} workers: {rate(distributed):6.2f} scenes/s in the loop "
        f"(wall {ray_wall:.1f} s, {ray_wall - distributed.loop_s:.1f} s of it outside the "
        f"loop: actors' start and certification; cluster start {cluster_s:.1f} s before)"
    )
    print(f"throughput ratio ray/local: {rate(distributed) / rate(local):.2f}x")
    print(f"certificates identical: {same}")


if __name__ == "__main__":
    main()
