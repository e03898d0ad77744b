"""Figures of a certification run: heatmap of upper bounds, forest plot, convergence plot.

Every figure is a :class:`matplotlib.figure.Figure` rendered by the Agg/PDF backends
directly, so pyplot's global state is never touched. Each is saved as PNG (150 dpi) and PDF
without the timestamp and software metadata, so the same input gives byte-identical files.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from numpy.typing import ArrayLike, NDArray

from analysis._certify import Certificate
from analysis._checks import check_choice, check_delta
from analysis._confseq import SEQUENCE_METHODS, sequence_bounds
from analysis._intervals import binomial_bounds
from analysis._spec import Spec
from analysis._tables import parse_method
from analysis._verdicts import KEYS
from drivecert import UsageError

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

Floats = NDArray[np.float64]
Key = tuple[str, str, str]  # (scenario, model, condition)

DPI = 150
#: Okabe-Ito colours (colour-blind safe), one per model in sorted order.
MODEL_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: Marker shape (and fill) per decision.
DECISION_MARKERS = {"safe": ("o", True), "undecided": ("D", False), "unsafe": ("^", True)}
_EMPTY_COLOUR = "#e6e6e6"
_THRESHOLD_COLOUR = "#b2182b"
_STYLE: dict[RcKeyType, Any] = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "pdf.fonttype": 42,  # TrueType in the PDF: editable text, accepted by publishers
    "savefig.dpi": DPI,
}


@contextmanager
def _style() -> Iterator[None]:
    """Fixed rc settings while a figure is built and saved (independent of matplotlibrc)."""
    with mpl.rc_context(_STYLE):
        yield


def save_figure(figure: Figure, out_dir: Path, name: str) -> list[Path]:
    """Save ``figure`` as ``name``.png (150 dpi) and ``name``.pdf, reproducibly; free it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png, pdf = out_dir / f"{name}.png", out_dir / f"{name}.pdf"
    with _style():
        figure.savefig(png, dpi=DPI, metadata={"Software": None})
        figure.savefig(pdf, metadata={"Creator": None, "Producer": None, "CreationDate": None})
    figure.clear()
    return [png, pdf]


def _pretty(label: str) -> str:
    """``P(unsafe) <= 0.3`` -> ``P(unsafe) ≤ 0.3`` for figure text."""
    return label.replace("<=", "≤").replace(">=", "≥")


def confidence_text(certificates: Sequence[Certificate]) -> str:
    """``95% family-wise confidence`` from the certificates' delta, naming approximate methods.

    E.g. ``95% family-wise confidence (approximate: Wilson)`` for Wilson certificates.
    """
    deltas = sorted({c.delta for c in certificates})
    if len(deltas) != 1:
        text = "family-wise confidence " + ", ".join(f"{100 * (1 - d):g}%" for d in deltas)
    else:
        text = f"{round(100 * (1 - deltas[0]), 6):g}% family-wise confidence"
    approximate = sorted(
        {p.method for p in (parse_method(c.method) for c in certificates) if p.approximate}
    )
    if approximate:
        text += f" (approximate: {', '.join(m.capitalize() for m in approximate)})"
    return text


def wrap_label(text: str, width: int = 12) -> str:
    """Break a long label after ``_``, ``-``, ``,`` or a space into lines of about ``width``."""
    tokens = re.findall(r"[^_\-,\s]+[_\-,\s]?|[_\-,\s]", text)
    lines: list[str] = []
    for token in tokens:
        if lines and len(lines[-1]) + len(token.rstrip()) <= width:
            lines[-1] += token
        else:
            lines.append(token)
    return "\n".join(line.rstrip() for line in lines)


def _title(figure: Figure, *lines: str) -> None:
    """A figure title, each line wrapped to the figure's width."""
    chars = max(30, int(figure.get_figwidth() * 12.5))  # ~ characters per line at 10 pt
    wrapped = [textwrap.fill(line, chars, break_on_hyphens=False) for line in lines]
    figure.suptitle("\n".join(wrapped))


def _round_up(value: float, decimals: int = 2) -> float:
    """Round an upper bound up (never understate it)."""
    scale = 10.0**decimals
    return math.ceil(value * scale - 1e-9) / scale


