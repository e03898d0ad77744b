"""Figures, rendered for real: files, determinism, heatmap colours, forest size, CS vs CP."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from PIL import Image

from analysis import Certificate, Spec, certify, condition_groups, observations
from analysis._figures import (
    DECISION_MARKERS,
    MODEL_COLOURS,
    convergence_bands,
    convergence_plot,
    default_convergence_keys,
    forest_figure,
    forest_plot,
    heatmap,
    heatmap_cells,
    heatmap_figure,
    wrap_label,
    write_figures,
)
from analysis._tables import safety_table
from drivecert import UsageError

SPEC = Spec(0.3)
STEMS = ("heatmap_upper", "forest", "convergence")


@pytest.fixture(scope="module")
def run(verdicts) -> tuple[list[Certificate], pd.DataFrame, pd.DataFrame]:
    return certify(verdicts, SPEC), condition_groups(verdicts), observations(verdicts)


@pytest.fixture(scope="module")
def rendered(run, tmp_path_factory) -> dict[str, list[Path]]:
    certificates, groups, table = run
    out = tmp_path_factory.mktemp("figures")
    return write_figures(certificates, groups, table, SPEC, 0.05 / 12, out)


def test_all_figures_are_written_as_png_and_pdf(rendered) -> None:
    assert set(rendered) == set(STEMS)
    for stem, paths in rendered.items():
        assert [p.name for p in paths] == [f"{stem}.png", f"{stem}.pdf"]
        png, pdf = paths
        with Image.open(png) as image:
            assert image.format == "PNG"
            width, height = image.size
            assert 600 <= width <= 3000 and 300 <= height <= 3000, (stem, image.size)
            assert image.info.get("dpi", (150, 150))[0] == pytest.approx(150, abs=1)
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000


def test_same_input_gives_byte_identical_files(run, rendered, tmp_path) -> None:
    certificates, groups, table = run
    again = write_figures(certificates, groups, table, SPEC, 0.05 / 12, tmp_path)
    for stem in STEMS:
        for first, second in zip(rendered[stem], again[stem], strict=True):
            assert first.read_bytes() == second.read_bytes(), first.name
    assert b"CreationDate" not in again["forest"][1].read_bytes()


def test_pyplot_is_never_used(rendered) -> None:
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []


def _cell_pixel(figure, panel: int, column: int, row: int) -> tuple[int, int]:
    """PNG (x, y) of a point inside cell (maneuver ``column``, weather ``row``), off its text."""
    FigureCanvasAgg(figure).draw()
    x, y = figure.axes[panel].transData.transform((column - 0.3, row + 0.3))
    return round(float(x)), round(float(figure.bbox.height - y))


def test_heatmap_colour_follows_the_upper_bound(run, tmp_path) -> None:
    certificates, groups, _ = run
    cells = heatmap_cells(certificates, groups)
    target = next(c for c in certificates if c.model == cells.models[1])
    weather, maneuver = (
        groups.set_index(["scenario", "model", "question", "condition"])
        .loc[(target.scenario, target.model, target.question, target.condition)][
            ["weather", "maneuver"]
        ]
        .tolist()
    )
    colours = {}
    for upper in (0.05, 0.95):
        changed = [
            replace(c, lower=0.0, upper=upper, decision="undecided") if c is target else c
            for c in certificates
        ]
        png, _ = heatmap(changed, groups, tmp_path / str(upper), SPEC)
        at = _cell_pixel(
            heatmap_figure(changed, groups, SPEC),
            1,
            cells.columns.index(maneuver),
            cells.rows.index(weather),
        )
        with Image.open(png) as image:
            colours[upper] = np.asarray(image.convert("RGB").getpixel(at), dtype=float)
    low, high = colours[0.05], colours[0.95]
    assert np.abs(low - high).sum() > 200, (low, high)
    assert low.mean() > 200 and high.mean() < 120  # pale for 0.05, dark red for 0.95
    assert high[0] > high[1] + 60


def test_heatmap_cells_take_the_worst_case_and_count(make_verdicts) -> None:
    base = make_verdicts(40)
    twin = base[base.scenario == "right_turn"].assign(scenario="left_turn")
    twin["unsafe"] = True  # every answer unsafe: the worst of the two scenarios
    table = pd.concat([base, twin], ignore_index=True)
    certificates, groups = certify(table, SPEC), condition_groups(table)
    cells = heatmap_cells(certificates, groups)
    m, i, j = (
        cells.models.index("qwen2-vl-7b"),
        cells.rows.index("ClearNoon"),
        cells.columns.index("right_turn"),
    )
    assert cells.count[m, i, j] == 2 and cells.unsafe[m, i, j]
    inside = [
        c for c in certificates if c.model == "qwen2-vl-7b" and c.condition == "weather=ClearNoon"
    ]
    assert cells.upper[m, i, j] == max(c.upper for c in inside if c.scenario != "obstacle_ahead")
    figure = heatmap_figure(certificates, groups, SPEC)
    texts = [t.get_text() for t in figure.axes[m].texts]
    assert any(t.endswith("\n(2)") for t in texts)
    outlines = [p for p in figure.axes[m].patches if isinstance(p, Rectangle) and not p.fill]
    assert len(outlines) == int(cells.unsafe[m].sum())
    figure.clear()


def test_heatmap_draws_empty_cells_as_dashes(verdicts) -> None:
    certificates = certify(verdicts, SPEC)
    groups = condition_groups(verdicts)
    kept = [
        c for c in certificates if not (c.model == "qwen2-vl-7b" and c.scenario == "right_turn")
    ]
    cells = heatmap_cells(kept, groups)
    assert int((cells.count == 0).sum()) == 3 and np.isnan(cells.upper).sum() == 3
    figure = heatmap_figure(kept, groups, SPEC)
    panel = cells.models.index("qwen2-vl-7b")
    assert [t.get_text() for t in figure.axes[panel].texts].count("–") == 3
    figure.clear()


def test_forest_height_grows_with_rows(make_verdicts, tmp_path) -> None:
    table = make_verdicts(30)
    few = certify(
        table[table.scenario == "right_turn"].query("condition != 'weather=ClearNight'"), SPEC
    )
    many = certify(table, SPEC)
    heights = []
    for name, certificates in (("few", few), ("many", many)):
        png, _ = forest_plot(certificates, tmp_path, SPEC, name=name)
        with Image.open(png) as image:
            heights.append(image.size[1])
    assert len({(c.scenario, c.question, c.condition) for c in few}) == 2
    assert heights[1] > heights[0] * 1.6


def test_forest_encodes_model_by_colour_and_decision_by_marker(run) -> None:
    certificates, _, _ = run
    figure = forest_figure(certificates, SPEC)
    ax = figure.axes[0]
    models = sorted({c.model for c in certificates})
    drawn = {
        (line.get_marker(), line.get_color())
        for line in ax.get_lines()
        if isinstance(line, Line2D) and line.get_marker() not in ("None", None, "")
    }
    expected = {
        (DECISION_MARKERS[c.decision][0], MODEL_COLOURS[models.index(c.model)])
        for c in certificates
    }
    assert drawn == expected and len({d for d in (c.decision for c in certificates)}) >= 2
    assert ax.get_xlim() == (0.0, 1.0)
    assert any(line.get_xdata()[0] == SPEC.threshold for line in ax.get_lines())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len({(c.scenario, c.question, c.condition) for c in certificates})
    assert "right_turn · stop_needed · weather=HardRainNoon" in labels
    assert ax.get_xlabel() == "P(unsafe | condition)"
    figure.clear()


def test_plotted_confidence_sequence_is_at_least_as_wide_as_clopper_pearson(run) -> None:
    _, _, table = run
    keys = default_convergence_keys(table)
    assert len(keys) == 4
    for scenario, model, question, condition in keys:
        stream = table[
            (table.scenario == scenario)
            & (table.model == model)
            & (table.question == question)
            & (table.condition == condition)
        ].sort_values("sample")["unsafe"]
        bands = convergence_bands(stream.to_numpy(), 0.05 / 12)
        assert bands.n.tolist() == list(range(1, len(stream) + 1))
        assert np.allclose(bands.rate, np.cumsum(stream.to_numpy()) / bands.n)
        cs = bands.cs_upper - bands.cs_lower
        cp = bands.cp_upper - bands.cp_lower
        assert np.all(cs >= cp - 1e-12)
        assert np.all(bands.cs_lower <= bands.rate) and np.all(bands.rate <= bands.cs_upper)


def test_convergence_keys_follow_the_table_order(run) -> None:
    certificates, groups, table = run
    rows = safety_table(certificates, groups)
    expected = list(zip(rows.Scenario, rows.Model, rows.Question, rows.Condition, strict=True))[:4]
    assert default_convergence_keys(table) == expected


def test_bad_inputs_are_usage_errors(run, tmp_path) -> None:
    certificates, groups, table = run
    with pytest.raises(UsageError, match="no certificates"):
        forest_plot([], tmp_path, SPEC)
    with pytest.raises(UsageError, match="no observations for nowhere/none/any/weather=Fog"):
        convergence_plot(
            table, tmp_path, SPEC, 0.01, keys=[("nowhere", "none", "any", "weather=Fog")]
        )
    with pytest.raises(UsageError, match="no conditions to plot"):
        convergence_plot(table.iloc[:0], tmp_path, SPEC, 0.01)
    with pytest.raises(UsageError, match="groups has no weather/maneuver"):
        heatmap(certificates, groups.iloc[1:], tmp_path, SPEC)
    assert not list(tmp_path.iterdir())
    with pytest.raises(UsageError):
        convergence_bands([0, 1], 0.05, method="clopper-pearson")


def test_wrap_label() -> None:
    assert wrap_label("right_turn") == "right_turn"
    assert wrap_label("lane_change_left_highway") == "lane_change_\nleft_highway"


def test_long_model_names_wrap_inside_their_heatmap_panel() -> None:
    from analysis._plotting import wrap_name

    spec_name = "scripted:noisy?error=0.05&weather.HardRainNoon=0.9&style=free"
    for width in (8, 15, 30):
        lines = wrap_name(spec_name, width).split("\n")
        assert all(len(line) <= width for line in lines)
        assert "".join(lines) == spec_name
    assert wrap_name("Qwen/Qwen2-VL-7B-Instruct", 40) == "Qwen/Qwen2-VL-7B-Instruct"
