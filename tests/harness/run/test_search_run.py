"""``drivecert search``: the least safe conditions of a space, found through the run loop,
certified (or plainly not), resumable, with its outputs in the run directory and report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from harness.run._search import SearchSpace, parse_space
from harness.store import Store
from scenarios import get_scenario

#: Rain at night and dense fog are bad; every other weather errs 5% of the time.
MODEL = "scripted:noisy?error=0.05&weather.HardRainNight=0.9&weather.DenseFogNight=0.5"
SPACE = (
    "weather=ClearNoon,WetNoon,HardRainNoon,HardRainNight,DenseFogNight,ClearNight;"
    "control=light_red,stop_sign"
)
#: The same with a camera corruption: its clean conditions lack the corruption variable.
FOGGED = SPACE.replace("stop_sign", "stop_sign;corruption=none,fog")
SMALL = "render:\n  width: 64\n  height: 36\nreport: {report}\n"


def search(
    tmp_path: Path, capsys, *extra: str, out: str = "run", report: bool = False
) -> tuple[int, str, str]:
    config = tmp_path / "small.yaml"
    config.write_text(SMALL.format(report=str(report).lower()))
    args = [
        "search",
        "right_turn",
        "--model",
        MODEL,
        "--space",
        SPACE,
        "--config",
        str(config),
        "--out",
        str(tmp_path / out),
        "--quiet",
        *extra,
    ]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_search_returns_the_least_safe_conditions_certified(tmp_path, capsys) -> None:
    code, out, err = search(tmp_path, capsys, "--top", "2", "--epsilon", "0.1", report=True)
    assert code == 0, err
    root = tmp_path / "run"
    record = json.loads((root / "search" / "search.json").read_text())
    assert record["certified"] and record["reason"] == "identified" and record["arms"] == 12
    returned = {a["condition"] for a in record["returned"]}
    assert returned == {
        "weather=HardRainNight,control=light_red",
        "weather=HardRainNight,control=stop_sign",
    }
    assert "least safe conditions (certified)" in out
    assert record["queries"] < record["uniform_queries_estimate"]
    with Store.open(root / "results.duckdb") as store:
        assert store.count() == record["queries"]  # one question per scene, none failed
    # certificates.csv holds the search's own intervals (beta-binomial at delta / arms)
    certificates = pd.read_csv(root / "certificates.csv").set_index("condition")
    arms = pd.read_csv(root / "search" / "arms.csv").set_index("label")
    for label, arm in arms.iterrows():
        assert certificates.loc[label, "lower"] == pytest.approx(arm["lower"], abs=1e-9)
        assert certificates.loc[label, "upper"] == pytest.approx(arm["upper"], abs=1e-9)
    assert set(certificates["method"]) == {"beta-binomial+bonferroni(K=12)"}
    marginals = pd.read_csv(root / "search" / "marginals.csv")
    weather = marginals[marginals["variable"] == "weather"].set_index("value")
    assert weather["rate"].idxmax() == "HardRainNight"
    assert (root / "figures" / "search.png").is_file()
    report = (root / "report.html").read_text()
    assert "Failure search: where the model is least safe" in report
    assert "drivecert run --config" not in report  # re-run by the search's own command


def test_a_space_with_clean_and_corrupted_conditions_gets_its_marginals(tmp_path, capsys) -> None:
    code, _, err = search(tmp_path, capsys, "--top", "4", "--space", FOGGED)
    assert code == 0, err
    marginals = pd.read_csv(tmp_path / "run" / "search" / "marginals.csv")
    corruption = marginals[marginals["variable"] == "corruption"]
    assert set(corruption["value"]) == {"none", "fog"} and (corruption["arms"] == 12).all()


def test_above_returns_every_condition_above_the_threshold(tmp_path, capsys) -> None:
    code, _, err = search(tmp_path, capsys, "--above", "0.3", "--epsilon", "0.15")
    assert code == 0, err
    record = json.loads((tmp_path / "run" / "search" / "search.json").read_text())
    assert record["certified"] and record["reason"] == "classified" and record["above"] == 0.3
    returned = {a["condition"].split(",")[0] for a in record["returned"]}
    assert returned == {"weather=HardRainNight", "weather=DenseFogNight"}
    assert all(a["upper"] > 0.3 for a in record["returned"])


def test_a_finished_search_resumes_to_the_same_result(tmp_path, capsys) -> None:
    code, _, err = search(tmp_path, capsys, "--top", "2")
    assert code == 0, err
    before = (tmp_path / "run" / "search" / "top.csv").read_text()
    certificates = (tmp_path / "run" / "certificates.csv").read_bytes()
    code, _, err = search(tmp_path, capsys, "--top", "2")
    assert code == 0, err
    assert (tmp_path / "run" / "search" / "top.csv").read_text() == before
    assert (tmp_path / "run" / "certificates.csv").read_bytes() == certificates
    code, _, err = search(tmp_path, capsys, "--top", "1")  # another search, same directory
    assert code == 2 and "--force-new" in err


def test_a_prior_orders_the_search_but_not_its_answer(tmp_path, capsys) -> None:
    code, _, err = search(tmp_path, capsys, "--top", "2", out="plain")
    assert code == 0, err
    prior = "weather=HardRainNight:2,weather=DenseFogNight:1"
    code, _, err = search(tmp_path, capsys, "--top", "2", "--prior", prior, out="prior")
    assert code == 0, err
    plain, ordered = (
        json.loads((tmp_path / name / "search" / "search.json").read_text())
        for name in ("plain", "prior")
    )
    assert ordered["certified"] and ordered["prior"] == prior
    assert {a["condition"] for a in ordered["returned"]} == {
        a["condition"] for a in plain["returned"]
    }
    with Store.open(tmp_path / "prior" / "results.duckdb") as store:
        first = store.frame(["condition", "time"]).sort_values("time", kind="stable")
    assert first["condition"].iloc[0].startswith("weather=HardRainNight")  # explored first


def test_a_budget_too_small_for_the_guarantee_returns_uncertified_candidates(
    tmp_path, capsys
) -> None:
    code, out, err = search(tmp_path, capsys, "--top", "1", "--budget", "40")
    assert code == 0, err
    record = json.loads((tmp_path / "run" / "search" / "search.json").read_text())
    assert record["certified"] is False and record["reason"] == "budget"
    assert record["queries"] <= 40
    assert "NOT certified (budget)" in out and "candidates only" in out
    top = pd.read_csv(tmp_path / "run" / "search" / "top.csv")
    assert not top["certified"].any()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--space", " ; "], "the search space is empty"),
        (["--space", "weather"], "is not VARIABLE=VALUES"),
        (["--space", "wether=*"], "no variable 'wether'"),
        (["--space", "weather=Sunny"], "weather has no value 'Sunny'"),
        (["--space", "weather=*;weather=ClearNoon"], "given twice"),
        (["--space", "severity=2"], "severity grades a corruption"),
        (["--top", "13"], "--top 13 asks for more conditions than the space holds (12)"),
        (["--top", "0"], "k=0 must be a whole number"),
        (["--budget", "5"], "--budget 5 cannot sample each of the 12 conditions once"),
        (["--epsilon", "1.5"], "epsilon=1.5 is not in (0, 1)"),
        (["--prior", "weather=HardRainNight"], "is not VARIABLE=VALUE:SCORE"),
        (["--prior", "weather=DustStorm:1"], "names no value of the search space"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message) -> None:
    code, _, err = search(tmp_path, capsys, *args)
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run" / "results.duckdb").exists()


def test_the_space_expands_stars_corruptions_and_clean_conditions() -> None:
    scenario = get_scenario("right_turn")
    space = parse_space("control=*; corruption=none,fog ;severity=2,4", scenario)
    # the clean condition is one arm whatever the severities: 5 controls x (clean + fog at 2, 4)
    assert isinstance(space, SearchSpace) and space.size == 5 * 3
    conditions = space.conditions()
    assert {"control": "light_red", "corruption": "fog", "severity": "4"} in conditions
    assert {"control": "light_red"} in conditions  # corruption=none and its severity dropped
    assert len({tuple(c.items()) for c in conditions}) == len(conditions)
    table = space.table()  # every variable for every arm, for the "where it fails" table
    assert table[conditions.index({"control": "light_red"})] == {
        "control": "light_red",
        "corruption": "none",
        "severity": "none",
    }
    every = parse_space("corruption=*", scenario)
    assert every.variables[0][1][0] == "none" and "motion_blur" in every.variables[0][1]


def test_the_live_table_shows_the_search_intervals_highest_first() -> None:
    from analysis import SearchConfig, TopKSearch
    from harness.run import build_config, make_plan
    from harness.run._progress import progress_table, snapshot
    from harness.run._scheduler import Observation
    from harness.run._search import SearchScheduler

    from .conftest import settings

    space = parse_space("weather=ClearNoon,HardRainNoon,ClearNight", get_scenario("right_turn"))
    config = build_config(
        settings(conditions=space.conditions(), questions=["stop_needed"], method="beta-binomial"),
        {},
        "test",
    )
    plan = make_plan(config)
    search = TopKSearch(3, SearchConfig(k=1), labels=plan.labels)
    scheduler = SearchScheduler(plan, search=search)
    batch = scheduler.next_batch(6)
    assert scheduler.next_batch(6) == []  # one batch in flight at a time
    scheduler.observe([Observation(t.condition, t.sample, False, t.condition == 1) for t in batch])
    views = snapshot(scheduler)
    lower, upper = search.bounds()
    assert [v.lower for v in views] == pytest.approx(list(lower))
    assert [v.upper for v in views] == pytest.approx(list(upper))
    table = progress_table(scheduler, views, 6, 1.0, room=2)
    assert table.row_count == 3 and table.columns[0]._cells[0].startswith("weather=HardRainNoon")
