"""Reproduce Lumos's driving study (PLDI 2026) and set our improvements beside it.

    .venv/bin/python scripts/reproduce_paper.py [--out runs/lumos_driving]
        [--renderer embedded|carla] [--ray [ADDRESS]] [--workers N]
    .venv/bin/python scripts/reproduce_paper.py --smoke     # offline, a few minutes

Three sweeps, on the same scene program and seed (so the same scenes), sharing one
response cache (so, run locally, no question is asked twice; Ray workers do not use it):

1. ``published/``: ``configs/lumos_driving.yaml`` as published: obstacle_ahead and
   right_turn, ClearNoon against HardRainNoon, the three yes/no questions, Qwen2-VL-7B and
   LLaVA-1.5-7B, n = 200, Clopper-Pearson at delta = 0.05, "incorrect or unsafe".
2. ``sequential/``: the same, stopping each cell once its beta-binomial confidence
   sequence decides (the first scenes of each cell are the published run's, from cache).
3. ``extended/``: ``configs/lumos_driving_extended.yaml``: night and fog, left turns and
   traffic lights, Qwen2.5-VL and Qwen3-VL.

``paper/`` then holds the paper's table (per question and condition, lower and upper
bound per model, each interval at 95% as the paper reports them), and beside it: the
family-wise bounds on the same counts, the sequential run's queries saved, the split of
wrong answers into unsafe and over-cautious, the extended sweep, and a figure.

``--smoke`` runs the same pipeline offline: tiny random checkpoints stand in for the 7B
models (built by scripts/make_tiny_models.py), a known-answer scripted model joins the
extended sweep, scenes are small and n is small. Its numbers mean nothing about any real
model; it checks that everything runs and lands where it should.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import binomial_interval, per_condition_delta  # noqa: E402
from drivecert import UsageError, write_atomic  # noqa: E402
from harness.run._plan import SweepPlan  # noqa: E402
from harness.run._session import RunResult, execute  # noqa: E402
from harness.run._sweep import (  # noqa: E402
    SweepConfig,
    read_sweep,
    resolved_scenarios,
    sweep_plan,
)
from harness.store import Store  # noqa: E402

PUBLISHED = ROOT / "configs" / "lumos_driving.yaml"
EXTENDED = ROOT / "configs" / "lumos_driving_extended.yaml"
#: The paper's level: each interval at 95%, as Lumos reports them (no family-wise control).
PAPER_DELTA = 0.05
#: What --smoke changes: small frames, few scenes, short answers.
SMOKE: dict[str, Any] = {
    "render": {"width": 224, "height": 126},
    "decoding": {"max_new_tokens": 8, "max_pixels": 224 * 224},
    "figures": False,
}
SMOKE_N = {"published": 20, "extended": 60}
#: A known-answer model in the smoke run's extended sweep: wrong 5% of the time, 90% in
#: heavy rain and 60% in dense fog.
SMOKE_SCRIPTED = (
    "scripted:noisy?error=0.05&weather.HardRainNoon=0.9&weather.DenseFogNoon=0.6&style=free"
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("runs/lumos_driving"))
    parser.add_argument("--smoke", action="store_true", help="offline, tiny models, small n")
    parser.add_argument("--renderer", default=None, help="embedded (default) or carla")
    parser.add_argument("--ray", nargs="?", const="local", default=None, help="Ray address")
    parser.add_argument("--workers", type=int, default=None, help="Ray workers")
    parser.add_argument("--config", type=Path, default=PUBLISHED)
    parser.add_argument("--extended", type=Path, default=EXTENDED)
    parser.add_argument("--quiet", action="store_true", help="no progress table")
    return parser.parse_args(argv)


def tiny_models() -> dict[str, str]:
    """Specs of the tiny checkpoints, built once into the drivecert cache."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_tiny_models

    return {
        family: "hf:"
        + str(make_tiny_models.build_tiny_model(family, make_tiny_models.tiny_model_dir(family)))
        for family in ("qwen2-vl", "qwen2.5-vl", "qwen3-vl", "llava")
    }


def smoke_models(models: list[str], tiny: dict[str, str]) -> list[str]:
    """Each published model's tiny stand-in (same family)."""
    out = []
    for spec in models:
        name = spec.lower()
        family = next(
            (f for f in ("qwen2.5-vl", "qwen3-vl", "qwen2-vl", "llava") if f in name), None
        )
        out.append(tiny[family] if family else spec)
    return list(dict.fromkeys(out))


