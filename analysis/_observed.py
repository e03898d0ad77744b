"""Per-scene probabilities in a verdicts table: what each scene observed of the event.

A greedy run observes one answer per scene: the event happened or not (0/1). A run that
reads the model's own probabilities observes, per scene, sound bounds on
P(event | scene) under the model's sampling:

- ``probability``: the answer distribution at the answer position
  (:class:`models.AnswerDistribution`): lb = the mass of the event's answers, ub = lb plus
  the mass that starts no answer (``other``);
- ``bounds``: the explored token tree of free-form replies (:class:`models.ReplyTree`):
  lb = the mass of completed replies the judge reads as the event, ub = lb plus the
  unexplored mass.

Optional verdict columns (on ok rows of observed cells, floats in [0, 1], lb <= ub):
``unsafe_lb``, ``unsafe_ub`` (event ``unsafe``; unparseable replies count as unsafe, as in
greedy runs) and ``wrong_lb``, ``wrong_ub`` (event ``wrong``), and ``observe`` (``greedy``,
``probability`` or ``bounds``; ``greedy`` when absent). A cell's certificate then bounds
the scene-averaged E_scene[P(event | scene)] with a bounded-mean method
(:mod:`analysis._bounded_mean`), the lower side from lb and the upper from ub.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

from analysis._bounded_mean import Floats
from drivecert import UsageError

Observe = Literal["greedy", "probability", "bounds"]
OBSERVES: tuple[Observe, ...] = get_args(Observe)
#: The per-scene bound columns of each event.
BOUND_COLUMNS: dict[str, tuple[str, str]] = {
    "unsafe": ("unsafe_lb", "unsafe_ub"),
    "wrong": ("wrong_lb", "wrong_ub"),
}


def check_observed(table: pd.DataFrame, where: str, ok: pd.Series) -> None:
    """Check (in place) the ``observe`` column and the per-scene bound columns, if any.

    ``observe`` becomes text (``greedy`` when absent or empty; added only to a table with
    bound columns); each pair of bound columns
    must come together, and on every ok row that is not greedy hold numbers in [0, 1] with
    lb <= ub.

    Raises:
        UsageError: naming the first bad column, row or value.
    """
    bound_columns = {c for pair in BOUND_COLUMNS.values() for c in pair}
    if "observe" not in table.columns and not bound_columns & set(table.columns):
        return
    if "observe" in table.columns:
        observed = table["observe"].where(table["observe"].notna(), "greedy").astype(str)
    else:
        observed = pd.Series("greedy", index=table.index, dtype=object)
    bad = ~observed.isin(OBSERVES)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise UsageError(
            f"{where}: observe at row {row} is {observed.iloc[row]!r}; use {', '.join(OBSERVES)}"
        )
    table["observe"] = observed
    measured = ok & (observed != "greedy")
    for event, (low, high) in BOUND_COLUMNS.items():
        present = [c for c in (low, high) if c in table.columns]
        if len(present) == 1:
            raise UsageError(
                f"{where} has {present[0]} without {({low, high} - set(present)).pop()}; give "
                f"both bounds of P({event}) per scene (equal for an exact probability)"
            )
        if not present:
            continue
        for column in (low, high):
            table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
            values = table[column]
            wrong = measured & (values.isna() | (values < 0) | (values > 1))
            if wrong.any():
                row = int(wrong.to_numpy().nonzero()[0][0])
                raise UsageError(
                    f"{where}: {column} at row {row} is {values.iloc[row]}; an observed scene "
                    f"needs a probability in [0, 1]"
                )
        crossed = measured & (table[low] > table[high])
        if crossed.any():
            row = int(crossed.to_numpy().nonzero()[0][0])
            raise UsageError(
                f"{where}: row {row} has {low}={table[low].iloc[row]} above "
                f"{high}={table[high].iloc[row]}; give lb <= ub"
            )
    if measured.any():
        events = [e for e, (low, _) in BOUND_COLUMNS.items() if low in table.columns]
        if not events:
            row = int(measured.to_numpy().nonzero()[0][0])
            raise UsageError(
                f"{where}: row {row} is observed by {observed.iloc[row]} but the table has no "
                "unsafe_lb/unsafe_ub columns; add the per-scene bounds, or mark it greedy"
            )


def cell_observe(ok: pd.DataFrame, where: str) -> Observe:
    """How the ok rows of one cell were observed (``greedy`` for an empty cell).

    Raises:
        UsageError: when the cell mixes ways of observing.
    """
    if "observe" not in ok.columns or ok.empty:
        return "greedy"
    found = sorted(set(ok["observe"]))
    if len(found) > 1:
        raise UsageError(
            f"{where} mixes scenes observed by {' and '.join(found)}; certify one way of "
            "observing per cell (one run per --observe)"
        )
    return found[0]  # type: ignore[no-any-return]


def event_bounds(ok: pd.DataFrame, event: str, observe: Observe) -> tuple[Floats, Floats]:
    """Per-scene (lb, ub) of P(event) for the ok rows of one cell, in order: the 0/1 flag
    twice for greedy scenes, else the bound columns.

    Raises:
        UsageError: when an observed cell lacks the event's bound columns.
    """
    if observe == "greedy":
        flags = ok[event].to_numpy(dtype=np.float64)
        return flags, flags
    low, high = BOUND_COLUMNS[event]
    if low not in ok.columns:
        raise UsageError(
            f"the verdicts are observed by {observe} but have no {low}/{high} columns; "
            f"certify the event they bound, or add P({event}) bounds per scene"
        )
    return ok[low].to_numpy(dtype=np.float64), ok[high].to_numpy(dtype=np.float64)
