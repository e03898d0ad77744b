"""Heatmap of certified upper bounds over two grouping variables, one panel per model.

Rows are the first ``group_by`` variable (weather by default), columns the second (maneuver).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from numpy.typing import NDArray

from analysis._certificate import Certificate, common_event
from analysis._groups import DEFAULT_GROUP_BY, check_group_by, place_certificates
from analysis._plotting import (
    DPI,
    EMPTY_COLOUR,
    Floats,
    check_certificates,
    confidence_text,
    figure_style,
    pretty_spec,
    round_up,
    save_figure,
    set_title,
    text_colour,
    wrap_label,
    wrap_name,
)
from analysis._spec import Spec, probability


@dataclass(frozen=True)
class HeatmapCells:
    """Worst-case upper bounds on a rows x columns grid of two group variables, per model.

    Attributes:
        models: the panels, in sorted order.
        row_variable, column_variable: the grouping variables (e.g. weather, maneuver).
        rows, columns: their values, in sorted order.
        upper: shape (models, rows, columns); the largest upper bound of the certificates
            in each cell (over scenarios, questions and other condition variables), nan
            where there is none.
        count: how many certificates fall into each cell.
        unsafe: whether any of them is certified unsafe.
    """

    models: tuple[str, ...]
    row_variable: str
    column_variable: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    upper: Floats
    count: NDArray[np.int64]
    unsafe: NDArray[np.bool_]


def heatmap_cells(
    certificates: Sequence[Certificate],
    groups: pd.DataFrame,
    group_by: Sequence[str] = DEFAULT_GROUP_BY,
) -> HeatmapCells:
    """Aggregate ``certificates`` into ``group_by`` cells per model (worst case)."""
    check_certificates(certificates)
    row_variable, column_variable = check_group_by(group_by)
    placed = place_certificates(certificates, groups, group_by)
    models = tuple(sorted({c.model for c, _, _ in placed}))
    rows = tuple(sorted({r for _, r, _ in placed}))
    columns = tuple(sorted({c for _, _, c in placed}))
    shape = (len(models), len(rows), len(columns))
    upper = np.full(shape, np.nan)
    count = np.zeros(shape, dtype=np.int64)
    unsafe = np.zeros(shape, dtype=bool)
    for cert, row, column in placed:
        at = (models.index(cert.model), rows.index(row), columns.index(column))
        upper[at] = cert.upper if count[at] == 0 else max(upper[at], cert.upper)
        count[at] += 1
        unsafe[at] |= cert.decision == "unsafe"
    return HeatmapCells(models, row_variable, column_variable, rows, columns, upper, count, unsafe)


def _heat_colormap() -> Colormap:
    return mpl.colormaps["YlOrRd"].with_extremes(bad=EMPTY_COLOUR)


def heatmap(
    certificates: Sequence[Certificate],
    groups: pd.DataFrame,
    out_dir: Path,
    spec: Spec,
    name: str = "heatmap_upper",
    group_by: Sequence[str] = DEFAULT_GROUP_BY,
) -> list[Path]:
    """Grid of the certified upper bound of P(event) over ``group_by``, one panel per model.

    A cell holding several certificates (scenarios, questions, other condition variables)
    shows the largest upper bound and, in brackets, how many it covers. Cells with a
    certified-unsafe certificate are outlined and bold; empty cells are grey with a dash.
    Returns the PNG and PDF paths.
    """
    return save_figure(heatmap_figure(certificates, groups, spec, group_by), out_dir, name)


def heatmap_figure(
    certificates: Sequence[Certificate],
    groups: pd.DataFrame,
    spec: Spec,
    group_by: Sequence[str] = DEFAULT_GROUP_BY,
) -> Figure:
    """The :func:`heatmap` figure, unsaved: axes 0..M-1 are the model panels, then the
    colour bar; data coordinates (j, i) are the centre of column j, row i."""
    cells = heatmap_cells(certificates, groups, group_by)
    event = common_event(certificates)
    cmap = _heat_colormap()
    n_models, n_rows, n_columns = cells.upper.shape
    columns = [wrap_label(m) for m in cells.columns]
    label_lines = max(c.count("\n") + 1 for c in columns)
    longest_row = max(len(w) for w in cells.rows)
    width = max(5.6, 0.8 + 0.065 * longest_row + n_models * (0.3 + 1.05 * n_columns) + 1.0)
    panel = 0.3 + 1.05 * n_columns  # inches per model panel
    title_lines = max(wrap_name(m, int(12 * panel)).count("\n") + 1 for m in cells.models)
    height = 1.9 + 0.55 * n_rows + 0.14 * label_lines + 0.15 * (title_lines - 1)
    with figure_style():
        figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        axes = figure.subplots(1, n_models, sharey=True, squeeze=False)[0]
        image = None
        for m, ax in enumerate(axes):
            image = ax.imshow(cells.upper[m], cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
            _draw_cells(ax, cells, m, cmap)
            # about 12 characters of a 9 pt bold title per inch of panel
            ax.set_title(wrap_name(cells.models[m], int(12 * panel)), fontweight="bold")
            ax.set_xticks(range(n_columns), columns)
            ax.set_yticks(range(n_rows), cells.rows)
            ax.set_xlabel(cells.column_variable)
            for spine in ax.spines.values():
                spine.set_visible(False)
            ax.tick_params(length=0)
        axes[0].set_ylabel(cells.row_variable)
        assert image is not None
        bar = figure.colorbar(image, ax=list(axes), fraction=0.05, pad=0.02, aspect=15)
        bar.set_label(f"upper bound of {probability(event)}")
        _mark_threshold(bar.ax, spec.threshold)
        set_title(
            figure,
            f"Certified upper bound of {probability(event)} per "
            f"{cells.row_variable} × {cells.column_variable}",
            f"spec {pretty_spec(spec.label_for(event))} · {confidence_text(certificates)}",
        )
        handles: list[Artist] = [
            Patch(facecolor="white", edgecolor="black", linewidth=2.0),
            Patch(facecolor=EMPTY_COLOUR, edgecolor="none"),
            Line2D([], [], color="black", linewidth=1.5),
        ]
        labels = ["certified unsafe", "no certificate (–)", "threshold (colour bar)"]
        if (cells.count > 1).any():
            handles.append(Patch(visible=False))
            labels.append("(k): worst of k certificates")
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
    _, n_rows, n_columns = cells.upper.shape
    ax.set_xticks(np.arange(-0.5, n_columns, 1.0), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1.0), minor=True)
    ax.grid(which="minor", color="white", linewidth=2.5)
    ax.tick_params(which="minor", length=0)
    for i in range(n_rows):
        for j in range(n_columns):
            value, count = cells.upper[m, i, j], int(cells.count[m, i, j])
            if count == 0:
                ax.text(j, i, "–", ha="center", va="center", color="#555555", fontsize=11)
                continue
            text = f"{round_up(float(value)):.2f}" + (f"\n({count})" if count > 1 else "")
            unsafe = bool(cells.unsafe[m, i, j])
            colour = text_colour(cmap(float(value)))
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