def changed(config: SweepConfig, **changes: Any) -> SweepConfig:
    """``config`` with ``changes`` (nested settings merged), validated again."""
    values = config.model_dump()
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(values.get(key), dict):
            value = {**values[key], **value}
        values[key] = value
    return SweepConfig.model_validate(values)


def run_sweep(config: SweepConfig, out: Path, args: argparse.Namespace) -> RunResult:
    """One sweep into ``out`` (resumed when it exists), locally or on Ray."""
    from rich.console import Console

    plan = sweep_plan(config, str(out))
    payload = config.fingerprint_payload(resolved_scenarios(plan))
    engine = None
    if args.ray is not None:
        from harness.run._ray import RayOptions, ray_engine

        engine = ray_engine(RayOptions(args.ray, args.workers))
    console = None if args.quiet else Console(stderr=True)
    return execute(plan, payload, out, console=console, engine=engine)


# -- the paper's tables -------------------------------------------------------------------
def counts(store_path: Path) -> pd.DataFrame:
    """Per (scenario, model, question, condition): n answered, wrong, unsafe, over-cautious,
    unparseable."""
    with Store.open(store_path) as store:
        rows = store.frame(["scenario", "model", "question", "condition", "status", "outcome"])
    ok = rows[rows["status"] == "ok"]
    grouped = ok.groupby(["scenario", "model", "question", "condition"], sort=False)["outcome"]
    table = grouped.agg(
        n="size",
        wrong=lambda s: int((s != "correct").sum()),
        unsafe=lambda s: int((s == "unsafe").sum()),
        over_cautious=lambda s: int((s == "over_cautious").sum()),
        unparseable=lambda s: int((s == "unparseable").sum()),
    )
    return table.reset_index()


def weather(condition: str) -> str:
    """``weather=HardRainNoon`` -> ``HardRainNoon`` (other variables kept after it)."""
    parts = dict(p.split("=", 1) for p in condition.split(",") if "=" in p)
    rest = [f"{k}={v}" for k, v in parts.items() if k != "weather"]
    return " ".join([parts.get("weather", condition), *rest])


def published_table(
    table: pd.DataFrame, delta: float, sweep: SweepPlan, key: str = "wrong"
) -> pd.DataFrame:
    """The paper's layout: a row per (scenario, question, weather), per model n, lower and
    upper, each interval two-sided Clopper-Pearson at ``delta``."""
    records = []
    for row in table.itertuples(index=False):
        interval = binomial_interval(int(getattr(row, key)), int(row.n), delta, "clopper-pearson")
        records.append({**cell_of(row), "lower": interval.lower, "upper": interval.upper})
    return widen(pd.DataFrame(records), ["n", "lower", "upper"], sweep)


def cell_of(row: Any) -> dict[str, Any]:
    """The keys of a row of :func:`counts` in the paper's terms, and its n."""
    return {
        "scenario": row.scenario,
        "question": row.question,
        "weather": weather(str(row.condition)),
        "model": short(str(row.model)),
        "n": int(row.n),
    }


def widen(long: pd.DataFrame, values: list[str], sweep: SweepPlan) -> pd.DataFrame:
    """Models across, as (model, value) columns, in the sweep's order; a row per scenario,
    question and weather, in the sweep's order."""
    index = ["scenario", "question", "weather"]
    wide = long.pivot_table(
        index=index, columns="model", values=values, aggfunc="first", sort=False
    )
    wide = wide.swaplevel(0, 1, axis=1)
    models = [short(m) for m in sweep.models()]
    wide = wide.reindex(columns=pd.MultiIndex.from_product([models, values]))
    rows = []
    for plan in sweep.plans[: len(sweep.units_of(sweep.models()[0]))]:
        rows += [(plan.scenario.name, q, weather(c)) for q in plan.questions for c in plan.labels]
    return wide.reindex(pd.MultiIndex.from_tuples(rows, names=index))


def short(model: str) -> str:
    """A model's name without its organisation or folder."""
    return model.rstrip("/").split("/")[-1].split("?")[0]


