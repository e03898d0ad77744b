"""The verdicts table: one row per judged answer, the input of every certificate.

Required columns:
    scenario (str), model (str), condition (str label, e.g. ``weather=HardRainNoon``),
    sample (int >= 0: the index of the sampled scene, in sampling order),
    unsafe (bool), unparseable (bool).
Optional columns:
    weather, maneuver (str: what tables and figures group by; taken from the condition label
    when absent), answer (str: the normalised answer, for relational specs), step (int: frame
    index within a scene's sequence, for temporal specs), and any per-step flag a temporal
    property reads (e.g. ``before_line``).

One sampled scene is one observation: a table with several rows for one (scenario, model,
condition, sample) must be folded by a temporal property before it is certified.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from drivecert import UsageError

KEYS = ("scenario", "model", "condition")
REQUIRED = (*KEYS, "sample", "unsafe", "unparseable")
GROUPS = ("weather", "maneuver")
_ANY = "any"


def read_verdicts(path: Path) -> pd.DataFrame:
    """Read a verdicts table from .csv, .jsonl or .parquet and check it."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UsageError(
            f"no verdicts table at {path}; give the path of a .csv, .jsonl or .parquet"
        )
    if suffix == ".csv":
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    elif suffix in (".jsonl", ".json"):
        table = pd.read_json(path, lines=suffix == ".jsonl")
    elif suffix == ".parquet":
        try:
            table = pd.read_parquet(path)
        except ImportError:
            raise UsageError(
                f"reading {path.name} needs a Parquet engine: pip install pyarrow, "
                "or give the table as .csv"
            ) from None
    else:
        raise UsageError(f"cannot read {path.name}: verdicts tables are .csv, .jsonl or .parquet")
    return check_verdicts(table, str(path))


def _truth(value: object) -> bool | None:
    """True/False from a bool, 0/1 or the words true/false; None for anything else."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    return None


def _show(value: object) -> str:
    """repr for text, plain str for numbers (no numpy type names in messages)."""
    return repr(value) if isinstance(value, str) else str(value)


def _as_bool(table: pd.DataFrame, column: str, where: str) -> pd.Series:
    values = [_truth(v) for v in table[column]]
    for row, value in enumerate(values):
        if value is None:
            raise UsageError(
                f"{where}: column {column!r} row {row} is {_show(table[column].iloc[row])}; "
                "use true/false or 1/0"
            )
    return pd.Series(values, index=table.index, dtype=bool)


def _indices(table: pd.DataFrame, column: str, where: str, hint: str) -> pd.Series:
    """A column of whole numbers >= 0, or a UsageError naming the first bad row."""
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() | (values < 0) | (values % 1 != 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise UsageError(f"{where}: {column} at row {row} is {table[column].iloc[row]}; {hint}")
    return values.astype(int)


def check_verdicts(table: pd.DataFrame, where: str = "verdicts") -> pd.DataFrame:
    """A checked copy with typed columns and ``weather``/``maneuver`` filled in.

    Raises:
        UsageError: naming the first missing column or bad value.
    """
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise UsageError(
            f"{where} lacks column(s) {', '.join(missing)}; a verdicts table needs "
            f"{', '.join(REQUIRED)}"
        )
    if table.empty:
        raise UsageError(f"{where} has no rows; judge some answers first")
    out = table.copy()
    for column in KEYS:
        out[column] = out[column].astype(str)
    out["sample"] = _indices(table, "sample", where, "samples are scene indices 0, 1, 2, ...")
    for column in ("unsafe", "unparseable"):
        out[column] = _as_bool(out, column, where)
    if "step" in out.columns:
        out["step"] = _indices(table, "step", where, "steps are frame indices 0, 1, 2, ...")
    for column in GROUPS:
        if column not in out.columns:
            out[column] = [_from_label(label, column) for label in out["condition"]]
        out[column] = out[column].fillna(_ANY).astype(str)
    return out


def _from_label(label: str, variable: str) -> str:
    for part in label.split(","):
        key, _, value = part.partition("=")
        if key.strip() == variable and value.strip():
            return value.strip()
    return _ANY


def repeated_samples(table: pd.DataFrame) -> pd.DataFrame:
    """Rows that share (scenario, model, condition, sample) with another row."""
    return table[table.duplicated([*KEYS, "sample"], keep=False)]
