"""Shared pieces of the run-loop tests: small runs of the real pipeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from harness.run import RunResult, build_config, run
from harness.store import Store

#: Small frames keep the real renderer fast, and figures (a second or two each run) are
#: drawn only where a test looks at them; everything else is the real pipeline.
SMALL = {"render": {"width": 96, "height": 54}, "figures": False, "report": False}


def settings(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "scenario": "right_turn",
        "model": "scripted:oracle",
        "conditions": "weather=ClearNoon,control=light_red;weather=HardRainNoon,control=light_red",
        "n_max": 6,
        "seed": 3,
        **SMALL,
    }
    base.update(overrides)
    return base


def _run_settings(out: Path, **overrides: Any) -> RunResult:
    hooks = overrides.pop("hooks", None)
    force_new = overrides.pop("force_new", False)
    config = build_config(settings(**overrides), {}, "test")
    kwargs: dict[str, Any] = {"force_new": force_new}
    if hooks is not None:
        kwargs["hooks"] = hooks
    return run(config, out, **kwargs)


def _stored(out: Path) -> pd.DataFrame:
    """The store without the columns that legitimately differ between runs."""
    with Store.open(out / "results.duckdb") as store:
        table = store.frame()
    return table.drop(columns=["latency_s", "time"])


@pytest.fixture
def tmp_run(tmp_path: Path) -> Path:
    return tmp_path / "run"


@pytest.fixture
def run_settings() -> Callable[..., RunResult]:
    """``run_settings(out, **overrides)``: run the small default settings with overrides."""
    return _run_settings


@pytest.fixture
def stored() -> Callable[[Path], pd.DataFrame]:
    """``stored(out)``: the run's store without latency and time columns."""
    return _stored