def _text_colour(rgba: tuple[float, float, float, float]) -> str:
    luminance = 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2]
    return "black" if luminance > 0.45 else "white"


def _check_certificates(certificates: Sequence[Certificate]) -> None:
    if not certificates:
        raise UsageError("no certificates to plot; certify a verdicts table first")


# -- heatmap --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatmapCells:
    """Worst-case upper bounds on a weather x maneuver grid, one layer per model.

    Attributes:
        models, weathers, maneuvers: the axes, in sorted order.
        upper: shape (models, weathers, maneuvers); the largest upper bound of the
            certificates in each cell, nan where there is none.
        count: how many certificates fall into each cell.
        unsafe: whether any of them is certified unsafe.
    """

    models: tuple[str, ...]
    weathers: tuple[str, ...]
    maneuvers: tuple[str, ...]
    upper: Floats
    count: NDArray[np.int64]
    unsafe: NDArray[np.bool_]


def heatmap_cells(certificates: Sequence[Certificate], groups: pd.DataFrame) -> HeatmapCells:
    """Aggregate ``certificates`` into weather x maneuver cells per model (worst case)."""
    _check_certificates(certificates)
    lookup = {
        (str(r.scenario), str(r.model), str(r.condition)): (str(r.weather), str(r.maneuver))
        for r in groups.itertuples(index=False)
    }
    placed: list[tuple[Certificate, str, str]] = []
    for cert in certificates:
        key = (cert.scenario, cert.model, cert.condition)
        if key not in lookup:
            raise UsageError(
                f"groups has no weather/maneuver for {'/'.join(key)}; pass "
                "condition_groups(verdicts) of the verdicts these certificates came from"
            )
        placed.append((cert, *lookup[key]))
    models = tuple(sorted({c.model for c, _, _ in placed}))
    weathers = tuple(sorted({w for _, w, _ in placed}))
    maneuvers = tuple(sorted({m for _, _, m in placed}))
    shape = (len(models), len(weathers), len(maneuvers))
    upper = np.full(shape, np.nan)
    count = np.zeros(shape, dtype=np.int64)
    unsafe = np.zeros(shape, dtype=bool)
    for cert, weather, maneuver in placed:
        at = (models.index(cert.model), weathers.index(weather), maneuvers.index(maneuver))
        upper[at] = cert.upper if count[at] == 0 else max(upper[at], cert.upper)
        count[at] += 1
        unsafe[at] |= cert.decision == "unsafe"
    return HeatmapCells(models, weathers, maneuvers, upper, count, unsafe)


def _heat_colormap() -> Colormap:
    return mpl.colormaps["YlOrRd"].with_extremes(bad=_EMPTY_COLOUR)


def heatmap(
    certificates: Sequence[Certificate],
    groups: pd.DataFrame,
    out_dir: Path,
    spec: Spec,
    name: str = "heatmap_upper",
) -> list[Path]:
    """Weather x maneuver grid of the certified upper bound of P(unsafe), one panel per model.

    A cell holding several certificates (scenarios, other condition variables) shows the
    largest upper bound and, in brackets, how many it covers. Cells with a certified-unsafe
    condition are outlined and bold; empty cells are grey with a dash. Returns the PNG and
    PDF paths.
    """
    return save_figure(heatmap_figure(certificates, groups, spec), out_dir, name)


