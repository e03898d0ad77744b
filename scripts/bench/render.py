"""Embedded-renderer benchmark: frames per second and peak memory.

Renders distinct scenes (a fresh scene every frame, cycling through every scenario and
its default conditions, so static-mesh caches are exercised as in a sweep) and prints,
per backend and resolution, frames/s and the process's peak resident memory; then
renders a long run and prints resident memory every few hundred frames to show growth.

Each configuration runs in a fresh child process pinned to one core (llvmpipe's
threads included), so numbers are single-core and backends do not share a process.

    .venv/bin/python scripts/bench/render.py            # 800x450 + 1920x1080, both backends
    .venv/bin/python scripts/bench/render.py --long 2000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def scenes(count: int) -> list:  # type: ignore[type-arg]
    from scenarios import list_scenarios

    out = []
    pool = [(s, c) for s in list_scenarios() for c in s.default_conditions()]
    for k in range(count):
        scenario, condition = pool[k % len(pool)]
        out.append(scenario.sample(condition, k // len(pool), 0))
    return out


def child(backend: str, width: int, height: int, frames: int, long_run: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    from harness.render import RenderSettings
    from harness.render._embedded import EmbeddedRenderer

    renderer = EmbeddedRenderer(RenderSettings(width=width, height=height, backend=backend))
    warm = scenes(120)
    for scene in warm:  # warm-up: build every static mesh once
        renderer.render(scene)
    batch = scenes(frames)
    start = time.perf_counter()
    for scene in batch:
        renderer.render(scene)
    elapsed = time.perf_counter() - start
    result = {
        "backend": renderer.backend,
        "driver": renderer.driver,
        "size": f"{width}x{height}",
        "frames": frames,
        "fps": frames / elapsed,
        "ms_per_frame": 1000 * elapsed / frames,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if long_run:
        trace = []
        long_batch = scenes(long_run)
        for k, scene in enumerate(long_batch, start=1):
            renderer.render(scene)
            if k % max(long_run // 10, 1) == 0:
                trace.append((k, round(rss_mib(), 1)))
        result["rss_trace_mib"] = trace
    renderer.close()
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300, help="timed frames per config")
    parser.add_argument("--long", type=int, default=2000, help="frames in the memory run")
    parser.add_argument("--backends", default="gl,software")
    parser.add_argument("--sizes", default="800x450,1920x1080")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        backend, width, height, frames, long_run = args.child
        child(backend, int(width), int(height), int(frames), int(long_run))
        return
    print(f"{'backend':<9}{'size':<11}{'fps':>8}{'ms/frame':>10}{'peak MiB':>10}  driver")
    for backend in args.backends.split(","):
        for size in args.sizes.split(","):
            width, height = size.split("x")
            long_run = args.long if size == "800x450" else 0
            command = [sys.executable, __file__, "--child", backend, width, height]
            command += [str(args.frames), str(long_run)]
            proc = subprocess.run(command, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{backend:<9}{size:<11} failed: {proc.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(
                f"{r['backend']:<9}{r['size']:<11}{r['fps']:>8.1f}{r['ms_per_frame']:>10.2f}"
                f"{r['peak_rss_mib']:>10.0f}  {r['driver']}"
            )
            if "rss_trace_mib" in r:
                trace = r["rss_trace_mib"]
                growth = trace[-1][1] - trace[0][1]
                points = ", ".join(f"{k}: {m}" for k, m in trace)
                print(f"{'':<20}RSS over {args.long} frames (MiB) {points}; growth {growth:+.1f}")


if __name__ == "__main__":
    main()
