"""What protects a run directory: one run at a time, its own store, Ctrl-C keeps work."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from drivecert import UsageError
from harness.run import Hooks, Scheduler, build_config, make_plan
from harness.run._pipeline import Counters
from harness.run._progress import LiveTable
from harness.run._rundir import RunDir
from models import open_model


def test_a_directory_in_use_by_another_run_is_refused(tmp_run: Path, run_settings) -> None:
    run_settings(tmp_run, n_max=2)
    with RunDir(tmp_run).lock(), pytest.raises(UsageError, match="in use by another"):
        run_settings(tmp_run, n_max=2)


def test_a_store_from_another_configuration_is_refused(tmp_path: Path, run_settings) -> None:
    run_settings(tmp_path / "a", n_max=2)
    run_settings(tmp_path / "b", n_max=3)
    (tmp_path / "b" / "results.duckdb").replace(tmp_path / "a" / "results.duckdb")
    with pytest.raises(UsageError, match="written by another configuration"):
        run_settings(tmp_path / "a", n_max=2)


class Interrupting:
    """Answers two batches, then the user presses Ctrl-C."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.calls = inner, 0
        self.model_id, self.revision = inner.model_id, inner.revision

    def generate(self, queries, decoding):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 3:
            raise KeyboardInterrupt
        return self.inner.generate(queries, decoding)

    def close(self) -> None:
        self.inner.close()


def test_ctrl_c_keeps_every_judged_batch_and_the_rerun_finishes_the_same(
    tmp_path: Path, run_settings, stored
) -> None:
    hooks = Hooks(open_model=lambda spec, options: Interrupting(open_model(spec, options)))
    common = dict(model="scripted:noisy?error=0.3", batch_size=2, n_max=8)
    with pytest.raises(KeyboardInterrupt):
        run_settings(tmp_path / "cut", hooks=hooks, **common)
    assert len(stored(tmp_path / "cut")) == 2 * 2 * 6  # two batches of two scenes, 6 questions
    run_settings(tmp_path / "cut", **common)
    run_settings(tmp_path / "whole", **common)
    assert (tmp_path / "cut" / "certificates.csv").read_bytes() == (
        tmp_path / "whole" / "certificates.csv"
    ).read_bytes()


def test_the_live_table_shows_every_cell_and_the_rate(tmp_path: Path) -> None:
    config = build_config(
        {"scenario": "right_turn", "model": "scripted:oracle", "sequential": True}, {}, "t"
    )
    scheduler = Scheduler(make_plan(config))
    scheduler.next_batch(4)
    console = Console(record=True, width=160, height=200)
    import threading

    console.print(LiveTable([scheduler], Counters(samples=4), threading.Lock()))
    text = console.export_text()
    assert "right_turn" in text and "0/120 cells stopped" in text
    assert text.count("stop_needed") == 20 and "running" in text
    small = Console(record=True, width=160, height=20)
    small.print(LiveTable([scheduler], Counters(), threading.Lock()))
    assert "more cells not shown" in small.export_text()


@pytest.mark.parametrize("force_new", [False, True])
def test_a_folder_that_is_not_a_run_is_never_written_to(
    tmp_path: Path, run_settings, force_new: bool
) -> None:
    folder = tmp_path / "project"
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "mine.csv").write_text("keep")
    (folder / "config.yaml").write_text("learning_rate: 0.1\n")  # someone else's config
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    with pytest.raises(UsageError, match="holds no drivecert run"):
        run_settings(folder, n_max=2, force_new=force_new)
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
    assert (folder / "tables" / "mine.csv").read_text() == "keep"


def test_a_run_killed_while_writing_its_first_config_starts_again(
    tmp_path: Path, run_settings
) -> None:
    """SIGKILL inside the atomic write of the first config.yaml leaves its temporary file
    (found by test_kill_resume[search]): the directory is still the run's own."""
    out = tmp_path / "run"
    (out / "frames").mkdir(parents=True)
    (out / ".config.yaml.3dq_s1bc.tmp").write_text("scenario: right_")  # cut mid-write
    run_settings(out, n_max=2)
    assert (out / "config.yaml").is_file() and (out / "certificates.csv").is_file()
    assert not list(out.glob(".*.tmp"))  # the leftover is removed under the lock
    other = tmp_path / "other"
    other.mkdir()
    (other / ".notes.txt.tmp").write_text("someone else's")
    with pytest.raises(UsageError, match="holds no drivecert run"):
        run_settings(other, n_max=2)


def test_a_run_that_appears_while_the_model_loads_is_not_overwritten(
    tmp_path: Path, run_settings, stored
) -> None:
    out = tmp_path / "run"

    def slow_load(spec, options):  # type: ignore[no-untyped-def]
        run_settings(out, n_max=2)  # another process finishes a run in the same place
        return open_model(spec, options)

    with pytest.raises(UsageError, match=r"other settings \(n_max: 2 -> 3\)"):
        run_settings(out, n_max=3, hooks=Hooks(open_model=slow_load))
    assert len(stored(out)) == 2 * 6 * 2
    run_settings(out, n_max=2)  # the other run still resumes


def test_sequential_betting_with_holm_certifies_every_stop(tmp_run: Path, run_settings) -> None:
    import json

    import pandas as pd

    run_settings(
        tmp_run,
        model="scripted:noisy?error=0.05&weather.HardRainNoon=0.9",
        sequential=True,
        method="betting",
        multiplicity="holm",
        n_max=100,
    )
    cells = json.loads((tmp_run / "summary.json").read_text())["cells"]
    certificates = pd.read_csv(tmp_run / "certificates.csv")
    for cell, decision in zip(cells, certificates["decision"], strict=True):
        if cell["stopped"] == "decided":
            assert decision != "undecided", cell
