"""The verdicts table: one row per judged answer, the input of every certificate.

Required columns:
    scenario (str), model (str), condition (str label, e.g. ``weather=HardRainNoon``),
    sample (int >= 0: the index of the sampled scene, in sampling order),
    unsafe (bool), unparseable (bool).
Optional columns:
    question (str: which question of the scene was asked; ``any`` when absent, so one
    scene asked two questions gives two cells, not a repeated sample),
    status (``ok`` or ``failed``; absent means all ok: a failed row is a sample whose model
    or renderer call failed, never counted as safe or unsafe, and its unsafe, unparseable
    and wrong cells may be empty),
    wrong (bool: the answer is not in the safe set, Lumos's "incorrect or unsafe"; needed to
    certify event ``wrong``),
    role (``perception`` or ``decision``) and perceives (str: for a decision, the
    comma-separated question ids of the same scene's perception questions it rests on), for
    attribution; answer (str: the normalised answer, for relational specs), step (int: frame
    index within a scene's sequence, for temporal specs), any per-step flag a temporal
    property reads (e.g. ``before_line``), and the variables tables and figures group by
    (e.g. ``weather``, ``maneuver``, ``control``; taken from the condition label when
    absent); observe and the per-scene bounds unsafe_lb, unsafe_ub, wrong_lb, wrong_ub
    (see :mod:`analysis._observed`).

One sampled scene is one observation: a table with several rows for one (scenario, model,
question, condition, sample) must be folded by a temporal property before it is certified.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis._observed import check_observed
from drivecert import UsageError, json_lines

#: One certificate per value of these columns.
KEYS = ("scenario", "model", "question", "condition")
REQUIRED = ("scenario", "model", "condition", "sample", "unsafe", "unparseable")
#: The verdict columns: booleans on ok rows, ignored (and may be empty) on failed rows.
FLAGS = ("unsafe", "unparseable", "wrong")
STATUSES = ("ok", "failed")
ANY = "any"


def read_verdicts(path: Path) -> pd.DataFrame:
    """Read a verdicts table from .csv, .jsonl or .parquet and check it.

    Raises:
        UsageError: one line naming the file (and the line or row) and what is wrong:
            missing, empty, not UTF-8, malformed CSV quoting or JSON, unreadable Parquet.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UsageError(
            f"no verdicts table at {path}; give the path of a .csv, .jsonl or .parquet"
        )
    if suffix not in (".csv", ".jsonl", ".json", ".parquet"):
        raise UsageError(f"cannot read {path.name}: verdicts tables are .csv, .jsonl or .parquet")
    if path.stat().st_size == 0:
        raise UsageError(
            f"{path} is empty; a verdicts table needs a header and one row per answer "
            f"({', '.join(REQUIRED)})"
        )
    try:
        if suffix == ".csv":
            table = _read_csv(path)
        elif suffix == ".jsonl":
            table = _read_jsonl(path)
        elif suffix == ".json":
            table = pd.read_json(path)
        else:
            table = pd.read_parquet(path)
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; save the table as UTF-8") from None
    except ImportError:
        raise UsageError(
            f"reading {path.name} needs a Parquet engine: pip install pyarrow, "
            "or give the table as .csv"
        ) from None
    except (ValueError, OSError) as error:  # pandas' JSON and pyarrow's errors
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UsageError(f"{path} cannot be read as {suffix[1:]} ({first}); fix the file") from None
    return check_verdicts(table, str(path))


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise UsageError(
            f"{path} holds no table; give a header row and one row per answer"
        ) from None
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[0]
        raise UsageError(
            f"{path} is not valid CSV ({detail}); check the quotes and commas on that line"
        ) from None


def _read_jsonl(path: Path) -> pd.DataFrame:
    """One JSON object per line; a bad line is named by its number."""
    with path.open("rb") as lines:
        records = [record for _, record in json_lines(lines, str(path))]
    if not records:
        raise UsageError(f"{path} holds no rows; give one JSON object per answer")
    return pd.DataFrame.from_records(records)


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


def _as_bool(table: pd.DataFrame, column: str, where: str, ok: pd.Series) -> pd.Series:
    """``column`` as booleans; rows where ``ok`` is false are not read and become False."""
    values = [_truth(v) if keep else False for v, keep in zip(table[column], ok, strict=True)]
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


def _statuses(table: pd.DataFrame, where: str) -> pd.Series:
    """The status column as ``ok``/``failed`` (all ``ok`` when absent)."""
    if "status" not in table.columns:
        return pd.Series(STATUSES[0], index=table.index, dtype=object)
    values = [str(v).strip() if isinstance(v, str) else v for v in table["status"]]
    for row, value in enumerate(values):
        if value not in STATUSES:
            raise UsageError(
                f"{where}: status at row {row} is {_show(value)}; use ok, or failed for a "
                "sample whose model or renderer call failed"
            )
    return pd.Series(values, index=table.index, dtype=object)


def check_verdicts(table: pd.DataFrame, where: str = "verdicts") -> pd.DataFrame:
    """A checked copy with typed columns, ``question`` and ``status`` filled in.

    Keys become text (a missing question is ``any``), ``sample`` (and ``step``) whole
    numbers, ``status`` ``ok`` or ``failed``, and ``unsafe``, ``unparseable`` and ``wrong``
    (when present) booleans; on failed rows those three are not read and become False.

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
    if "question" not in out.columns:
        out["question"] = ANY
    out["question"] = out["question"].astype(object).where(out["question"].notna(), ANY)
    for column in ("scenario", "model", "condition"):
        blank = out[column].isna() | (out[column].astype(str).str.strip() == "")
        if blank.any():
            row = int(blank.to_numpy().nonzero()[0][0])
            raise UsageError(
                f"{where}: {column} at row {row} is empty; every row needs a scenario, a model "
                "and a condition label (all for an unconditioned run)"
            )
    for column in KEYS:
        out[column] = out[column].astype(str)
    out["sample"] = _indices(table, "sample", where, "samples are scene indices 0, 1, 2, ...")
    out["status"] = _statuses(out, where)
    ok = out["status"] == "ok"
    for column in FLAGS:
        if column in out.columns:
            out[column] = _as_bool(out, column, where, ok)
    check_observed(out, where, ok)
    if "step" in out.columns:
        out["step"] = _indices(table, "step", where, "steps are frame indices 0, 1, 2, ...")
    return out


def from_label(label: str, variable: str) -> str:
    """The value of ``variable`` in a condition label ``k=v,k=v``, or ``any``."""
    for part in label.split(","):
        key, _, value = part.partition("=")
        if key.strip() == variable and value.strip():
            return value.strip()
    return ANY


def group_column(table: pd.DataFrame, variable: str) -> pd.Series:
    """``variable`` per row: the table's own column when it has one, else the condition
    label's value, else ``any``."""
    if variable in table.columns:
        return table[variable].fillna(ANY).astype(str)
    return pd.Series([from_label(str(c), variable) for c in table["condition"]], index=table.index)


def repeated_samples(table: pd.DataFrame) -> pd.DataFrame:
    """Rows that share (scenario, model, question, condition, sample) with another row."""
    return table[table.duplicated([*KEYS, "sample"], keep=False)]
