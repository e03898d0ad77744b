"""Reading JSON Lines: one object per line, and a bad line named by its number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from drivecert._errors import UsageError


def json_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line of a byte stream.

    Raises:
        UsageError: naming ``name`` and the line: not UTF-8, not JSON, or not an object.
    """
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{name}:{number}: not UTF-8 text; save the file as UTF-8") from None
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise UsageError(
                f"{name}:{number}: not valid JSON ({error.msg}); fix that line"
            ) from None
        if not isinstance(record, dict):
            raise UsageError(f"{name}:{number}: each line must be one JSON object")
        yield number, record
