"""The failure-search figure: the arms' certified intervals narrowing as scenes are spent
(left), and every arm's final interval, highest first (right)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from analysis._plotting import MODEL_COLOURS, THRESHOLD_COLOUR, figure_style, save_figure
from analysis._search_types import SearchResult, Snapshot

#: Arms followed over time: the returned ones and their strongest challengers.
FOLLOWED = 8
#: Arms shown in the final panel (highest upper bounds first).
SHOWN = 40


def search_figure(
    history: Sequence[Snapshot], result: SearchResult, out_dir: Path, name: str = "search"
) -> list[Path]:
    """Write figures/search.{png,pdf}: intervals over scenes spent, and the final ones."""
    table = result.intervals
    chosen = [a.arm for a in result.arms]
    others = table[~table["selected"]].sort_values("upper", ascending=False)
    followed = [*chosen, *others["arm"].head(max(FOLLOWED - len(chosen), 2))][: FOLLOWED + 2]
    with figure_style():
        figure = Figure(figsize=(9.0, 3.6), layout="constrained")
        over_time, final = figure.subplots(1, 2, width_ratios=(1.3, 1.0))
        queries = np.asarray([s.queries for s in history], dtype=float)
        for k, arm in enumerate(followed):
            colour = MODEL_COLOURS[k % len(MODEL_COLOURS)]
            lower = np.asarray([s.lower[arm] for s in history])
            upper = np.asarray([s.upper[arm] for s in history])
            label = str(table.loc[table["arm"] == arm, "label"].iloc[0])
            style = "-" if arm in chosen else ":"
            if arm in chosen:  # challengers as lines only: their fills would hide the rest
                over_time.fill_between(queries, lower, upper, color=colour, alpha=0.15, step="post")
            over_time.step(queries, lower, where="post", color=colour, linestyle=style, lw=0.9)
            over_time.step(
                queries, upper, where="post", color=colour, linestyle=style, lw=0.9,
                label=_short(label) + (" (returned)" if arm in chosen else ""),
            )  # fmt: skip
        over_time.set_xlabel("scenes spent")
        over_time.set_ylabel("certified interval on P(unsafe)")
        over_time.set_ylim(-0.02, 1.02)
        over_time.legend(fontsize=6, loc="lower left")
        over_time.set_title("returned arms (solid) and their strongest challengers (dotted)")
        shown = table.sort_values("upper", ascending=False).head(SHOWN).reset_index(drop=True)
        y = np.arange(len(shown))[::-1]
        colours = [THRESHOLD_COLOUR if s else "#555555" for s in shown["selected"]]
        final.hlines(y, shown["lower"], shown["upper"], colors=colours, lw=1.2)
        final.scatter(shown["rate"], y, c=colours, s=8, zorder=3)
        final.set_yticks(y, [_short(str(label), 40) for label in shown["label"]], fontsize=5)
        final.set_xlim(-0.02, 1.02)
        final.set_xlabel("P(unsafe), certified interval")
        left_out = len(table) - len(shown)
        final.set_title(
            "final intervals, highest first" + (f" ({left_out} more arms)" if left_out else "")
        )
        state = "certified" if result.certified else "NOT certified (" + str(result.reason) + ")"
        figure.suptitle(
            f"Failure search: {len(chosen)} arm(s) returned, {state}, {result.queries} scenes, "
            f"{1 - result.config.delta:.0%} confidence"
        )
    return save_figure(figure, out_dir, name)


def _short(label: str, width: int = 44) -> str:
    """A label cut in the middle to ``width`` characters (both ends say which arm it is)."""
    if len(label) <= width:
        return label
    head = (width - 1) // 2
    return label[:head] + "…" + label[len(label) - (width - 1 - head) :]