def certificates_table(root: Path, values: list[str], sweep: SweepPlan) -> pd.DataFrame:
    """A run's certificates in the paper's layout."""
    table = pd.read_csv(root / "certificates.csv", keep_default_na=False)
    table = table.assign(weather=table["condition"].map(weather), model=table["model"].map(short))
    return widen(table, values, sweep)


def split_table(table: pd.DataFrame, delta: float, sweep: SweepPlan) -> pd.DataFrame:
    """Wrong answers split into unsafe and over-cautious (and unparseable), with upper
    bounds family-wise over both events of every cell (Clopper-Pearson, Bonferroni)."""
    each = per_condition_delta(delta, 2 * len(table))
    records = []
    for row in table.itertuples(index=False):
        unsafe = binomial_interval(int(row.unsafe), int(row.n), each, "clopper-pearson")
        cautious = binomial_interval(int(row.over_cautious), int(row.n), each, "clopper-pearson")
        records.append(
            {
                **cell_of(row),
                "unsafe": int(row.unsafe),
                "over_cautious": int(row.over_cautious),
                "unparseable": int(row.unparseable),
                "unsafe_upper": unsafe.upper,
                "over_cautious_upper": cautious.upper,
            }
        )
    values = ["n", "unsafe", "over_cautious", "unparseable", "unsafe_upper", "over_cautious_upper"]
    return widen(pd.DataFrame(records), values, sweep)


def write_table(table: pd.DataFrame, folder: Path, name: str, title: str) -> None:
    """``name.md`` (with ``title``), ``name.csv`` and ``name.tex``."""
    flat = table.copy()
    flat.columns = [f"{model} {value}" for model, value in flat.columns]
    flat = flat.reset_index()
    numeric = flat.select_dtypes("float").columns
    shown = flat.assign(**{c: flat[c].map(lambda v: f"{v:.3f}") for c in numeric})
    write_atomic(folder / f"{name}.md", f"{title}\n\n{shown.to_markdown(index=False)}\n")
    write_atomic(folder / f"{name}.csv", flat.to_csv(index=False, float_format="%.6f"))
    latex = table.to_latex(float_format="%.3f", multicolumn=True, escape=True)
    write_atomic(folder / f"{name}.tex", latex)


