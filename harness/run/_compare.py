"""``drivecert compare``: several runs' certificates side by side, and paired differences.

Each run is certified again from its own store with its own settings (so nothing is
parsed back from a file), then:

- ``certificates.csv``: every certificate with a ``run`` column;
- ``compare.md``: one row per (scenario, question, condition), one column per run;
- ``figures/forest.{png,pdf}``: every run's interval per condition, one colour per run;
- ``paired.csv``: for two runs of the same scenario and base seed (the same scenes), the
  paired difference p_B - p_A per cell from the samples both answered, by the betting
  confidence sequence (anytime-valid when either run stopped sequentially), family-wise
  over every cell and pair of runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import (
    Certificate,
    Spec,
    certify,
    forest_plot,
    paired_difference_bounds,
    side_by_side,
)
from drivecert import UsageError, publish, write_atomic
from harness.run._export import run_rows
from harness.run._rundir import read_run_config
from harness.run._sweep import plan_defaults, stored_plan

OUTPUTS = ("certificates.csv", "compare.md", "paired.csv", "figures")


@dataclass(frozen=True)
class ComparedRun:
    """One run of a comparison."""

    root: Path
    label: str
    settings: dict[str, Any]
    rows: pd.DataFrame
    certificates: list[Certificate]


def load_runs(roots: Sequence[Path]) -> list[ComparedRun]:
    """Each run's rows and certificates, labelled by model (and folder when models repeat).

    Raises:
        UsageError: for fewer than two runs, a folder that holds no run, or runs that
            certify different events.
    """
    if len(roots) < 2:
        raise UsageError("compare needs two or more run directories")
    loaded = []
    for root in roots:
        stored = read_run_config(root)
        if stored is None:
            raise UsageError(f"{root} holds no drivecert run (no config.yaml); give run folders")
        if "models" in stored["settings"]:
            raise UsageError(
                f"{root} is a sweep, whose report and safety table already set its models side "
                "by side; compare runs of drivecert run"
            )
        plan = stored_plan(root)
        defaults = plan_defaults(plan)
        rows = run_rows(root, plan)
        certificates = certify(
            rows,
            Spec.parse(defaults["spec"]),
            defaults["delta"],
            defaults["method"],
            defaults["multiplicity"],
            event=defaults["event"],
        )
        loaded.append((root, stored["settings"], rows, certificates))
    events = {settings.get("event", "unsafe") for _, settings, _, _ in loaded}
    if len(events) > 1:
        raise UsageError(
            f"the runs certify different events ({', '.join(sorted(events))}); compare runs "
            "of one event"
        )
    models = [str(settings["model"]) for _, settings, _, _ in loaded]
    runs = []
    for (root, settings, rows, certificates), model in zip(loaded, models, strict=True):
        label = model if models.count(model) == 1 else f"{model} ({root.name})"
        relabelled = [replace(c, model=label) for c in certificates]
        runs.append(ComparedRun(root, label, settings, rows, relabelled))
    return runs


def compare(roots: Sequence[Path], out: Path) -> dict[str, Path]:
    """Write the comparison of ``roots`` into ``out``; returns the files by name."""
    runs = load_runs(roots)
    spec = Spec.parse(str(runs[0].settings["spec"]))

    def build(staging: Path) -> dict[str, Path]:
        written = {
            "certificates": write_atomic(
                staging / "certificates.csv", long_table(runs).to_csv(index=False)
            ),
            "table": write_atomic(staging / "compare.md", wide_markdown(runs)),
        }
        paired = paired_differences(runs)
        if not paired.empty:
            written["paired"] = write_atomic(
                staging / "paired.csv", paired.to_csv(index=False, float_format="%.10g")
            )
        certificates = [c for run in runs for c in run.certificates]
        for path in forest_plot(certificates, staging / "figures", spec, name="forest"):
            written[f"forest_{path.suffix[1:]}"] = path
        return {name: out / path.relative_to(staging) for name, path in written.items()}

    return publish(out, build, OUTPUTS)


def long_table(runs: Sequence[ComparedRun]) -> pd.DataFrame:
    """Every certificate of every run, with the run's folder and label."""
    frames = []
    for run in runs:
        table = pd.DataFrame([c.to_row() for c in run.certificates])
        frames.append(table.assign(run=str(run.root), label=run.label))
    return pd.concat(frames, ignore_index=True)


def wide_markdown(runs: Sequence[ComparedRun]) -> str:
    """One row per (scenario, question, condition), one column per run."""
    table = side_by_side([c for run in runs for c in run.certificates])
    spec = runs[0].settings["spec"]
    title = f"**Certificates side by side** (spec {spec}, each run's own method and delta)"
    return f"{title}\n\n{table.to_markdown(index=False)}\n"


def paired_differences(runs: Sequence[ComparedRun]) -> pd.DataFrame:
    """p_B - p_A per shared cell, for every pair of runs that drew the same scenes."""
    pairs = [
        (a, b)
        for a, b in itertools.combinations(runs, 2)
        if a.settings["scenario"] == b.settings["scenario"]
        and a.settings["seed"] == b.settings["seed"]
    ]
    event = str(runs[0].settings.get("event", "unsafe"))
    shared = []
    for a, b in pairs:
        keys = ["question", "condition", "sample"]
        ok_a = a.rows[a.rows["status"] == "ok"][[*keys, event]]
        ok_b = b.rows[b.rows["status"] == "ok"][[*keys, event]]
        merged = ok_a.merge(ok_b, on=keys, suffixes=("_a", "_b")).sort_values(keys)
        for (question, condition), cell in merged.groupby(["question", "condition"], sort=False):
            shared.append((a, b, str(question), str(condition), cell))
    if not shared:
        return pd.DataFrame()
    delta = float(runs[0].settings["delta"])
    each = delta / len(shared)
    rows = []
    for a, b, question, condition, cell in shared:
        anytime = bool(a.settings.get("sequential") or b.settings.get("sequential"))
        first = cell[f"{event}_a"].astype(bool).tolist()
        second = cell[f"{event}_b"].astype(bool).tolist()
        lower, upper = paired_difference_bounds(first, second, each, anytime=anytime)
        rows.append(
            {
                "scenario": a.settings["scenario"],
                "question": question,
                "condition": condition,
                "run_a": a.label,
                "run_b": b.label,
                "pairs": len(cell),
                f"{event}_a": sum(first),
                f"{event}_b": sum(second),
                "difference": (sum(second) - sum(first)) / len(cell),
                "lower": lower,
                "upper": upper,
                "delta": delta,
                "method": f"betting{'' if anytime else ' (fixed n)'}+bonferroni(K={len(shared)})",
            }
        )
    return pd.DataFrame(rows)