def heatmap_figure(certificates: Sequence[Certificate], groups: pd.DataFrame, spec: Spec) -> Figure:
    """The :func:`heatmap` figure, unsaved: axes 0..M-1 are the model panels, then the
    colour bar; data coordinates (j, i) are the centre of maneuver j, weather i."""
    cells = heatmap_cells(certificates, groups)
    cmap = _heat_colormap()
    n_models, n_weathers, n_maneuvers = cells.upper.shape
    columns = [wrap_label(m) for m in cells.maneuvers]
    label_lines = max(c.count("\n") + 1 for c in columns)
    longest_row = max(len(w) for w in cells.weathers)
    width = max(5.6, 0.8 + 0.065 * longest_row + n_models * (0.3 + 1.05 * n_maneuvers) + 1.0)
    height = 1.9 + 0.55 * n_weathers + 0.14 * label_lines
    with _style():
        figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        axes = figure.subplots(1, n_models, sharey=True, squeeze=False)[0]
        image = None
        for m, ax in enumerate(axes):
            image = ax.imshow(cells.upper[m], cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
            _draw_cells(ax, cells, m, cmap)
            ax.set_title(cells.models[m], fontweight="bold")
            ax.set_xticks(range(n_maneuvers), columns)
            ax.set_yticks(range(n_weathers), cells.weathers)
            ax.set_xlabel("maneuver")
            for spine in ax.spines.values():
                spine.set_visible(False)
            ax.tick_params(length=0)
        axes[0].set_ylabel("weather")
        assert image is not None
        bar = figure.colorbar(image, ax=list(axes), fraction=0.05, pad=0.02, aspect=15)
        bar.set_label("upper bound of P(unsafe)")
        _mark_threshold(bar.ax, spec.threshold)
        _title(
            figure,
            "Certified upper bound of P(unsafe) per weather × maneuver",
            f"spec {_pretty(spec.label)} · {confidence_text(certificates)}",
        )
        handles: list[Artist] = [
            Patch(facecolor="white", edgecolor="black", linewidth=2.0),
            Patch(facecolor=_EMPTY_COLOUR, edgecolor="none"),
            Line2D([], [], color="black", linewidth=1.5),
        ]
        labels = ["certified unsafe", "no certificate (–)", "threshold (colour bar)"]
        if (cells.count > 1).any():
            handles.append(Patch(visible=False))
            labels.append("(k): worst of k conditions")
        figure.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=len(handles) if width > 7.0 else 2,
            frameon=False,
        )
    return figure


def _mark_threshold(bar: Axes, threshold: float) -> None:
    """A line at ``threshold`` on a 0..1 colour bar, and a bold tick label for it."""
    bar.axhline(threshold, color="black", linewidth=1.5)
    ticks = [t for t in np.linspace(0.0, 1.0, 6) if abs(t - threshold) > 0.06]
    ticks = sorted([*ticks, threshold])
    bar.set_yticks(ticks, [f"{t:g}" for t in ticks])
    for label, tick in zip(bar.get_yticklabels(), ticks, strict=True):
        if tick == threshold:
            label.set_fontweight("bold")


def _draw_cells(ax: Axes, cells: HeatmapCells, m: int, cmap: Colormap) -> None:
    """Annotate every cell of panel ``m``; outline unsafe cells; white grid between cells."""
    _, n_weathers, n_maneuvers = cells.upper.shape
    ax.set_xticks(np.arange(-0.5, n_maneuvers, 1.0), minor=True)
    ax.set_yticks(np.arange(-0.5, n_weathers, 1.0), minor=True)
    ax.grid(which="minor", color="white", linewidth=2.5)
    ax.tick_params(which="minor", length=0)
    for i in range(n_weathers):
        for j in range(n_maneuvers):
            value, count = cells.upper[m, i, j], int(cells.count[m, i, j])
            if count == 0:
                ax.text(j, i, "–", ha="center", va="center", color="#555555", fontsize=11)
                continue
            text = f"{_round_up(float(value)):.2f}" + (f"\n({count})" if count > 1 else "")
            unsafe = bool(cells.unsafe[m, i, j])
            colour = _text_colour(cmap(float(value)))
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                color=colour,
                fontsize=9,
                fontweight="bold" if unsafe else "normal",
                linespacing=1.1,
            )
            if unsafe:
                ax.add_patch(
                    Rectangle(
                        (j - 0.42, i - 0.40),
                        0.84,
                        0.80,
                        fill=False,
                        edgecolor="black",
                        linewidth=2.0,
                    )
                )


# -- forest plot ----------------------------------------------------------------------------


def forest_rows(certificates: Sequence[Certificate]) -> list[tuple[str, str]]:
    """The forest plot's rows, top to bottom: (scenario, condition) in sorted order."""
    return sorted({(c.scenario, c.condition) for c in certificates})


