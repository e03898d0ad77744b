"""The run's results store: ``results.duckdb``, committed one judged batch at a time.

Each :meth:`Store.commit` is one DuckDB transaction, so a run killed at any moment leaves
the store as it was after its last whole batch (DuckDB replays its write-ahead log on the
next open). The primary key (scenario, model, condition, sample, question) makes a row
counted twice impossible: a commit that repeats one fails whole. A run holds one scenario
and one model; a sweep holds many in the same table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pyarrow as pa

from drivecert import DrivecertError, UsageError
from harness.store._schema import (
    ARROW_SCHEMA,
    COLUMNS,
    KEY,
    SCHEMA_VERSION,
    ResultRow,
    create_statements,
    migrate_statements,
)

FILE_NAME = "results.duckdb"
_NAMES = ", ".join(ARROW_SCHEMA.names)


class Outcome(NamedTuple):
    """What the certifiers need of one stored row."""

    scenario: str
    model: str
    condition: str
    question: str
    sample: int
    status: str
    unsafe: bool | None
    wrong: bool | None
    unsafe_lb: float | None
    unsafe_ub: float | None
    wrong_lb: float | None
    wrong_ub: float | None


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise DrivecertError(
            "the results store needs duckdb: run bash scripts/setup.sh (pip install duckdb)"
        ) from None
    return duckdb


class Store:
    """A run's ``results.duckdb``. Open with :meth:`open`; only one process at a time."""

    def __init__(self, path: Path, connection: Any) -> None:
        self.path = path
        self._db = connection

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (or create) the store at ``path``.

        Raises:
            UsageError: when another process holds the store, or the file is not a store.
        """
        duckdb = _duckdb()
        try:
            connection = duckdb.connect(str(path))
        except duckdb.Error as error:
            first = str(error).splitlines()[0]
            if "lock" in first.lower():
                raise UsageError(
                    f"{path} is in use by another process (a run still going?); wait for it "
                    "to finish or stop it, then re-run"
                ) from None
            raise UsageError(
                f"{path} is not a readable results store ({first}); move it away or use --force-new"
            ) from None
        store = cls(path, connection)
        try:
            store._prepare()
        except BaseException:
            connection.close()
            raise
        return store

    def _prepare(self) -> None:
        listed = self._db.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        tables = {str(row[0]) for row in listed}
        if not tables:
            stamp = f"INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}')"
            self._transaction([*create_statements(), stamp])
            return
        version = self.meta("schema_version")
        if version == str(SCHEMA_VERSION):
            return
        steps = migrate_statements(str(version))
        if not steps:
            raise UsageError(
                f"{self.path} has store schema {version}, this drivecert writes {SCHEMA_VERSION}; "
                "use another --out or --force-new"
            )
        try:
            self._transaction(steps)
        except Exception as error:
            raise DrivecertError(
                f"could not bring {self.path} from store schema {version} to {SCHEMA_VERSION} "
                f"({str(error).splitlines()[0]}); it is unchanged: use another --out or --force-new"
            ) from None

    def _transaction(self, statements: Sequence[str]) -> None:
        """Run ``statements`` in one transaction: all of them, or none."""
        self._db.execute("BEGIN")
        try:
            for statement in statements:
                self._db.execute(statement)
            self._db.execute("COMMIT")
        except Exception:
            self._db.execute("ROLLBACK")
            raise

    # -- metadata -------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        """A value of the store's meta table, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value (committed at once)."""
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    # -- writing --------------------------------------------------------------------------
    def commit(self, rows: Sequence[ResultRow]) -> None:
        """Store ``rows`` in one transaction: all of them, or none.

        Raises:
            DrivecertError: when a row's key is already stored.
        """
        if not rows:
            return
        columns = {name: [getattr(row, name) for row in rows] for name in ARROW_SCHEMA.names}
        batch = pa.Table.from_pydict(columns, schema=ARROW_SCHEMA)
        self._db.execute("BEGIN")
        try:
            self._db.register("_batch", batch)
            # by name: a migrated table holds the newer columns last
            self._db.execute(f"INSERT INTO results ({_NAMES}) SELECT {_NAMES} FROM _batch")
            self._db.execute("COMMIT")
        except Exception as error:
            self._db.execute("ROLLBACK")
            raise DrivecertError(
                f"could not store a batch in {self.path}: {str(error).splitlines()[0]}"
            ) from None
        finally:
            self._db.unregister("_batch")

    # -- reading --------------------------------------------------------------------------
    def count(self) -> int:
        """Rows stored."""
        return int(self._db.execute("SELECT count(*) FROM results").fetchone()[0])

    def outcomes(self, scenario: str | None = None, model: str | None = None) -> Iterator[Outcome]:
        """Every row's outcome (of ``scenario`` and ``model`` when given), in sample order
        within each (scenario, model, condition, question): what a resumed run replays into
        its certifiers."""
        where, values = [], []
        for column, value in (("scenario", scenario), ("model", model)):
            if value is not None:
                where.append(f"{column} = ?")
                values.append(value)
        cursor = self._db.execute(
            f"SELECT {', '.join(Outcome._fields)} FROM results "
            + (f"WHERE {' AND '.join(where)} " if where else "")
            + "ORDER BY scenario, model, condition, question, sample",
            values,
        )
        while chunk := cursor.fetchmany(4096):
            yield from (Outcome(*row) for row in chunk)

    def pairs(self) -> list[tuple[str, str]]:
        """Every (scenario, model) in the store."""
        rows = self._db.execute("SELECT DISTINCT scenario, model FROM results").fetchall()
        return [(str(s), str(m)) for s, m in rows]

    def revisions(self) -> list[tuple[str, str]]:
        """Every (model, revision) in the store."""
        rows = self._db.execute("SELECT DISTINCT model, revision FROM results").fetchall()
        return [(str(m), str(r)) for m, r in rows]

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The results table (all columns, or ``columns``) ordered by its key."""
        names = list(columns) if columns is not None else [c.name for c in COLUMNS]
        unknown = sorted(set(names) - {c.name for c in COLUMNS})
        if unknown:
            raise UsageError(f"the results table has no column(s) {', '.join(unknown)}")
        select = ", ".join(names)
        query = f"SELECT {select} FROM results ORDER BY {', '.join(KEY)}"
        table: pd.DataFrame = self._db.execute(query).df()
        return table

    def duplicates(self) -> int:
        """How many keys (scenario, model, condition, sample, question) appear more than
        once (always 0)."""
        query = (
            f"SELECT count(*) FROM (SELECT {', '.join(KEY)} FROM results "
            f"GROUP BY {', '.join(KEY)} HAVING count(*) > 1)"
        )
        return int(self._db.execute(query).fetchone()[0])

    def close(self) -> None:
        """Checkpoint and close the file."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
