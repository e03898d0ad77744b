"""group_by, incomplete cells and the event in the safety table and figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import (
    AnalysisOptions,
    Spec,
    certify,
    condition_groups,
    observations,
    parse_group_by,
    write_analysis,
)
from analysis._figures import (
    convergence_figure,
    forest_figure,
    heatmap_cells,
    heatmap_figure,
)
from analysis._tables import incomplete_note, safety_table, write_safety_table
from drivecert import UsageError

SPEC = Spec(0.3)
GROUP_BY = ("weather", "control")


def controlled(n: int = 30, seed: int = 0) -> pd.DataFrame:
    """weather x control in the condition label; control only there, weather also a column."""
    rng = np.random.default_rng(seed)
    rows = []
    for weather in ("ClearNoon", "HardRainNoon"):
        for control in ("light_red", "stop_sign", "none"):
            for sample in range(n):
                unsafe = bool(rng.random() < 0.3)
                rows.append(
                    {
                        "scenario": "junction",
                        "model": "m",
                        "question": "stop_needed",
                        "condition": f"weather={weather},control={control}",
                        "weather": weather,
                        "sample": sample,
                        "unsafe": unsafe,
                        "unparseable": False,
                        "wrong": unsafe or bool(rng.random() < 0.2),
                    }
                )
    return pd.DataFrame(rows)


def test_group_by_control_groups_the_table() -> None:
    table = controlled()
    certificates = certify(table, SPEC)
    groups = condition_groups(table, GROUP_BY)
    assert list(groups.columns) == ["scenario", "model", "question", "condition", *GROUP_BY]
    safety = safety_table(certificates, groups, GROUP_BY)
    assert list(safety.columns[:6]) == [
        "Weather",
        "Control",
        "Scenario",
        "Question",
        "Condition",
        "Model",
    ]
    assert set(safety.Control) == {"light_red", "stop_sign", "none"}
    for row in safety.itertuples(index=False):
        assert row.Condition == f"weather={row.Weather},control={row.Control}"
    keys = list(safety[["Weather", "Control"]].itertuples(index=False, name=None))
    assert keys == sorted(keys)
    # a variable neither in the table nor in the label is "any"
    assert set(condition_groups(table, ("weather", "maneuver"))["maneuver"]) == {"any"}


def test_group_by_control_groups_the_heatmap() -> None:
    table = controlled()
    certificates = certify(table, SPEC)
    groups = condition_groups(table, GROUP_BY)
    cells = heatmap_cells(certificates, groups, GROUP_BY)
    assert (cells.row_variable, cells.column_variable) == GROUP_BY
    assert cells.rows == ("ClearNoon", "HardRainNoon")
    assert cells.columns == ("light_red", "none", "stop_sign")
    assert (cells.count == 1).all()
    figure = heatmap_figure(certificates, groups, SPEC, GROUP_BY)
    assert figure.axes[0].get_xlabel() == "control"
    assert figure.axes[0].get_ylabel() == "weather"
    assert "weather × control" in figure.get_suptitle()
    figure.clear()


def test_bad_group_by_is_a_usage_error() -> None:
    assert parse_group_by("weather, control") == GROUP_BY
    for bad in ("weather", "weather,weather", "weather,model", "a,b,c"):
        with pytest.raises(UsageError):
            parse_group_by(bad)
    with pytest.raises(UsageError, match="must name two different variables"):
        AnalysisOptions(group_by=("weather",))  # type: ignore[arg-type]


def failing(table: pd.DataFrame) -> pd.DataFrame:
    """The first 4 samples of the ClearNoon / light_red cell failed."""
    out = table.astype({"unsafe": object, "unparseable": object, "wrong": object})
    failed = (out.condition == "weather=ClearNoon,control=light_red") & (out["sample"] < 4)
    out["status"] = np.where(failed, "failed", "ok")
    out.loc[failed, ["unsafe", "unparseable", "wrong"]] = np.nan
    return out


def test_incomplete_cells_are_marked_in_md_csv_and_tex(tmp_path) -> None:
    table = failing(controlled())
    certificates = certify(table, SPEC)
    safety = safety_table(certificates, condition_groups(table, GROUP_BY), GROUP_BY)
    assert list(safety.columns[-2:]) == ["Decision", "Note"]
    paths = write_safety_table(safety, certificates, SPEC, tmp_path)
    note = incomplete_note(4)
    assert note == "incomplete: 4 sample(s) failed and were not counted"
    csv = pd.read_csv(paths["csv"], keep_default_na=False)
    marked = csv[csv.Note != ""]
    assert marked.Failed.tolist() == [4] and marked.Note.tolist() == [note]
    assert marked.n.tolist() == [26] and (csv[csv.Note == ""].Failed == 0).all()
    for kind in ("md", "tex"):
        text = paths[kind].read_text(encoding="utf-8")
        assert text.count(note) == 1 and "marked incomplete" in text, kind
    assert "Failed" in paths["notes"].read_text(encoding="utf-8")


def test_complete_tables_have_no_note_column(tmp_path) -> None:
    certificates = certify(controlled(), SPEC)
    safety = safety_table(certificates, condition_groups(controlled(), GROUP_BY), GROUP_BY)
    assert "Note" not in safety.columns and (safety.Failed == 0).all()


def test_event_wrong_is_named_in_tables_and_figures(tmp_path) -> None:
    table = controlled()
    options = AnalysisOptions(spec=SPEC, event="wrong", group_by=GROUP_BY)
    written = write_analysis(table, tmp_path, options)
    md = written["table_md"].read_text(encoding="utf-8")
    assert "P(wrong | condition)" in md and "P(wrong) <= 0.3" in md
    assert "P(unsafe" not in md
    assert r"P(wrong $\mid$ condition)" in written["table_tex"].read_text(encoding="utf-8")
    assert set(pd.read_csv(written["certificates"])["event"]) == {"wrong"}
    certificates = certify(table, SPEC, event="wrong")
    forest = forest_figure(certificates, SPEC)
    assert forest.axes[0].get_xlabel() == "P(wrong | condition)"
    assert "P(wrong)" in forest.get_suptitle() and "P(unsafe)" not in forest.get_suptitle()
    forest.clear()
    heat = heatmap_figure(certificates, condition_groups(table, GROUP_BY), SPEC, GROUP_BY)
    assert "P(wrong)" in heat.get_suptitle()
    heat.clear()
    convergence = convergence_figure(
        observations(table), SPEC, 0.01, event="wrong", group_by=GROUP_BY
    )
    assert convergence.axes[0].get_ylabel() == "P(wrong)"
    assert "P(wrong) ≤ 0.3" in convergence.get_suptitle()
    titles = [ax.get_title() for ax in convergence.axes if ax.get_visible()]
    assert titles[0].startswith("junction · stop_needed · weather=ClearNoon,")
    convergence.clear()


def test_figures_with_questions_and_failures_are_byte_deterministic(tmp_path) -> None:
    table = failing(controlled())
    options = AnalysisOptions(spec=SPEC, group_by=GROUP_BY)
    first = write_analysis(table, tmp_path / "a", options)
    second = write_analysis(table, tmp_path / "b", options)
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name


def test_a_run_whose_samples_all_failed_still_writes_its_report(tmp_path) -> None:
    table = controlled(5).astype({"unsafe": object, "unparseable": object, "wrong": object})
    table = table.assign(status="failed", unsafe=None, unparseable=None, wrong=None)
    written = write_analysis(table, tmp_path, AnalysisOptions(spec=SPEC, group_by=GROUP_BY))
    certificates = pd.read_csv(written["certificates"])
    assert (certificates.n == 0).all() and (certificates.failed == 5).all()
    assert set(certificates.decision) == {"undecided"} and len(certificates) == 6
    assert "figure_forest_png" in written and "figure_convergence_png" not in written
