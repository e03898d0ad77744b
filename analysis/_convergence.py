"""Convergence curves: the bounds against the number of queries."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from numpy.typing import ArrayLike, NDArray

from analysis._checks import check_choice, check_delta
from analysis._confseq import SEQUENCE_METHODS, sequence_bounds
from analysis._groups import DEFAULT_GROUP_BY, check_group_by
from analysis._intervals import binomial_bounds
from analysis._plotting import (
    DPI,
    THRESHOLD_COLOUR,
    Floats,
    Key,
    cell_parts,
    figure_style,
    pretty_spec,
    save_figure,
    set_title,
    wrap_label,
)
from analysis._spec import EVENTS, Spec, probability
from analysis._verdicts import KEYS, group_column
from drivecert import UsageError


@dataclass(frozen=True)
class ConvergenceBands:
    """What the convergence plot draws for one stream of 0/1 observations, at n = 1..N.

    Attributes:
        n: 1..N.
        rate: running observed share of the event.
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
    outcomes: ArrayLike, delta: float, method: str = "beta-binomial"
) -> ConvergenceBands:
    """The confidence sequence and the re-computed Clopper-Pearson interval after each query
    of one stream of 0/1 outcomes (unsafe, or wrong)."""
    values = np.asarray(outcomes, dtype=np.float64).ravel()
    level = check_delta(delta)
    cs_lower, cs_upper = sequence_bounds(values, method, level)
    n = np.arange(1, values.size + 1)
    ones = np.cumsum(values)
    cp_lower, cp_upper = binomial_bounds(ones, n, level)
    return ConvergenceBands(
        n, ones / n, np.asarray(cs_lower), np.asarray(cs_upper), cp_lower, cp_upper
    )


def default_convergence_keys(
    observations: pd.DataFrame, limit: int = 4, group_by: Sequence[str] = DEFAULT_GROUP_BY
) -> list[Key]:
    """The first ``limit`` (scenario, model, question, condition) in safety-table order."""
    rows, columns = check_group_by(group_by)
    filled = observations.assign(
        **{name: group_column(observations, name) for name in (rows, columns)}
    )
    firsts = filled.groupby(list(KEYS), sort=False).first().reset_index()
    firsts = firsts.sort_values(
        [rows, columns, "scenario", "question", "condition", "model"], kind="stable"
    ).reset_index(drop=True)
    return [
        (str(r.scenario), str(r.model), str(r.question), str(r.condition))
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
    *,
    event: str = "unsafe",
    group_by: Sequence[str] = DEFAULT_GROUP_BY,
) -> list[Path]:
    """Bounds against the number of queries for up to four cells (or ``keys``).

    Draws the anytime-valid confidence sequence at level ``delta`` (the level of each
    interval), the Clopper-Pearson interval recomputed at each n for contrast (valid only at
    one n fixed in advance), the running rate of ``event`` and the threshold.
    ``observations`` are ok rows only (:func:`analysis.observations`); the default cells
    are the first four in safety-table order for ``group_by``. Returns PNG and PDF paths.
    """
    figure = convergence_figure(
        observations, spec, delta, method, keys, event=event, group_by=group_by
    )
    return save_figure(figure, out_dir, name)


def convergence_figure(
    observations: pd.DataFrame,
    spec: Spec,
    delta: float,
    method: str = "beta-binomial",
    keys: Sequence[Key] | None = None,
    *,
    event: str = "unsafe",
    group_by: Sequence[str] = DEFAULT_GROUP_BY,
) -> Figure:
    """The :func:`convergence_plot` figure, unsaved."""
    chosen_method = check_choice("sequential method", method, SEQUENCE_METHODS)
    counted = check_choice("event", event, EVENTS)
    level = check_delta(delta)
    if keys is not None:
        chosen = list(keys)
    else:
        chosen = default_convergence_keys(observations, group_by=group_by)
    if not chosen:
        raise UsageError("no conditions to plot; observations is empty")
    streams = {}
    for key in chosen:
        rows = observations[
            (observations["scenario"] == key[0])
            & (observations["model"] == key[1])
            & (observations["question"] == key[2])
            & (observations["condition"] == key[3])
        ]
        if rows.empty:
            raise UsageError(f"no observations for {'/'.join(key)}")
        if counted not in rows.columns:
            raise UsageError(f"observations have no {counted} column to plot P({counted})")
        ordered = rows.sort_values("sample", kind="stable")[counted]
        streams[key] = convergence_bands(ordered.to_numpy(dtype=float), level, chosen_method)
    ncols = min(len(chosen), 2 if len(chosen) <= 4 else 3)
    nrows = math.ceil(len(chosen) / ncols)
    with figure_style():
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
                ax.set_ylabel(probability(counted))
            if index >= len(chosen) - ncols:
                ax.set_xlabel("queries (scenes)")
                ax.xaxis.set_tick_params(labelbottom=True)
        grid[0, 0].set_ylim(0.0, 1.0)
        grid[0, 0].set_xlim(1, max(int(b.n[-1]) for b in streams.values()))
        set_title(
            figure,
            f"Bounds as queries accrue: {chosen_method} confidence sequence vs. fixed-n "
            "Clopper-Pearson",
            f"δ = {level:.3g} per condition · spec {pretty_spec(spec.label_for(counted))}",
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
            Line2D(
                [], [], color="#444444", linewidth=0.9, alpha=0.8, label=f"observed {counted} rate"
            ),
            Line2D(
                [],
                [],
                color=THRESHOLD_COLOUR,
                linestyle=":",
                linewidth=1.4,
                label=f"threshold {spec.threshold:g}",
            ),
        ]
        figure.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
    return figure


def _draw_convergence(ax: Axes, bands: ConvergenceBands, spec: Spec, key: Key) -> None:
    scenario, model, question, condition = key
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
    ax.axhline(spec.threshold, color=THRESHOLD_COLOUR, linestyle=":", linewidth=1.4)
    cell = " · ".join(cell_parts(scenario, question, condition))
    ax.set_title("\n".join(wrap_label(part, 44) for part in (cell, model)))
    ax.grid(color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
