"""The "where it fails" table of a failure search: the unsafe rate per variable value.

For a variable (say ``weather``) and a value (``HardRainNoon``), the marginal rate is the
plain mean of the true rates of the arms with that value, (1/|A_v|) sum_{a in A_v} p_a: the
rate of a scene drawn from a uniformly chosen cell with that value. Its interval is
[mean of the arms' lower bounds, mean of their upper bounds]. Sound: on the event that
every arm's CS holds (probability >= 1 - delta, at every time, by the search's union bound),
L_a <= p_a <= U_a for every arm, so averaging keeps the order. The intervals of every row
therefore hold together, and together with the arms' own intervals, with no further
correction. Unsampled arms count with [0, 1], so a value whose arms were barely explored
gets a wide row, not a false narrow one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis._search import SearchResult
from drivecert import UsageError

MARGINAL_COLUMNS = ("variable", "value", "arms", "sampled", "n", "unsafe", "rate", "lower", "upper")


def marginal_rates(conditions: Sequence[Mapping[str, str]], result: SearchResult) -> pd.DataFrame:
    """One row per (variable, value): the mean arm rate over the arms with that value.

    Args:
        conditions: each arm's condition, a dict variable -> value, in arm order.
        result: the search's result (its ``intervals`` give every arm's bounds).

    Returns:
        Columns ``variable, value, arms, sampled, n, unsafe, rate, lower, upper``: ``rate`` is
        the mean of the sampled arms' empirical rates (NaN if none), ``lower``/``upper`` the
        means of all the arms' bounds (module docstring). Variables in order of first
        appearance, values by decreasing ``upper`` (the worst first).
    """
    arms = result.intervals
    if len(conditions) != len(arms):
        raise UsageError(
            f"{len(conditions)} conditions for {len(arms)} arms; give one condition per arm"
        )
    table = pd.DataFrame([dict(condition) for condition in conditions])
    if table.empty or table.columns.empty:
        raise UsageError("the conditions name no variables; give each arm a dict variable -> value")
    if table.isna().any().any():
        missing = table.columns[table.isna().any()].tolist()
        raise UsageError(f"some conditions lack {missing}; give every arm every variable")
    rows = []
    for variable in table.columns:
        frame = arms.assign(value=table[variable].astype(str).to_numpy())
        frame = frame.assign(sampled=frame["n"] > 0)
        grouped = frame.groupby("value", sort=False)
        summary = grouped.agg(
            arms=("arm", "size"),
            sampled=("sampled", "sum"),
            n=("n", "sum"),
            unsafe=("unsafe", "sum"),
            rate=("rate", "mean"),
            lower=("lower", "mean"),
            upper=("upper", "mean"),
        ).reset_index()
        summary.insert(0, "variable", variable)
        rows.append(summary.sort_values(["upper", "value"], ascending=[False, True]))
    out = pd.concat(rows, ignore_index=True)
    out["sampled"] = out["sampled"].astype(np.int64)
    return out.loc[:, list(MARGINAL_COLUMNS)]
