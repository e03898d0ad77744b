"""The two variables tables and figures group cells by (rows x columns of the heatmap).

A group value is taken from the verdicts table's own column when it has one, else from the
condition label (``weather=HardRainNoon,control=light_red``), else it is ``any``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis._certificate import CERTIFICATE_COLUMNS, Certificate
from analysis._verdicts import FLAGS, KEYS, check_verdicts, group_column
from drivecert import UsageError

GroupBy = tuple[str, str]
#: Weather down the rows, maneuver across the columns.
DEFAULT_GROUP_BY: GroupBy = ("weather", "maneuver")
# names that would clash with a column of the verdicts, certificates or safety table
_TAKEN = frozenset({*KEYS, *FLAGS, *CERTIFICATE_COLUMNS, "sample", "status", "rate", "note"})


def check_group_by(group_by: Sequence[str]) -> GroupBy:
    """``group_by`` as a pair of distinct variable names, or a one-line UsageError."""
    names = tuple(group_by)
    if len(names) != 2 or len(set(names)) != 2 or not all(isinstance(n, str) for n in names):
        raise UsageError(
            f"group_by={names!r} must name two different variables, e.g. weather,maneuver"
        )
    for name in names:
        if not name.strip() or any(ch in name for ch in ",= ") or name.lower() in _TAKEN:
            raise UsageError(
                f"cannot group by {name!r}; give a condition variable such as weather, "
                "maneuver or control"
            )
    return names[0], names[1]


def parse_group_by(text: str) -> GroupBy:
    """``"weather,control"`` as ``("weather", "control")``."""
    return check_group_by([part.strip() for part in text.split(",")])


def heading(variable: str) -> str:
    """The table heading of a group variable: ``control`` -> ``Control``."""
    return variable[:1].upper() + variable[1:]


def groups_of(table: pd.DataFrame, group_by: Sequence[str] = DEFAULT_GROUP_BY) -> pd.DataFrame:
    """:func:`condition_groups` of a table already checked (e.g. :func:`analysis.scenes`).

    Returns:
        One row per (scenario, model, question, condition), with its two group values.
    """
    rows, columns = check_group_by(group_by)
    filled = table.assign(**{name: group_column(table, name) for name in (rows, columns)})
    return filled.groupby(list(KEYS), sort=False)[[rows, columns]].first().reset_index()


def condition_groups(
    verdicts: pd.DataFrame, group_by: Sequence[str] = DEFAULT_GROUP_BY
) -> pd.DataFrame:
    """(scenario, model, question, condition) -> the two ``group_by`` values."""
    return groups_of(check_verdicts(verdicts), group_by)


def place_certificates(
    certificates: Sequence[Certificate],
    groups: pd.DataFrame,
    group_by: Sequence[str] = DEFAULT_GROUP_BY,
) -> list[tuple[Certificate, str, str]]:
    """Each certificate with its two ``group_by`` values from :func:`condition_groups`.

    Raises:
        UsageError: when ``groups`` lacks a certificate's cell or a group column.
    """
    rows, columns = check_group_by(group_by)
    if rows not in groups.columns or columns not in groups.columns:
        raise UsageError(
            f"groups has no {rows}/{columns} columns; pass condition_groups(verdicts, "
            f"group_by=({rows!r}, {columns!r}))"
        )
    lookup = {
        tuple(str(v) for v in key): (str(r), str(c))
        for *key, r, c in groups[[*KEYS, rows, columns]].itertuples(index=False, name=None)
    }
    placed: list[tuple[Certificate, str, str]] = []
    for cert in certificates:
        key = (cert.scenario, cert.model, cert.question, cert.condition)
        if key not in lookup:
            raise UsageError(
                f"groups has no {rows}/{columns} for {'/'.join(key)}; pass "
                "condition_groups(verdicts) of the verdicts these certificates came from"
            )
        placed.append((cert, *lookup[key]))
    return placed
