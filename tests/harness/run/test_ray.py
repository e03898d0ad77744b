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
    # a judge of set errors: the actors open it from its spec and judge as the driver would
    path = write_sweep(tmp_path, sequential=True, n_max=40, judge="scripted:shy=0.3&bold=0.5")
    sweep_in(path, tmp_path / "local")
    engines: list[RayEngine] = []
    result = sweep_in(path, tmp_path / "ray", engines)
    local = (tmp_path / "local" / "certificates.csv").read_bytes()
    assert (tmp_path / "ray" / "certificates.csv").read_bytes() == local
    assert result.counters.samples > 0 and len(engines[0]._pools) == 2  # one pool per model
    used = {name: stored_frames(tmp_path / name) for name in ("local", "ray")}
    assert used["ray"] == used["local"]  # the same pixels, bit for bit
    assert all((tmp_path / "ray" / "frames" / f"{sha}.png").is_file() for sha in used["ray"])
    judged = {name: judge_columns(tmp_path / name) for name in ("local", "ray")}
    assert judged["ray"] == judged["local"] == {("scripted:shy=0.3&bold=0.5", "scripted-judge-1")}


def judge_columns(out: Path) -> set[tuple[str, str]]:
    with Store.open(out / "results.duckdb") as store:
        table = store.frame(["judge", "judge_revision"])
    return set(zip(table["judge"], table["judge_revision"], strict=True))


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


def test_each_worker_gets_its_own_carla_server_even_with_the_environment_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from harness.render import RenderSettings
    from harness.run._ray import WorkerSetup, _resolved_server

    monkeypatch.setenv("DRIVECERT_CARLA_PORT", "3000")
    monkeypatch.setenv("DRIVECERT_CARLA_HOST", "10.0.0.7")
    base = _resolved_server(RenderSettings(server_port=2000))
    assert (base.server_host, base.server_port) == ("10.0.0.7", 3000)
    setups = [
        WorkerSetup("scripted:oracle", None, "carla", base, (), None, slot=i) for i in range(3)
    ]  # type: ignore[arg-type]
    assert [s.carla_settings([]).server_port for s in setups] == [3000, 3003, 3006]
    assert setups[0].carla_settings(["2"]).server_port == 3006  # the GPU it holds on its node


@pytest.mark.parametrize(
    ("workers", "per", "gpus", "cpus", "expected"),
    [
        (None, None, 4.0, 32.0, (1.0, 4)),
        (None, 2.0, 4.0, 32.0, (2.0, 2)),
        (None, None, 0.0, 2.0, (0.0, 2)),
        (3, 2.0, 4.0, 32.0, "need 6 GPUs"),
        (None, 1.0, 0.0, 8.0, "cluster has 0"),
        (4, None, 0.0, 2.0, "need 4 CPUs"),
    ],
)
def test_workers_that_cannot_all_be_placed_are_refused_in_one_line(
    workers: int | None, per: float | None, gpus: float, cpus: float, expected: Any
) -> None:
    from drivecert import UsageError
    from harness.run._ray import worker_shape

    options = RayOptions("local", workers, per)
    if isinstance(expected, tuple):
        assert worker_shape(options, gpus, cpus) == expected
    else:
        with pytest.raises(UsageError, match=expected):
            worker_shape(options, gpus, cpus)


def test_a_worker_killed_while_it_loads_is_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.run import _ray as module

    pool = module.RayWorkers([None, None], 0.0, Path("."))  # type: ignore[list-item]
    launches: list[int] = []
    outcomes = iter([module._Died(), {"pid": 1}, {"pid": 2}])

    def ready(slot: Any) -> dict[str, Any]:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        described = {"model_id": "m", "revision": "r", "judge_id": "rules", "judge_revision": "j"}
        return {**outcome, **described, "renderer": None}

    monkeypatch.setattr(pool, "_launch", lambda slot: launches.append(1))
    monkeypatch.setattr(pool, "_ready", ready)
    pool.start()
    assert len(launches) == 3 and pool.replaced == 1 and pool.model_id == "m"
