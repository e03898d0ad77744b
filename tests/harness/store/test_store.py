"""The results store: whole-batch commits, a primary key, survival of a killed writer."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drivecert import DrivecertError, UsageError
from harness.store import COLUMNS, ResultRow, Store, schema_markdown


def row(sample: int, question: str = "stop_needed", condition: str = "weather=ClearNoon", **kw):
    fields = dict(
        scenario="right_turn",
        condition=condition,
        sample=sample,
        question=question,
        question_text="Is it necessary for the vehicle to stop here?",
        kind="yes_no",
        scene_seed=2**63 + sample,
        variables='{"weather": "ClearNoon"}',
        frames=("a" * 64,),
        prompt="Is it necessary for the vehicle to stop here? Answer yes or no.",
        model="scripted:oracle",
        revision="scripted-1",
        response="yes",
        answer="yes",
        judge="rules",
        judge_revision="rules-2026-11-30",
        outcome="correct",
        expected="yes",
        safe=("yes",),
        rationale="red light",
        wrong=False,
        unsafe=False,
        over_cautious=False,
        unparseable=False,
        latency_s=0.01,
        status="ok",
        error=None,
        attempts=1,
        time=datetime.now(UTC),
    )
    fields.update(kw)
    return ResultRow(**fields)


def test_rows_round_trip_with_their_types(tmp_path: Path) -> None:
    with Store.open(tmp_path / "results.duckdb") as store:
        store.commit([row(0), row(1, status="failed", unsafe=None, error="boom")])
        table = store.frame()
    assert list(table.columns) == [c.name for c in COLUMNS]
    assert table["sample"].tolist() == [0, 1]
    assert list(table["frames"][0]) == ["a" * 64]
    assert int(table["scene_seed"][0]) == 2**63
    assert table["status"].tolist() == ["ok", "failed"]
    assert table["unsafe"].isna().tolist() == [False, True]


def test_a_repeated_key_fails_the_whole_batch(tmp_path: Path) -> None:
    with Store.open(tmp_path / "results.duckdb") as store:
        store.commit([row(0)])
        with pytest.raises(DrivecertError, match="could not store a batch"):
            store.commit([row(1), row(0)])
        assert store.count() == 1
        assert store.duplicates() == 0
        store.commit([row(1)])
        assert store.count() == 2


def _write_then_die(path: str, ready) -> None:  # runs in a child process
    store = Store.open(Path(path))
    store.commit([row(i) for i in range(3)])
    db = store._db
    db.execute("BEGIN")
    db.execute("INSERT INTO results SELECT * REPLACE (sample + 3 AS sample) FROM results")
    db.execute("DELETE FROM results WHERE sample = 0")
    ready.set()
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_writer_killed_mid_transaction_leaves_the_last_whole_batch(tmp_path: Path) -> None:
    path = tmp_path / "results.duckdb"
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    child = context.Process(target=_write_then_die, args=(str(path), ready))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL and ready.is_set()
    with Store.open(path) as store:
        assert store.frame(["sample"])["sample"].tolist() == [0, 1, 2]


def test_a_second_process_on_the_same_store_gets_one_line(tmp_path: Path) -> None:
    path = tmp_path / "results.duckdb"
    with Store.open(path):
        context = multiprocessing.get_context("spawn")
        with context.Pool(1) as pool:
            message = pool.apply(_open_message, (str(path),))
    assert "in use by another process" in message and "\n" not in message


def _open_message(path: str) -> str:
    try:
        Store.open(Path(path)).close()
    except UsageError as error:
        return str(error)
    return "opened"


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "results.duckdb"
    path.write_text("not a database")
    with pytest.raises(UsageError, match="not a readable results store"):
        Store.open(path)


def test_schema_table_documents_every_column() -> None:
    table = schema_markdown()
    for column in COLUMNS:
        assert f"`{column.name}`" in table
        assert column.doc, column.name


def test_readme_documents_the_current_schema() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- schema:start -->")[1].split("<!-- schema:end -->")[0]
    assert block.strip() == schema_markdown(), "regenerate README's schema table"
