"""Figures of a certification run: heatmap of upper bounds, forest plot, convergence plot.

Every figure is a :class:`matplotlib.figure.Figure` rendered by the Agg/PDF backends
directly, so pyplot's global state is never touched. Each is saved as PNG (150 dpi) and PDF
without the timestamp and software metadata, so the same input gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis._certificate import Certificate, common_event
from analysis._convergence import (
    ConvergenceBands,
    convergence_bands,
    convergence_figure,
    convergence_plot,
    default_convergence_keys,
)
from analysis._forest import forest_figure, forest_height, forest_label, forest_plot, forest_rows
from analysis._groups import DEFAULT_GROUP_BY
from analysis._heatmap import HeatmapCells, heatmap, heatmap_cells, heatmap_figure
from analysis._plotting import (
    DECISION_MARKERS,
    MODEL_COLOURS,
    cell_parts,
    confidence_text,
    save_figure,
    wrap_label,
)
from analysis._spec import Spec

__all__ = [
    "DECISION_MARKERS",
    "MODEL_COLOURS",
    "ConvergenceBands",
    "HeatmapCells",
    "cell_parts",
    "confidence_text",
    "convergence_bands",
    "convergence_figure",
    "convergence_plot",
    "default_convergence_keys",
    "forest_figure",
    "forest_height",
    "forest_label",
    "forest_plot",
    "forest_rows",
    "heatmap",
    "heatmap_cells",
    "heatmap_figure",
    "save_figure",
    "wrap_label",
    "write_figures",
]


def write_figures(
    certificates: Sequence[Certificate],
    groups: pd.DataFrame,
    observations: pd.DataFrame,
    spec: Spec,
    delta: float,
    out_dir: Path,
    method: str = "beta-binomial",
    group_by: Sequence[str] = DEFAULT_GROUP_BY,
) -> dict[str, list[Path]]:
    """Write the heatmap, forest and convergence figures (PNG and PDF) into ``out_dir``.

    ``groups`` is :func:`analysis.condition_groups` for ``group_by``; ``observations`` the
    counted (ok) scenes. ``delta`` is the level of each interval of the convergence plot
    (delta / K for a Bonferroni family); ``method`` its confidence sequence. Every figure
    names the certificates' event. Without any observation (every sample failed) there is no
    convergence to draw, and that figure is left out.
    """
    event = common_event(certificates)
    figures = {
        "heatmap_upper": heatmap(certificates, groups, out_dir, spec, group_by=group_by),
        "forest": forest_plot(certificates, out_dir, spec),
    }
    if not observations.empty:
        figures["convergence"] = convergence_plot(
            observations, out_dir, spec, delta, method, event=event, group_by=group_by
        )
    return figures
