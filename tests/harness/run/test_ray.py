"""drivecert sweep --ray: a local Ray cluster on the CPU with 2 workers gives the local run's
certificates, and a worker killed mid-sweep loses nothing and duplicates nothing."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.run._ray import RayEngine, RayOptions
from harness.run._session import execute
from harness.run._sweep import read_sweep, resolved_scenarios, sweep_plan
from harness.store import Store

from .test_sweep import write_sweep

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def sweep_in(path: Path, out: Path, engines: list[RayEngine] | None = None, **kwargs: Any) -> Any:
    config = read_sweep(path)
    plan = sweep_plan(config, str(path))
    payload = config.fingerprint_payload(resolved_scenarios(plan))
    if engines is None:
        return execute(plan, payload, out, **kwargs)

    def engine(sweep: Any, run_dir: Any, hooks: Any) -> RayEngine:
        del hooks
        engines.append(RayEngine(RayOptions("local", workers=2), sweep, run_dir))
        return engines[-1]

    return execute(plan, payload, out, engine=engine, **kwargs)


def test_ray_and_local_give_identical_certificates(tmp_path: Path, cluster: None) -> None:
    path = write_sweep(tmp_path, sequential=True, n_max=40)
    sweep_in(path, tmp_path / "local")
    engines: list[RayEngine] = []
    result = sweep_in(path, tmp_path / "ray", engines)
    local = (tmp_path / "local" / "certificates.csv").read_bytes()
    assert (tmp_path / "ray" / "certificates.csv").read_bytes() == local
    assert result.counters.samples > 0 and len(engines[0]._pools) == 2  # one pool per model
    used = {name: stored_frames(tmp_path / name) for name in ("local", "ray")}
    assert used["ray"] == used["local"]  # the same pixels, bit for bit
    assert all((tmp_path / "ray" / "frames" / f"{sha}.png").is_file() for sha in used["ray"])


def stored_frames(out: Path) -> set[str]:
    with Store.open(out / "results.duckdb") as store:
        return {sha for shas in store.frame(["frames"])["frames"] for sha in shas}


def test_a_worker_killed_mid_sweep_leaves_nothing_lost_or_duplicated(
    tmp_path: Path, cluster: None
) -> None:
    path = write_sweep(tmp_path, n_max=12)
    sweep_in(path, tmp_path / "local")
    engines: list[RayEngine] = []
    killed: list[int] = []

    def kill_one(counters: Any) -> None:
        if counters.samples >= 6 and not killed:
            pool = engines[0]._pools[-1]
            killed.append(pool.pids[0])
            os.kill(pool.pids[0], signal.SIGKILL)

    sweep_in(path, tmp_path / "ray", engines, on_batch=kill_one)
    assert killed and sum(pool.replaced for pool in engines[0]._pools) >= 1
    with Store.open(tmp_path / "ray" / "results.duckdb") as store:
        assert store.duplicates() == 0
        ray_rows = store.count()
    with Store.open(tmp_path / "local" / "results.duckdb") as store:
        assert ray_rows == store.count()
    assert (tmp_path / "ray" / "certificates.csv").read_bytes() == (
        tmp_path / "local" / "certificates.csv"
    ).read_bytes()