def forest_label(scenario: str, condition: str, width: int = 44) -> str:
    """``scenario · condition`` on one line, or wrapped onto several when longer than width."""
    label = f"{scenario} · {condition}"
    if len(label) <= width:
        return label
    return f"{wrap_label(scenario, width)} ·\n{wrap_label(condition, width)}"


def forest_height(rows: int, models: int, lines: int = 1) -> float:
    """Figure height in inches for ``rows`` rows of ``models`` intervals and label ``lines``."""
    return 1.9 + rows * max(0.22 + 0.14 * models, 0.08 + 0.15 * lines)


def forest_plot(
    certificates: Sequence[Certificate],
    out_dir: Path,
    spec: Spec,
    name: str = "forest",
) -> list[Path]:
    """One interval per condition per model against the threshold; returns PNG and PDF paths.

    Rows are (scenario, condition), sorted; models are offset within a row and coloured;
    the marker at the observed rate has one shape per decision.
    """
    return save_figure(forest_figure(certificates, spec), out_dir, name)


def forest_figure(certificates: Sequence[Certificate], spec: Spec) -> Figure:
    """The :func:`forest_plot` figure, unsaved."""
    _check_certificates(certificates)
    rows = forest_rows(certificates)
    models = sorted({c.model for c in certificates})
    colours = {m: MODEL_COLOURS[i % len(MODEL_COLOURS)] for i, m in enumerate(models)}
    spacing = min(0.7 / len(models), 0.25)
    offset = {m: (i - (len(models) - 1) / 2) * spacing for i, m in enumerate(models)}
    labels = [forest_label(s, c) for s, c in rows]
    longest = max(len(line) for label in labels for line in label.split("\n"))
    lines = max(label.count("\n") + 1 for label in labels)
    width = 4.8 + 0.06 * longest
    height = forest_height(len(rows), len(models), lines)
    with _style():
        figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        ax = figure.subplots()
        for i in range(0, len(rows), 2):
            ax.axhspan(i - 0.5, i + 0.5, color="#f2f2f2", zorder=0, linewidth=0)
        ax.axvline(spec.threshold, color=_THRESHOLD_COLOUR, linestyle="--", linewidth=1.2, zorder=1)
        for cert in certificates:
            y = rows.index((cert.scenario, cert.condition)) + offset[cert.model]
            colour = colours[cert.model]
            ax.plot(
                [cert.lower, cert.upper],
                [y, y],
                color=colour,
                linewidth=1.8,
                zorder=2,
                clip_on=False,
            )
            for end in (cert.lower, cert.upper):
                ax.plot(
                    [end, end],
                    [y - 0.05, y + 0.05],
                    color=colour,
                    linewidth=1.2,
                    zorder=2,
                    clip_on=False,
                )
            marker, filled = DECISION_MARKERS[cert.decision]
            ax.plot(
                [cert.rate],
                [y],
                marker=marker,
                markersize=6.5,
                color=colour,
                markerfacecolor=colour if filled else "white",
                markeredgewidth=1.3,
                linestyle="none",
                zorder=3,
                clip_on=False,
            )
        ax.set_yticks(range(len(rows)), labels)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0.0, 1.0)
        ax.set_xlabel("P(unsafe | condition)")
        ax.set_ylabel("scenario · condition")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        _title(
            figure,
            "Certified intervals of P(unsafe) per condition and model",
            f"spec {_pretty(spec.label)} · {confidence_text(certificates)}",
        )
        _forest_legend(figure, models, colours, spec.threshold)
    return figure


