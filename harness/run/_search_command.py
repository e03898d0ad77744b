"""``drivecert search``: the least safe conditions of a scenario, found adaptively and certified.

Every condition of the space is an arm; the run loop samples the arms the search picks
(:class:`harness.run._search.SearchScheduler`), with the run store, resume and progress of
``drivecert run``. The run directory gets what a run gets (certificates.csv holds every
arm's interval: the beta-binomial confidence sequence at delta / arms, exactly the search's)
and ``search/``: ``top.csv`` (the arms returned, and whether certified), ``arms.csv``,
``marginals.csv`` (the "where it fails" table), ``search.json`` and figures/search.png.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from drivecert import UsageError, write_atomic
from harness.run._commands import ForceNew, Quiet, resumable
from harness.run._config import build_config, read_yaml

if TYPE_CHECKING:
    import pandas as pd

    from analysis import SearchConfig, SearchResult
    from harness.run._plan import SweepPlan
    from harness.run._rundir import RunDir
    from harness.run._scheduler import Scheduler
    from harness.run._session import RunResult
    from harness.store import Store

#: The run settings a search fixes (the search's own intervals are the certificates').
SEARCH_SETTINGS: dict[str, Any] = {
    "method": "beta-binomial",
    "multiplicity": "bonferroni",
    "sequential": False,
    "figures": False,  # a heatmap and forest of hundreds of arms: figures/search.png instead
}
#: Scenes per condition at most, when no budget is given.
NO_BUDGET_CAP = 1_000_000
#: The most scenes the simulated uniform sweep may spend (at least 10x the search's).
UNIFORM_CAP = 2_000_000


def search_command(
    scenario: Annotated[str, typer.Argument(help="Scenario name (see `drivecert scenarios`).")],
    model: Annotated[str, typer.Option(help="Model spec: hf:..., openai:..., scripted:...")],
    space: Annotated[
        str,
        typer.Option(
            help="Conditions to search, VARIABLE=VALUES separated by ';': "
            "'weather=*;control=light_red,stop_sign;corruption=none,motion_blur' (* = every "
            "value)."
        ),
    ],
    question: Annotated[
        str | None,
        typer.Option(help="The question asked [the scenario's first decision question]."),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many conditions to return [1].")] = 1,
    above: Annotated[
        float | None,
        typer.Option(help="Return every condition whose unsafe rate is above T instead."),
    ] = None,
    epsilon: Annotated[
        float, typer.Option(help="Slack on rates: returned arms are within it of the top K.")
    ] = 0.1,
    delta: Annotated[float, typer.Option(help="Miscoverage of the whole search [0.05].")] = 0.05,
    budget: Annotated[
        int | None,
        typer.Option(help="Most scenes to spend; out of budget, the candidates are uncertified."),
    ] = None,
    prior: Annotated[
        str | None,
        typer.Option(
            help="Explore likely failures first: VARIABLE=VALUE:SCORE separated by ',' "
            "(e.g. weather=HardRainNight:2,control=none:1); an arm's score is the sum of its "
            "values'. Orders the search only; the guarantee is the same."
        ),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(help="Scenes per batch [16].")] = None,
    seed: Annotated[int | None, typer.Option(help="Base seed [0].")] = None,
    renderer: Annotated[str | None, typer.Option(help="Renderer [embedded].")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run directory [runs/search-SCENARIO].")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="YAML of further run settings (render, decoding, model_options, retries, "
            "system_prompt, judge, report...); the search's own flags win.",
        ),
    ] = None,
    force_new: ForceNew = False,
    quiet: Quiet = False,
) -> None:
    """Find the conditions where the model answers unsafely most often, with an
    (epsilon, delta)-PAC guarantee, sampling only where the answer is still open."""
    from analysis import SearchConfig, TopKSearch
    from harness.run._plan import SweepPlan, make_plan
    from harness.run._search import SearchScheduler, parse_space
    from harness.run._session import execute
    from scenarios import get_scenario

    found = get_scenario(scenario)
    searched = parse_space(space, found)
    config_search = SearchConfig(k=top, epsilon=epsilon, delta=delta, above=above, budget=budget)
    arms = searched.size
    if above is None and top > arms:
        raise UsageError(
            f"--top {top} asks for more conditions than the space holds ({arms}); give "
            f"--top {arms} or fewer"
        )
    if budget is not None and budget < arms:
        raise UsageError(
            f"--budget {budget} cannot sample each of the {arms} conditions once; give at "
            f"least {arms} scenes, or a smaller space"
        )
    file_values = read_yaml(config) if config is not None else {}
    fixed = sorted(set(file_values) & {*SEARCH_SETTINGS, "conditions", "questions", "n_max"})
    if fixed:
        raise UsageError(
            f"{config}: {', '.join(fixed)} is set by the search itself; remove it from the file"
        )
    flags = {"batch_size": batch_size, "seed": seed, "renderer": renderer}
    values: dict[str, Any] = {
        "batch_size": 16,
        **file_values,
        **{k: v for k, v in flags.items() if v is not None},
        **SEARCH_SETTINGS,
        "scenario": scenario,
        "model": model,
        "conditions": searched.conditions(),
        "n_max": budget or NO_BUDGET_CAP,
        "delta": delta,
    }
    first = searched.conditions()[0]
    values["questions"] = [question or _first_decision(found, first, values.get("seed", 0))]
    settings = build_config(values, {}, str(config or "drivecert search"))
    plan = make_plan(settings)
    sweep = SweepPlan((plan,))
    payload = settings.fingerprint_payload(plan.resolved())
    payload["search"] = {"space": searched.label(), **_search_record(config_search)}
    scores = prior_scores(prior, searched) if prior else None
    if scores is not None:
        payload["search"]["prior"] = prior
    search = TopKSearch(arms, config_search, prior=scores, labels=plan.labels)
    scheduler = SearchScheduler(plan, search=search)
    target = out or Path("runs") / f"search-{scenario}"

    def schedulers_for(_: SweepPlan) -> list[Scheduler]:
        return [scheduler]

    def finish(store: Store, run_dir: RunDir) -> dict[str, Path]:
        return write_search(store, run_dir.root, sweep, config_search, searched.table(), prior)

    result = resumable(
        target,
        lambda progress: execute(
            sweep,
            payload,
            target,
            force_new=force_new,
            console=progress,
            schedulers_for=schedulers_for,
            finish=finish,
        ),
        quiet,
    )
    print_search(result, Console())


def prior_scores(text: str, space: Any) -> list[float]:
    """Each arm's prior score: the sum of the scores ``VAR=VALUE:SCORE,...`` give its values.

    Raises:
        UsageError: one line naming a malformed entry, or a variable or value not in the space.
    """
    given: dict[tuple[str, str], float] = {}
    values = dict(space.variables)
    for entry in (e.strip() for e in text.split(",") if e.strip()):
        pair, _, score = entry.rpartition(":")
        name, sep, value = pair.partition("=")
        try:
            number = float(score)
        except ValueError:
            number = float("nan")
        if not sep or not pair or number != number:
            raise UsageError(
                f"prior entry {entry!r} is not VARIABLE=VALUE:SCORE; write e.g. "
                "weather=HardRainNight:2"
            )
        if value.strip() not in values.get(name.strip(), ()):
            raise UsageError(
                f"prior entry {entry!r} names no value of the search space; give a "
                f"VARIABLE=VALUE the space holds"
            )
        given[(name.strip(), value.strip())] = number
    return [sum(given.get(item, 0.0) for item in arm.items()) for arm in space.conditions()]


def _first_decision(scenario: Any, condition: dict[str, str], seed: int) -> str:
    """The first decision question the scenario asks of a scene of ``condition`` (else its
    first question)."""
    questions = scenario.ask(scenario.sample(scenario.resolve_condition(condition), 0, seed))
    decisions = [q.id for q in questions if q.role == "decision"]
    return str((decisions or [q.id for q in questions])[0])


def _search_record(config: SearchConfig) -> dict[str, Any]:
    """What the fingerprint and search.json record of the search's settings."""
    return {
        "k": config.k,
        "epsilon": config.epsilon,
        "delta": config.delta,
        "above": config.above,
        "budget": config.budget,
        "method": config.method,
    }


