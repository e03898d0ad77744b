"""The results store of a run: ``results.duckdb``, one row per (condition, sample, question)."""

from harness.store._schema import COLUMNS, KEY, ResultRow, schema_markdown
from harness.store._store import FILE_NAME, Outcome, Store

__all__ = ["COLUMNS", "FILE_NAME", "KEY", "Outcome", "ResultRow", "Store", "schema_markdown"]
