"""The robustness figure: the event's rate, with its certified interval, against severity,
one line per corruption, in one panel per (scenario, model, question, clean condition)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from analysis._certificate import Certificate
from analysis._plotting import MODEL_COLOURS, figure_style, save_figure
from analysis._robustness import BLIND, RobustnessCertificate

#: Panels drawn at most (the rest are in robustness.csv and tables/robustness.md).
MAX_PANELS = 12


def robustness_figure(
    certificates: Sequence[Certificate],
    robustness: Sequence[RobustnessCertificate],
    out_dir: Path,
) -> list[Path]:
    """Write figures/robustness.{png,pdf} (severity 0 is the clean condition); nothing
    when no corrupted condition has a clean partner."""
    cells = {(c.scenario, c.model, c.question, c.condition): c for c in certificates}
    panels: dict[tuple[str, str, str, str], dict[str, list[tuple[int, Certificate]]]] = {}
    for r in robustness:
        if not r.corruption or r.variant:
            continue  # a rewording has no severity
        key = (r.scenario, r.model, r.question, r.clean)
        corrupted = cells.get((r.scenario, r.model, r.question, r.condition))
        base = cells.get(key)
        if corrupted is None or base is None:
            continue
        line = panels.setdefault(key, {}).setdefault(r.corruption, [(0, base)])
        line.append((r.severity, corrupted))
    if not panels:
        return []  # rewordings only: no severity to plot against
    chosen = list(panels.items())[:MAX_PANELS]
    columns = min(3, len(chosen)) or 1
    rows = max(1, -(-len(chosen) // columns))
    with figure_style():
        figure = Figure(figsize=(3.4 * columns, 2.8 * rows + 0.6), layout="constrained")
        axes = figure.subplots(rows, columns, squeeze=False).ravel()
        several = len({(k[0], k[1]) for k, _ in chosen}) > 1
        for ax, ((scenario, model, question, clean), lines) in zip(axes, chosen, strict=False):
            for k, (corruption, points) in enumerate(sorted(lines.items())):
                points.sort(key=lambda p: p[0])
                x = [s for s, _ in points]
                rate = [c.rate for _, c in points]
                below = [c.rate - c.lower for _, c in points]
                above = [c.upper - c.rate for _, c in points]
                ax.errorbar(
                    [v + 0.06 * (k - len(lines) / 2) for v in x],
                    rate,
                    yerr=[below, above],
                    label=f"{corruption} (no image)" if corruption in BLIND else corruption,
                    linestyle="--" if corruption in BLIND else "-",
                    color=MODEL_COLOURS[k % len(MODEL_COLOURS)],
                    marker="o",
                    markersize=3,
                    capsize=2,
                    linewidth=1,
                )
            where = f"{scenario} · {model} | " if several else ""
            ax.set_title(f"{where}{question}\n{clean}", fontsize=8)
            ax.set_xlabel("severity (0 = clean)")
            ax.set_ylabel(f"P({certificates[0].event})")
            ax.set_ylim(-0.02, 1.02)
            ax.set_xticks(range(6))
            ax.legend(fontsize=6, ncols=2)
        for ax in axes[len(chosen) :]:
            ax.set_visible(False)
        left_out = len(panels) - len(chosen)
        figure.suptitle(
            "Rate under camera corruption, certified intervals of the cells"
            + (f" ({left_out} more panels in robustness.csv)" if left_out else "")
        )
    return save_figure(figure, out_dir, "robustness")