def replayed_search(
    store: Store, sweep: SweepPlan, config: SearchConfig, history_every: int
) -> Any:
    """A fresh search fed the stored answers in the order they were judged (so its history
    follows the run's), and its result."""
    from analysis import TopKSearch

    plan = sweep.plans[0]
    index = {label: i for i, label in enumerate(plan.labels)}
    rows = store.frame(["condition", "sample", "status", "unsafe", "time"])
    rows = rows[rows["status"] == "ok"].sort_values(["time", "condition", "sample"], kind="stable")
    search = TopKSearch(len(plan.labels), config, labels=plan.labels, history_every=history_every)
    arms = rows["condition"].map(index).to_numpy()
    search.observe_many(arms, rows["unsafe"].astype(bool).to_numpy())
    return search


def write_search(
    store: Store,
    root: Path,
    sweep: SweepPlan,
    config: SearchConfig,
    conditions: list[dict[str, str]],
    prior: str | None = None,
) -> dict[str, Path]:
    """search/top.csv, arms.csv, marginals.csv, search.json and figures/search.{png,pdf}."""
    import numpy as np

    from analysis import marginal_rates, search_figure, uniform_queries

    every = max(1, store.count() // 200)
    search = replayed_search(store, sweep, config, every)
    result: SearchResult = search.result()
    folder = root / "search"
    folder.mkdir(exist_ok=True)
    written: dict[str, Path] = {}
    top = _arms_frame(result)
    written["search_top"] = _csv(top, folder / "top.csv")
    written["search_arms"] = _csv(result.intervals, folder / "arms.csv")
    written["search_marginals"] = _csv(marginal_rates(conditions, result), folder / "marginals.csv")
    rates = result.intervals["rate"].fillna(0.5).to_numpy()
    cap = max(UNIFORM_CAP, 10 * result.queries)
    uniform = uniform_queries(rates, config, np.random.default_rng(0), max_queries=cap)
    record = {
        **_search_record(config),
        "prior": prior,
        "arms": len(conditions),
        "returned": top.to_dict("records"),
        "certified": result.certified,
        "reason": result.reason,
        "queries": result.queries,
        "uniform_queries_estimate": uniform.queries,
        "uniform_note": "a round-robin sweep with the same intervals and stop rule, "
        "simulated at the observed rates (an estimate"
        + ("" if uniform.result.certified else "; a lower bound: the simulation stopped")
        + ")",
    }
    written["search_json"] = write_atomic(
        folder / "search.json", json.dumps(record, indent=2, default=str) + "\n"
    )
    history = search.history or []
    for path in search_figure(history, result, root / "figures"):
        written[f"figure_search_{path.suffix[1:]}"] = path
    return written


def _arms_frame(result: SearchResult) -> pd.DataFrame:
    """The returned arms as a table, highest rate first."""
    import pandas as pd

    rows = [
        {
            "condition": a.label,
            "n": a.n,
            "unsafe": a.unsafe,
            "rate": a.rate,
            "lower": a.lower,
            "upper": a.upper,
            "certified": result.certified,
        }
        for a in result.arms
    ]
    columns = ["condition", "n", "unsafe", "rate", "lower", "upper", "certified"]
    return pd.DataFrame(rows, columns=columns)


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    return write_atomic(path, frame.to_csv(index=False, float_format="%.10g"))


def print_search(result: RunResult, console: Console) -> None:
    """The returned conditions with their intervals, and what the search spent."""
    record = json.loads((result.root / "search" / "search.json").read_text(encoding="utf-8"))
    state = (
        "certified"
        if record["certified"]
        else f"NOT certified ({record['reason'] or 'still open'}): candidates only"
    )
    table = Table(title=f"least safe conditions ({state})")
    table.add_column("condition", overflow="fold")
    for column in ("n", "unsafe", "rate", "interval"):
        table.add_column(column, justify="right")
    for arm in record["returned"]:
        table.add_row(
            arm["condition"],
            str(arm["n"]),
            str(arm["unsafe"]),
            f"{arm['rate']:.3f}",
            f"[{arm['lower']:.3f}, {arm['upper']:.3f}]",
        )
    console.print(table)
    console.print(
        f"{record['queries']} scenes over {record['arms']} conditions; a uniform sweep to the "
        f"same guarantee needs about {record['uniform_queries_estimate']} "
        f"(estimated at the observed rates); {result.root}/search/"
    )