def _forest_legend(
    figure: Figure, models: Sequence[str], colours: dict[str, str], threshold: float
) -> None:
    """One legend below the axes, a column each for model, decision and threshold."""

    def blank(label: str = "") -> Line2D:
        return Line2D([], [], linestyle="none", label=label)

    model_handles = [Line2D([], [], color=colours[m], linewidth=1.8, label=m) for m in models]
    decision_handles = [
        Line2D(
            [],
            [],
            marker=marker,
            color="#444444",
            markerfacecolor="#444444" if filled else "white",
            markeredgewidth=1.3,
            linestyle="none",
            label=decision,
        )
        for decision, (marker, filled) in DECISION_MARKERS.items()
    ]
    threshold_handles = [
        Line2D([], [], color=_THRESHOLD_COLOUR, linestyle="--", label=f"{threshold:g}")
    ]
    columns = [
        [blank("model (colour)"), *model_handles],
        [blank("decision (marker)"), *decision_handles],
        [blank("threshold"), *threshold_handles],
    ]
    depth = max(len(column) for column in columns)
    handles = [h for column in columns for h in column + [blank()] * (depth - len(column))]
    legend = figure.legend(
        handles=handles, loc="outside lower center", ncols=len(columns), frameon=False
    )
    for text in legend.get_texts()[::depth]:
        text.set_fontweight("bold")


# -- convergence plot -----------------------------------------------------------------------


@dataclass(frozen=True)
class ConvergenceBands:
    """What the convergence plot draws for one stream of 0/1 observations, at n = 1..N.

    Attributes:
        n: 1..N.
        rate: running observed unsafe share.
        cs_lower, cs_upper: the anytime-valid confidence sequence.
        cp_lower, cp_upper: the fixed-n Clopper-Pearson interval recomputed at each n.
    """

    n: NDArray[np.int64]
    rate: Floats
    cs_lower: Floats
    cs_upper: Floats
    cp_lower: Floats
    cp_upper: Floats


def convergence_bands(
    unsafe: ArrayLike, delta: float, method: str = "beta-binomial"
) -> ConvergenceBands:
    """The confidence sequence and the re-computed Clopper-Pearson interval after each query."""
    values = np.asarray(unsafe, dtype=np.float64).ravel()
    level = check_delta(delta)
    cs_lower, cs_upper = sequence_bounds(values, method, level)
    n = np.arange(1, values.size + 1)
    ones = np.cumsum(values)
    cp_lower, cp_upper = binomial_bounds(ones, n, level)
    return ConvergenceBands(
        n, ones / n, np.asarray(cs_lower), np.asarray(cs_upper), cp_lower, cp_upper
    )


def default_convergence_keys(observations: pd.DataFrame, limit: int = 4) -> list[Key]:
    """The first ``limit`` (scenario, model, condition) in safety-table order."""
    order = [c for c in ("weather", "maneuver") if c in observations.columns]
    firsts = observations.groupby(list(KEYS), sort=False).first().reset_index()
    firsts = firsts.sort_values(
        [*order, "scenario", "condition", "model"], kind="stable"
    ).reset_index(drop=True)
    return [
        (str(r.scenario), str(r.model), str(r.condition))
        for r in firsts.head(limit).itertuples(index=False)
    ]


def convergence_plot(
    observations: pd.DataFrame,
    out_dir: Path,
    spec: Spec,
    delta: float,
    method: str = "beta-binomial",
    keys: Sequence[Key] | None = None,
    name: str = "convergence",
) -> list[Path]:
    """Bounds against the number of queries for up to four conditions (or ``keys``).

    Draws the anytime-valid confidence sequence at level ``delta`` (the level of each
    interval), the Clopper-Pearson interval recomputed at each n for contrast (valid only at
    one n fixed in advance), the running rate and the threshold. Returns PNG and PDF paths.
    """
    figure = convergence_figure(observations, spec, delta, method, keys)
    return save_figure(figure, out_dir, name)


