"""The results store of a run: ``results.duckdb``, one row per (condition, sample, question)."""

from harness.store._schema import COLUMNS, KEY, ResultRow, schema_markdown
from harness.store._store import FILE_NAME, Store

__all__ = ["COLUMNS", "FILE_NAME", "KEY", "ResultRow", "Store", "schema_markdown"]
