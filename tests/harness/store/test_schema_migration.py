"""Stores of earlier schemas are brought to this one in place: schema 2 (before the judge
was recorded) and schema 3 (before scenes could be observed by their probabilities)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from drivecert import UsageError
from harness.store import COLUMNS, KEY, Store
from harness.store._schema import LEGACY_JUDGE, SCHEMA_VERSION

from .test_store import row

JUDGE_COLUMNS = ("judge", "judge_revision")
OBSERVED_COLUMNS = ("observe", "unsafe_lb", "unsafe_ub", "wrong_lb", "wrong_ub", "observation")
V3_COLUMNS = [c for c in COLUMNS if c.name not in OBSERVED_COLUMNS]
V2_COLUMNS = [c for c in V3_COLUMNS if c.name not in JUDGE_COLUMNS]


def write_v2(
    path: Path,
    source: Any,
    meta: dict[str, str],
    columns: list[Any] = V2_COLUMNS,
    version: str = "2",
) -> None:
    """A store as schema 2 wrote it (its DDL: every column but the judge's and the
    observed ones), holding the rows of ``source`` (a DataFrame, or a store file to copy)
    and ``meta``; ``columns``/``version`` write another old schema."""
    db = duckdb.connect(str(path))
    ddl = ",\n  ".join(f"{c.name} {c.sql}" for c in columns)
    db.execute(f"CREATE TABLE results (\n  {ddl},\n  PRIMARY KEY ({', '.join(KEY)})\n)")
    db.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    names = ", ".join(c.name for c in columns)
    if isinstance(source, Path):
        db.execute(f"ATTACH '{source}' AS old (READ_ONLY)")
        db.execute(f"INSERT INTO results SELECT {names} FROM old.results")
    elif len(source):
        db.register("_rows", source)
        db.execute(f"INSERT INTO results SELECT {names} FROM _rows")
    for key, value in {**meta, "schema_version": version}.items():
        db.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
    db.close()


def rows_frame(*rows: Any) -> Any:
    import pandas as pd

    return pd.DataFrame([vars(r) for r in rows])


def test_a_schema_2_store_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "results.duckdb"
    failed = row(1, status="failed", response=None, answer=None, unsafe=None, error="boom")
    write_v2(path, rows_frame(row(0), failed), {"fingerprint": "abc"})
    with Store.open(path) as store:
        assert store.meta("schema_version") == str(SCHEMA_VERSION) == "4"
        assert store.meta("fingerprint") == "abc"
        table = store.frame()
        assert list(table.columns) == [c.name for c in COLUMNS]
        assert set(zip(table["judge"], table["judge_revision"], strict=True)) == {LEGACY_JUDGE}
        assert LEGACY_JUDGE == ("rules", "rules-legacy")
        assert table["status"].tolist() == ["ok", "failed"] and table["answer"][0] == "yes"
        store.commit([row(2, judge="scripted:shy=1", judge_revision="scripted-judge-1")])
        table = store.frame()
    assert table["judge"].tolist() == ["rules", "rules", "scripted:shy=1"]
    assert table["judge_revision"].tolist()[1:] == ["rules-legacy", "scripted-judge-1"]
    with Store.open(path) as store:  # opened again: already schema 4, nothing to do
        assert store.count() == 3 and store.meta("schema_version") == "4"


def test_a_schema_3_store_is_migrated_in_place_with_greedy_rows(tmp_path: Path) -> None:
    path = tmp_path / "results.duckdb"
    write_v2(path, rows_frame(row(0), row(1)), {"fingerprint": "f"}, V3_COLUMNS, "3")
    with Store.open(path) as store:
        assert store.meta("schema_version") == "4" and store.meta("fingerprint") == "f"
        table = store.frame()
        assert list(table.columns) == [c.name for c in COLUMNS]
        assert table["observe"].tolist() == ["greedy", "greedy"]
        assert table["unsafe_lb"].isna().all() and table["observation"].isna().all()
        store.commit([row(2, observe="probability", unsafe_lb=0.2, unsafe_ub=0.3)])
        table = store.frame()
        outcomes = list(store.outcomes())
    assert table["observe"].tolist() == ["greedy", "greedy", "probability"]
    assert table["unsafe_ub"].tolist()[2] == 0.3
    assert (outcomes[2].unsafe_lb, outcomes[2].unsafe_ub) == (0.2, 0.3)


@pytest.mark.parametrize("version", ["1", "5"])
def test_a_store_of_an_unknown_schema_is_refused_in_one_line(tmp_path: Path, version: str) -> None:
    path = tmp_path / "results.duckdb"
    write_v2(path, rows_frame(row(0)), {})
    db = duckdb.connect(str(path))
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [version])
    db.close()
    with pytest.raises(UsageError, match=f"has store schema {version}, this drivecert writes 4"):
        Store.open(path)
    db = duckdb.connect(str(path))  # untouched
    assert [c[0] for c in db.execute("DESCRIBE results").fetchall()] == [c.name for c in V2_COLUMNS]
    db.close()