def convergence_figure(
    observations: pd.DataFrame,
    spec: Spec,
    delta: float,
    method: str = "beta-binomial",
    keys: Sequence[Key] | None = None,
) -> Figure:
    """The :func:`convergence_plot` figure, unsaved."""
    chosen_method = check_choice("sequential method", method, SEQUENCE_METHODS)
    level = check_delta(delta)
    chosen = list(keys) if keys is not None else default_convergence_keys(observations)
    if not chosen:
        raise UsageError("no conditions to plot; observations is empty")
    streams = {}
    for key in chosen:
        rows = observations[
            (observations["scenario"] == key[0])
            & (observations["model"] == key[1])
            & (observations["condition"] == key[2])
        ]
        if rows.empty:
            raise UsageError(f"no observations for {'/'.join(key)}")
        ordered = rows.sort_values("sample", kind="stable")["unsafe"]
        streams[key] = convergence_bands(ordered.to_numpy(dtype=float), level, chosen_method)
    ncols = min(len(chosen), 2 if len(chosen) <= 4 else 3)
    nrows = math.ceil(len(chosen) / ncols)
    with _style():
        width = max(6.4, 0.8 + 3.4 * ncols)
        figure = Figure(figsize=(width, 1.5 + 2.4 * nrows), dpi=DPI, layout="constrained")
        grid = figure.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        for index, ax in enumerate(grid.flat):
            if index >= len(chosen):
                ax.set_visible(False)
                continue
            key = chosen[index]
            _draw_convergence(ax, streams[key], spec, key)
            if index % ncols == 0:
                ax.set_ylabel("P(unsafe)")
            if index >= len(chosen) - ncols:
                ax.set_xlabel("queries (scenes)")
                ax.xaxis.set_tick_params(labelbottom=True)
        grid[0, 0].set_ylim(0.0, 1.0)
        grid[0, 0].set_xlim(1, max(int(b.n[-1]) for b in streams.values()))
        _title(
            figure,
            f"Bounds as queries accrue: {chosen_method} confidence sequence vs. fixed-n "
            "Clopper-Pearson",
            f"δ = {level:.3g} per condition · spec {_pretty(spec.label)}",
        )
        handles = [
            Patch(
                facecolor="#0072B2",
                alpha=0.25,
                edgecolor="#0072B2",
                label=(f"{chosen_method} confidence sequence (anytime-valid)"),
            ),
            Line2D(
                [],
                [],
                color="#333333",
                linestyle="--",
                linewidth=0.9,
                label="Clopper-Pearson at each n (valid only at a fixed n)",
            ),
            Line2D([], [], color="#444444", linewidth=0.9, alpha=0.8, label="observed rate"),
            Line2D(
                [],
                [],
                color=_THRESHOLD_COLOUR,
                linestyle=":",
                linewidth=1.4,
                label=f"threshold {spec.threshold:g}",
            ),
        ]
        figure.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
    return figure


def _draw_convergence(ax: Axes, bands: ConvergenceBands, spec: Spec, key: Key) -> None:
    scenario, model, condition = key
    ax.fill_between(
        bands.n,
        bands.cs_lower,
        bands.cs_upper,
        color="#0072B2",
        alpha=0.25,
        linewidth=0,
        step=None,
    )
    ax.plot(bands.n, bands.cs_lower, color="#0072B2", linewidth=1.3)
    ax.plot(bands.n, bands.cs_upper, color="#0072B2", linewidth=1.3)
    ax.plot(bands.n, bands.cp_lower, color="#333333", linestyle="--", linewidth=0.9)
    ax.plot(bands.n, bands.cp_upper, color="#333333", linestyle="--", linewidth=0.9)
    ax.plot(bands.n, bands.rate, color="#444444", linewidth=0.9, alpha=0.8)
    ax.axhline(spec.threshold, color=_THRESHOLD_COLOUR, linestyle=":", linewidth=1.4)
    ax.set_title("\n".join(wrap_label(part, 44) for part in (f"{scenario} · {condition}", model)))
    ax.grid(color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)


# -- all ------------------------------------------------------------------------------------


def write_figures(
    certificates: Sequence[Certificate],
    groups: pd.DataFrame,
    observations: pd.DataFrame,
    spec: Spec,
    delta: float,
    out_dir: Path,
    method: str = "beta-binomial",
) -> dict[str, list[Path]]:
    """Write the heatmap, forest and convergence figures (PNG and PDF) into ``out_dir``.

    ``delta`` is the level of each interval of the convergence plot (delta / K for a
    Bonferroni family); ``method`` its confidence sequence.
    """
    return {
        "heatmap_upper": heatmap(certificates, groups, out_dir, spec),
        "forest": forest_plot(certificates, out_dir, spec),
        "convergence": convergence_plot(observations, out_dir, spec, delta, method),
    }