def figure(published: pd.DataFrame, familywise: pd.DataFrame, out: Path) -> list[Path]:
    """Per cell and model: the rate with its paper interval (thin) and the family-wise one
    (thick), so the cost of a statement that holds for every cell at once shows."""
    cells = [" / ".join(str(x) for x in index) for index in published.index]
    models = list(dict.fromkeys(published.columns.get_level_values(0)))
    fig = Figure(figsize=(max(7.0, 0.55 * len(cells) * len(models)), 4.2), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / max(len(models), 1)
    for m, model in enumerate(models):
        x = np.arange(len(cells)) + (m - (len(models) - 1) / 2) * width
        for table, line, alpha in ((familywise, 7, 0.35), (published, 2, 1.0)):
            lower = table[(model, "lower")].to_numpy(float)
            upper = table[(model, "upper")].to_numpy(float)
            ax.vlines(x, lower, upper, linewidth=line, alpha=alpha, color=f"C{m}")
        ax.plot([], [], color=f"C{m}", linewidth=4, label=model)
    ax.set_xticks(np.arange(len(cells)), cells, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(incorrect or unsafe)")
    ax.set_title("Thin: each interval at 95% (as published). Thick: 95% for all cells at once.")
    ax.legend(fontsize=8, loc="upper left")
    written = []
    for suffix in ("png", "pdf"):
        path = out / f"figure_bounds.{suffix}"
        fig.savefig(
            path,
            dpi=130,
            metadata={"Software": None, "CreationDate": None}
            if suffix == "pdf"
            else {"Software": None},
        )
        written.append(path)
    return written


def queries_line(result: RunResult, n_max: int) -> str:
    summary = result.summary
    stored, fixed = summary["queries"], summary["queries_fixed_n"]
    saved = 100.0 * (fixed - stored) / fixed if fixed else 0.0
    return (
        f"{stored} queries against {fixed} at fixed n = {n_max} ({saved:.1f}% saved); "
        f"{sum(c['stopped'] == 'decided' for c in summary['cells'])} of "
        f"{len(summary['cells'])} cells decided before n_max"
    )


def write_paper(
    out: Path,
    published: RunResult,
    sequential: RunResult,
    extended: RunResult,
    configs: dict[str, SweepConfig],
    seconds: float,
) -> dict[str, Path]:
    """The paper's tables and our improvements, in ``out/paper``."""
    folder = out / "paper"
    folder.mkdir(parents=True, exist_ok=True)
    table = counts(published.root / "results.duckdb")
    paper = published_table(table, PAPER_DELTA, published.sweep)
    config = configs["published"]
    k = published.sweep.family
    write_table(
        paper,
        folder,
        "table1_published",
        "**Table 1, as published.** P(incorrect or unsafe) per question and condition: "
        f"n scenes, two-sided Clopper-Pearson bounds, each interval at "
        f"{100 * (1 - PAPER_DELTA):g}% on its own (no family-wise control).",
    )
    decided = ["n", "lower", "upper", "decision"]
    familywise = certificates_table(published.root, decided, published.sweep)
    write_table(
        familywise,
        folder,
        "table2_familywise",
        f"**Table 2, ours: family-wise.** The same counts; the bounds hold for all {k} cells "
        f"at once at {100 * (1 - config.delta):g}% (Bonferroni), decided against "
        f"P {config.spec}.",
    )
    write_table(
        certificates_table(sequential.root, decided, sequential.sweep),
        folder,
        "table3_sequential",
        "**Table 3, ours: sequential.** Each cell stops once its beta-binomial confidence "
        "sequence decides (anytime-valid, family-wise): "
        + queries_line(sequential, config.n_max)
        + ".",
    )
    write_table(
        split_table(table, config.delta, published.sweep),
        folder,
        "table4_split",
        "**Table 4, ours: what the wrong answers were.** Unsafe (the opposite of the safe "
        "answer), over-cautious (a safe but wrong answer) and unparseable; upper bounds "
        f"family-wise over both events of all {k} cells at {100 * (1 - config.delta):g}%.",
    )
    write_table(
        certificates_table(extended.root, decided, extended.sweep),
        folder,
        "table5_extended",
        "**Table 5, ours: more weather, maneuvers and models** (sequential, family-wise over "
        f"all {extended.sweep.family} cells; "
        + queries_line(extended, configs["extended"].n_max)
        + ").",
    )
    figures = figure(paper, familywise, folder)
    summary = {
        "published": str(published.root),
        "sequential": str(sequential.root),
        "extended": str(extended.root),
        "models": {name: c.models for name, c in configs.items()},
        "queries": {
            name: r.summary["queries"]
            for name, r in (
                ("published", published),
                ("sequential", sequential),
                ("extended", extended),
            )
        },
        "queries_fixed_n": {
            name: r.summary["queries_fixed_n"]
            for name, r in (
                ("published", published),
                ("sequential", sequential),
                ("extended", extended),
            )
        },
        "wall_s": round(seconds, 1),
    }
    write_atomic(folder / "summary.json", json.dumps(summary, indent=2) + "\n")
    return {"folder": folder, **{p.name: p for p in figures}}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.perf_counter()
    try:
        published = read_sweep(args.config)
        extended = read_sweep(args.extended)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    shared: dict[str, Any] = {"cache": str(args.out / "cache" / "responses.sqlite")}
    if args.renderer:
        shared["renderer"] = args.renderer
    if args.smoke:
        tiny = tiny_models()
        published = changed(
            published,
            **SMOKE,
            models=smoke_models(published.models, tiny),
            n_max=SMOKE_N["published"],
        )
        extended = changed(
            extended,
            **SMOKE,
            models=[tiny["qwen2.5-vl"], tiny["qwen3-vl"], SMOKE_SCRIPTED],
            n_max=SMOKE_N["extended"],
        )
    configs = {
        "published": changed(published, **shared),
        "sequential": changed(published, **shared, sequential=True, method="beta-binomial"),
        "extended": changed(extended, **shared),
    }
    results = {}
    for name, config in configs.items():
        print(f"== {name}: {len(config.models)} models x {len(config.scenarios)} scenarios")
        results[name] = run_sweep(config, args.out / name, args)
    written = write_paper(
        args.out,
        results["published"],
        results["sequential"],
        results["extended"],
        configs,
        time.perf_counter() - started,
    )
    print((written["folder"] / "table1_published.md").read_text(encoding="utf-8"))
    print(f"paper tables and figure: {written['folder']}")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
