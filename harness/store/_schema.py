"""The results table of a run or sweep: one row per (scenario, model, condition, sample,
question).

The columns are declared once, here; the DuckDB DDL, the Arrow batches written in each
commit and the README's schema table all derive from :data:`COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

import pyarrow as pa

SCHEMA_VERSION = 4
#: The judge recorded on rows a schema-2 store held (those were read by the rules, at a
#: revision nobody recorded).
LEGACY_JUDGE = ("rules", "rules-legacy")
Status = Literal["ok", "failed"]


@dataclass(frozen=True)
class ResultRow:
    """One judged (or failed) answer: the unit the store commits.

    Attributes:
        scenario: scenario name.
        condition: condition label, e.g. ``weather=HardRainNoon,control=light_red``.
        sample: the scene's index within its condition (0, 1, 2, ... in order).
        question: question id, e.g. ``stop_needed``.
        question_text: the question as worded in the scenario.
        kind: ``yes_no`` or ``action``.
        scene_seed: the seed the scene was drawn from.
        variables: JSON object of every condition variable's value in this scene.
        frames: sha256 of each frame shown (``frames/<sha>.png``); empty if rendering failed.
        prompt: the text sent to the model.
        model: model id.
        revision: model revision (commit, folder fingerprint, server fingerprint).
        response: the raw reply (None when the query failed).
        answer: the normalised answer (None when unparseable or failed).
        judge: the judge that read the reply (its spec, e.g. ``rules``); on a failed row,
            the judge that would have read it.
        judge_revision: the judge's revision (``rules-legacy`` on rows stored before the
            judge was recorded).
        outcome: ``correct``, ``unsafe``, ``over_cautious`` or ``unparseable`` (None if failed).
        expected: the most cautious correct answer.
        safe: every correct answer.
        rationale: why the ground truth is what it is.
        wrong: the answer is not in the safe set (unparseable counts as wrong).
        unsafe: the answer is unsafe (unparseable counts as unsafe).
        over_cautious: wrong but more cautious than needed.
        unparseable: the reply could not be normalised.
        latency_s: the model's time for this query (its share of the batch).
        status: ``ok``, or ``failed`` after every attempt failed.
        error: one line saying why it failed.
        attempts: how many times the query (or its scene's render) was tried.
        time: when the row was judged (UTC).
        observe: how the scene was observed: ``greedy`` (one reply), ``probability`` (the
            answer distribution) or ``bounds`` (an explored reply tree); for the last two
            the verdict columns read the most likely reply.
        unsafe_lb: a sound lower bound on the scene's P(unsafe) under the run's sampling (None
            when greedy or failed).
        unsafe_ub: the matching upper bound.
        wrong_lb: a sound lower bound on the scene's P(wrong).
        wrong_ub: the matching upper bound.
        observation: JSON of what the bounds rest on: the answer probabilities and other
            mass, or the reply tree's branches (text, probability, outcome) and its
            unexplored mass (None when greedy or failed).
    """

    scenario: str
    condition: str
    sample: int
    question: str
    question_text: str
    kind: str
    scene_seed: int
    variables: str
    frames: tuple[str, ...]
    prompt: str
    model: str
    revision: str
    response: str | None
    answer: str | None
    judge: str
    judge_revision: str
    outcome: str | None
    expected: str
    safe: tuple[str, ...]
    rationale: str
    wrong: bool | None
    unsafe: bool | None
    over_cautious: bool | None
    unparseable: bool | None
    latency_s: float
    status: Status
    error: str | None
    attempts: int
    time: datetime
    observe: str = "greedy"
    unsafe_lb: float | None = None
    unsafe_ub: float | None = None
    wrong_lb: float | None = None
    wrong_ub: float | None = None
    observation: str | None = None


@dataclass(frozen=True)
class Column:
    """A column of the results table."""

    name: str
    sql: str
    arrow: pa.DataType
    doc: str


_TYPES: dict[str, tuple[str, pa.DataType]] = {
    "scenario": ("VARCHAR NOT NULL", pa.string()),
    "condition": ("VARCHAR NOT NULL", pa.string()),
    "sample": ("INTEGER NOT NULL", pa.int32()),
    "question": ("VARCHAR NOT NULL", pa.string()),
    "question_text": ("VARCHAR", pa.string()),
    "kind": ("VARCHAR", pa.string()),
    "scene_seed": ("UBIGINT", pa.uint64()),
    "variables": ("VARCHAR", pa.string()),
    "frames": ("VARCHAR[]", pa.list_(pa.string())),
    "prompt": ("VARCHAR", pa.string()),
    "model": ("VARCHAR", pa.string()),
    "revision": ("VARCHAR", pa.string()),
    "response": ("VARCHAR", pa.string()),
    "answer": ("VARCHAR", pa.string()),
    "judge": ("VARCHAR", pa.string()),
    "judge_revision": ("VARCHAR", pa.string()),
    "outcome": ("VARCHAR", pa.string()),
    "expected": ("VARCHAR", pa.string()),
    "safe": ("VARCHAR[]", pa.list_(pa.string())),
    "rationale": ("VARCHAR", pa.string()),
    "wrong": ("BOOLEAN", pa.bool_()),
    "unsafe": ("BOOLEAN", pa.bool_()),
    "over_cautious": ("BOOLEAN", pa.bool_()),
    "unparseable": ("BOOLEAN", pa.bool_()),
    "latency_s": ("DOUBLE", pa.float64()),
    "status": ("VARCHAR NOT NULL", pa.string()),
    "error": ("VARCHAR", pa.string()),
    "attempts": ("INTEGER", pa.int32()),
    "time": ("TIMESTAMPTZ", pa.timestamp("us", tz="UTC")),
    "observe": ("VARCHAR", pa.string()),
    "unsafe_lb": ("DOUBLE", pa.float64()),
    "unsafe_ub": ("DOUBLE", pa.float64()),
    "wrong_lb": ("DOUBLE", pa.float64()),
    "wrong_ub": ("DOUBLE", pa.float64()),
    "observation": ("VARCHAR", pa.string()),
}
#: The columns schema 4 added, for a store migrated from schema 3.
_OBSERVED = ("observe", "unsafe_lb", "unsafe_ub", "wrong_lb", "wrong_ub", "observation")


def _docs() -> dict[str, str]:
    """Each field's line from the ResultRow docstring."""
    docs: dict[str, str] = {}
    lines = (ResultRow.__doc__ or "").splitlines()
    current = ""
    for line in lines:
        stripped = line.strip()
        name, colon, rest = stripped.partition(":")
        if colon and name in _TYPES:
            current = name
            docs[current] = rest.strip()
        elif current and stripped and not stripped.endswith(":"):
            docs[current] += " " + stripped
        else:
            current = ""
    return docs


COLUMNS: tuple[Column, ...] = tuple(
    Column(f.name, _TYPES[f.name][0], _TYPES[f.name][1], _docs().get(f.name, ""))
    for f in fields(ResultRow)
)
KEY = ("scenario", "model", "condition", "sample", "question")
ARROW_SCHEMA = pa.schema([pa.field(c.name, c.arrow) for c in COLUMNS])


def create_statements() -> list[str]:
    """The DDL of a new store."""
    columns = ",\n  ".join(f"{c.name} {c.sql}" for c in COLUMNS)
    return [
        f"CREATE TABLE results (\n  {columns},\n  PRIMARY KEY ({', '.join(KEY)})\n)",
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    ]


def migrate_statements(version: str) -> list[str]:
    """The statements that bring a store of an earlier schema ``version`` to this one, or
    an empty list when there is no way (the caller refuses the store).

    2 -> 3 adds the judge columns (old rows: :data:`LEGACY_JUDGE`); 3 -> 4 adds how each
    scene was observed (old rows: ``greedy``, no bounds).
    """
    if version not in ("2", "3"):
        return []
    steps = []
    if version == "2":
        judge, revision = LEGACY_JUDGE
        steps += [
            "ALTER TABLE results ADD COLUMN judge VARCHAR",
            "ALTER TABLE results ADD COLUMN judge_revision VARCHAR",
            f"UPDATE results SET judge = '{judge}', judge_revision = '{revision}'",
        ]
    steps += [f"ALTER TABLE results ADD COLUMN {name} {_TYPES[name][0]}" for name in _OBSERVED]
    steps += [
        "UPDATE results SET observe = 'greedy'",
        f"UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version'",
    ]
    return steps


def schema_markdown() -> str:
    """The results table as a Markdown table (for README)."""
    lines = ["| column | type | meaning |", "|---|---|---|"]
    for c in COLUMNS:
        sql = c.sql.replace(" NOT NULL", "")
        lines.append(f"| `{c.name}` | {sql} | {c.doc} |")
    return "\n".join(lines)
