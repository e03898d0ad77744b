"""Forest plot: the certified interval of every condition for every model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis._certificate import Certificate, common_event
from analysis._plotting import (
    DECISION_MARKERS,
    DPI,
    MODEL_COLOURS,
    THRESHOLD_COLOUR,
    cell_parts,
    check_certificates,
    confidence_text,
    figure_style,
    pretty_spec,
    save_figure,
    set_title,
    wrap_label,
)
from analysis._spec import Spec, probability


def forest_rows(certificates: Sequence[Certificate]) -> list[tuple[str, str, str]]:
    """The forest plot's rows, top to bottom: (scenario, question, condition), sorted."""
    return sorted({(c.scenario, c.question, c.condition) for c in certificates})


def forest_label(scenario: str, question: str, condition: str, width: int = 56) -> str:
    """``scenario · question · condition`` on one line (no question when it is ``any``), or
    wrapped onto several when longer than ``width``."""
    parts = cell_parts(scenario, question, condition)
    label = " · ".join(parts)
    if len(label) <= width:
        return label
    return " ·\n".join(wrap_label(part, width) for part in parts)


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

    Rows are (scenario, question, condition), sorted; models are offset within a row and coloured;
    the marker at the observed rate has one shape per decision.
    """
    return save_figure(forest_figure(certificates, spec), out_dir, name)


def forest_figure(certificates: Sequence[Certificate], spec: Spec) -> Figure:
    """The :func:`forest_plot` figure, unsaved."""
    check_certificates(certificates)
    rows = forest_rows(certificates)
    models = sorted({c.model for c in certificates})
    colours = {m: MODEL_COLOURS[i % len(MODEL_COLOURS)] for i, m in enumerate(models)}
    spacing = min(0.7 / len(models), 0.25)
    offset = {m: (i - (len(models) - 1) / 2) * spacing for i, m in enumerate(models)}
    labels = [forest_label(*row) for row in rows]
    event = common_event(certificates)
    longest = max(len(line) for label in labels for line in label.split("\n"))
    lines = max(label.count("\n") + 1 for label in labels)
    width = 4.8 + 0.06 * longest
    height = forest_height(len(rows), len(models), lines)
    with figure_style():
        figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        ax = figure.subplots()
        for i in range(0, len(rows), 2):
            ax.axhspan(i - 0.5, i + 0.5, color="#f2f2f2", zorder=0, linewidth=0)
        ax.axvline(spec.threshold, color=THRESHOLD_COLOUR, linestyle="--", linewidth=1.2, zorder=1)
        for cert in certificates:
            y = rows.index((cert.scenario, cert.question, cert.condition)) + offset[cert.model]
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
        ax.set_xlabel(probability(event, "condition"))
        questions = any(len(cell_parts(*row)) == 3 for row in rows)
        ax.set_ylabel("scenario · question · condition" if questions else "scenario · condition")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        set_title(
            figure,
            f"Certified intervals of {probability(event)} per condition and model",
            f"spec {pretty_spec(spec.label_for(event))} · {confidence_text(certificates)}",
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
        Line2D([], [], color=THRESHOLD_COLOUR, linestyle="--", label=f"{threshold:g}")
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
