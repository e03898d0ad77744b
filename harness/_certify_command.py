"""``drivecert certify``: certificates, tables and figures from a verdicts table or a run.

Given a run directory (or its ``results.duckdb``), the run's own settings are the defaults
(spec, delta, method, multiplicity, event, grouping, judge labels), and a run that stopped
adaptively refuses a fixed-n interval: its n was chosen by the data. With judge labels,
the judge calibrated is the run's own (``--judge``), through the run's judge cache; a
plain verdicts table was read by the rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from drivecert import UsageError

if TYPE_CHECKING:  # the run's plans load only when a run directory is certified
    from harness.run._plan import SweepPlan

#: Defaults for a plain verdicts table.
TABLE_DEFAULTS: dict[str, Any] = {
    "spec": "<=0.5",
    "delta": 0.05,
    "method": "clopper-pearson",
    "multiplicity": "bonferroni",
    "event": "unsafe",
    "group_by": "weather,maneuver",
    "judge_labels": None,
}


def certify_command(
    verdicts: Annotated[
        Path,
        typer.Argument(
            help="Verdicts table (.csv, .jsonl or .parquet), or a run directory / its "
            "results.duckdb (whose settings are then the defaults)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")],
    spec: Annotated[
        str | None,
        typer.Option(help="Threshold on P(event): <=0.1 (safe below) or >=0.85 [<=0.5]."),
    ] = None,
    delta: Annotated[float | None, typer.Option(help="Family-wise miscoverage [0.05].")] = None,
    method: Annotated[
        str | None,
        typer.Option(
            help="clopper-pearson (fixed n, exact; the default), wilson, jeffreys; "
            "beta-binomial or betting when sampling stopped adaptively. Scenes observed by "
            "their probabilities (observe, unsafe_lb, unsafe_ub): betting-mean (their "
            "default), hoeffding, empirical-bernstein, or betting-mean-cs (adaptive)."
        ),
    ] = None,
    multiplicity: Annotated[str | None, typer.Option(help="bonferroni (default) or holm.")] = None,
    temporal: Annotated[
        str | None,
        typer.Option(help="Fold each scene's frames: always-safe or stops-before-line."),
    ] = None,
    pair_a: Annotated[
        str | None, typer.Option(help="Relational spec: condition A of paired scenes.")
    ] = None,
    pair_b: Annotated[str | None, typer.Option(help="Relational spec: condition B.")] = None,
    event: Annotated[
        str | None,
        typer.Option(
            help="unsafe (default): certify P(unsafe); wrong: P(answer not in the safe set), "
            "from the verdicts' wrong column."
        ),
    ] = None,
    group_by: Annotated[
        str | None,
        typer.Option(
            "--group-by",
            help="Two condition variables the tables and heatmap group by (rows,columns) "
            "[weather,maneuver].",
        ),
    ] = None,
    judge_labels: Annotated[
        Path | None,
        typer.Option(
            "--judge-labels",
            help="Correct for the judge: JSONL of labelled replies (kind, question, response, "
            "label) it is measured on, or 'default' for the project's own sets. Cells are "
            "certified at delta/2, the judge's accuracy at delta/2; writes judge_corrected.csv. "
            "A run's judge is the one calibrated [a run's own --judge-labels].",
        ),
    ] = None,
) -> None:
    """Certify every cell of a verdicts table or a run: certificates.csv, tables, figures."""
    from analysis import (
        ANYTIME_METHODS,
        AnalysisOptions,
        Spec,
        check_event,
        observed_by,
        parse_group_by,
        read_verdicts,
        write_analysis,
    )
    from harness.run._sweep import plan_defaults

    if (pair_a is None) != (pair_b is None):
        raise UsageError("a relational spec needs both --pair-a and --pair-b")
    store_path = verdicts / "results.duckdb" if verdicts.is_dir() else verdicts
    run = store_path.suffix == ".duckdb"
    plan = _stored_run(store_path) if run else None
    defaults = plan_defaults(plan) if plan is not None else TABLE_DEFAULTS
    given: dict[str, Any] = {
        "spec": spec,
        "delta": delta,
        "method": method,
        "multiplicity": multiplicity,
        "event": event,
        "group_by": group_by,
        "judge_labels": judge_labels,
    }
    chosen = {k: v if v is not None else defaults[k] for k, v in given.items()}
    table = _store_verdicts(store_path, plan) if plan is not None else read_verdicts(verdicts)
    if method is None and plan is None and observed_by(table) is not None:
        chosen["method"] = "betting-mean"  # the default for per-scene probabilities
    if run and defaults["sequential"] and chosen["method"] not in ANYTIME_METHODS:
        anytime = "beta-binomial or betting (betting-mean-cs for probabilities)"
        raise UsageError(
            f"{verdicts} stopped each cell on the data (--sequential), so a fixed-n interval "
            f"({chosen['method']}) would not hold; use --method {anytime}"
        )
    calibration = None
    if chosen["judge_labels"] is not None:
        calibration = _calibration(Path(chosen["judge_labels"]), store_path, plan, out)
    options = AnalysisOptions(
        judge=calibration,
        spec=Spec.parse(chosen["spec"]),
        delta=chosen["delta"],
        method=chosen["method"],
        multiplicity=chosen["multiplicity"],
        temporal=temporal,
        pair=(pair_a, pair_b) if pair_a is not None and pair_b is not None else None,
        event=check_event(chosen["event"]),
        group_by=parse_group_by(chosen["group_by"]),
    )
    written = write_analysis(table, out, options)
    typer.echo(f"certificates: {written['certificates']}")
    typer.echo(f"safety table: {written['table_md']}")
    typer.echo(f"figures: {out / 'figures'}")
    if "relational" in written:
        typer.echo(f"relational: {written['relational']}")
    if "attribution" in written:
        typer.echo(f"attribution: {written['attribution']}")
    if "judge_corrected" in written:
        typer.echo(f"judge-corrected: {written['judge_corrected']}")


def _calibration(labels: Path, store_path: Path, plan: SweepPlan | None, out: Path) -> Any:
    """The judge that read the verdicts, calibrated on ``labels``: a run's own judge
    (through its judge cache), else the rules; its accuracy goes in ``out``."""
    from harness.judge import open_judge
    from harness.judge._accuracy import load_labelled, measure_judge
    from harness.run._rundir import RunDir

    if plan is None:
        judge = open_judge("rules")
    else:
        judge = open_judge(plan.config.judge, RunDir(store_path.parent).judge_cache)
    try:
        labelled = load_labelled(labels)  # a bad file fails before anything is written
        out.mkdir(parents=True, exist_ok=True)
        return measure_judge(*labelled, judge.read, out, str(labels))
    finally:
        judge.close()


def _stored_run(store_path: Path) -> SweepPlan:
    """The plans of the run or sweep that wrote ``store_path``."""
    from harness.run._sweep import stored_plan

    if not store_path.is_file():
        raise UsageError(f"no results store at {store_path}; give a run directory of drivecert run")
    return stored_plan(store_path.parent)


def _store_verdicts(store_path: Path, plan: SweepPlan) -> Any:
    """The run's verdicts in its own order, so that its certificates.csv comes out again."""
    from harness.run import verdicts_of
    from harness.store import Store

    with Store.open(store_path) as store:
        return verdicts_of(store, plan)
