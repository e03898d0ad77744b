"""Fuzzing every command: whatever it is given, it exits 0 or 2, prints no traceback, and a
failure never changes an output that was already there.

Inputs are random bytes, truncated and retyped verdicts tables and JSONL, empty files, and
paths that are files, folders, missing or under a file. The number of examples is bounded
so that the whole file runs in well under a minute, and fixed (derandomized) so that CI is
repeatable; ``DRIVECERT_FUZZ_EXAMPLES=500`` explores further with fresh random examples.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis._synthetic import synthetic_verdicts
from harness.cli import main

FUZZ = settings(
    max_examples=int(os.environ.get("DRIVECERT_FUZZ_EXAMPLES", "30")),
    derandomize=not os.environ.get("DRIVECERT_FUZZ_EXAMPLES"),  # CI: the same examples each time
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_counter = itertools.count()


def cli(args: list[str], capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    try:
        main(args)
        code = 0
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    _, err = capsys.readouterr()
    return code, err


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def check(code: int, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err, err


def fresh(base: Path, suffix: str = "") -> Path:
    return base / f"case{next(_counter)}{suffix}"


VALID_CSV = synthetic_verdicts(n=6, seed=2).to_csv(index=False)
VALID_JSONL = "".join(
    json.dumps(r) + "\n" for r in synthetic_verdicts(n=4, seed=3).to_dict("records")
)
COLUMNS = list(synthetic_verdicts(n=1).columns)
JUNK = st.one_of(
    st.none(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=8), st.booleans()
)


@st.composite
def table_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """A verdicts file: random bytes, a truncated valid one, or one with a retyped column."""
    kind = draw(st.sampled_from(["bytes", "truncated-csv", "truncated-jsonl", "retyped", "empty"]))
    suffix = draw(st.sampled_from([".csv", ".jsonl", ".parquet", ".json"]))
    if kind == "bytes":
        return suffix, draw(st.binary(max_size=300))
    if kind == "empty":
        return suffix, b""
    if kind == "truncated-csv":
        return ".csv", VALID_CSV.encode()[: draw(st.integers(0, len(VALID_CSV)))]
    if kind == "truncated-jsonl":
        return ".jsonl", VALID_JSONL.encode()[: draw(st.integers(0, len(VALID_JSONL)))]
    records = synthetic_verdicts(n=3, seed=4).to_dict("records")
    column = draw(st.sampled_from(COLUMNS))
    for record in records:
        record[column] = draw(JUNK)
    return ".jsonl", "".join(json.dumps(r) + "\n" for r in records).encode()


@pytest.fixture(scope="module")
def certified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding an earlier, successful certification."""
    base = tmp_path_factory.mktemp("certified")
    source = base / "good.csv"
    source.write_text(VALID_CSV)
    assert main_code(["certify", str(source), "--out", str(base / "out")]) == 0
    return base / "out"


def main_code(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exit_info:
        return int(exit_info.code or 0)
    return 0


@FUZZ
@given(table=table_bytes(), extra=st.sampled_from([[], ["--event", "wrong"], ["--spec", ">=0.9"]]))
def test_certify_any_file(
    tmp_path: Path,
    capsys,
    certified: Path,
    table: tuple[str, bytes],
    extra: list[str],  # type: ignore[no-untyped-def]
) -> None:
    suffix, content = table
    path = fresh(tmp_path, suffix)
    path.write_bytes(content)
    before = snapshot(certified)
    code, err = cli(["certify", str(path), "--out", str(certified), *extra], capsys)
    check(code, err)
    if code != 0:
        assert snapshot(certified) == before


PATHS = st.sampled_from(["missing", "file", "folder", "under-file"])


def make_path(base: Path, kind: str) -> Path:
    path = fresh(base)
    if kind == "file":
        path.write_text("already here")
    elif kind == "folder":
        path.mkdir()
    elif kind == "under-file":
        path.write_text("a file")
        path = path / "inside"
    return path


@FUZZ
@given(where=PATHS, out_kind=PATHS, content=st.binary(max_size=200))
def test_judge_any_input_and_output(
    tmp_path: Path,
    capsys,
    where: str,
    out_kind: str,
    content: bytes,  # type: ignore[no-untyped-def]
) -> None:
    source = make_path(tmp_path, where)
    if where == "missing":
        source.write_bytes(content)
    out = make_path(tmp_path, out_kind)
    before = snapshot(out) if out.is_dir() else (out.read_bytes() if out.is_file() else None)
    code, err = cli(["judge", str(source), "-o", str(out)], capsys)
    check(code, err)
    if code != 0:
        after = snapshot(out) if out.is_dir() else (out.read_bytes() if out.is_file() else None)
        assert after == before


@FUZZ
@given(
    n=st.integers(-2, 3),
    condition=st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["weather=Nope", "a=b"])),
    out_kind=PATHS,
)
def test_sample_any_arguments(
    tmp_path: Path,
    capsys,
    n: int,
    condition: str | None,
    out_kind: str,  # type: ignore[no-untyped-def]
) -> None:
    out = make_path(tmp_path, out_kind)
    args = ["sample", "right_turn", "--n", str(n), "-o", str(out)]
    if condition is not None:
        args += ["--condition", condition]
    code, err = cli(args, capsys)
    check(code, err)


@FUZZ
@given(
    unsafe=st.integers(-2, 60),
    n=st.integers(-2, 60),
    delta=st.sampled_from(["0.05", "0", "1", "nan", "-1", "x"]),
    method=st.sampled_from(["clopper-pearson", "wilson", "jeffreys", "nope"]),
)
def test_bound_any_numbers(capsys, unsafe: int, n: int, delta: str, method: str) -> None:  # type: ignore[no-untyped-def]
    args = ["bound", "--unsafe", str(unsafe), "--n", str(n), "--delta", delta, "--method", method]
    check(*cli(args, capsys))


@settings(FUZZ, max_examples=max(12, FUZZ.max_examples // 3))
@given(
    out_kind=PATHS,
    width=st.sampled_from(["8", "16", "32", "9000", "x"]),
    backend=st.sampled_from(["auto", "gl", "software", "vulkan"]),
    renderer=st.sampled_from(["embedded", "carla3d", ""]),  # carla: tests/harness/render
)
def test_render_any_settings(
    tmp_path: Path,
    capsys,
    out_kind: str,
    width: str,
    backend: str,
    renderer: str,  # type: ignore[no-untyped-def]
) -> None:
    out = make_path(tmp_path, out_kind)
    before = snapshot(out) if out.is_dir() else None
    args = ["render", "right_turn", "--n", "1", "--width", width, "--height", "18"]
    args += ["--backend", backend, "--renderer", renderer, "--out", str(out)]
    code, err = cli(args, capsys)
    check(code, err)
    if code != 0 and before is not None:
        assert snapshot(out) == before


@settings(FUZZ, max_examples=max(15, FUZZ.max_examples // 2))
@given(
    out_kind=PATHS,
    n_max=st.sampled_from(["0", "1", "-3", "x"]),
    delta=st.sampled_from(["0.05", "0", "2"]),
    spec=st.sampled_from(["<=0.5", "0.5", ">=", "<=x", "<=1.5"]),
    conditions=st.sampled_from(["default", "weather=Nope", ";", "weather=ClearNoon", "x=y"]),
    model=st.sampled_from(["scripted:oracle", "scripted:nope", "gpt:4", "hf:/no/such/folder"]),
)
def test_run_any_settings(  # type: ignore[no-untyped-def]
    tmp_path: Path, capsys, out_kind, n_max, delta, spec, conditions, model
) -> None:
    out = make_path(tmp_path, out_kind)
    before = snapshot(out) if out.is_dir() else None
    args = ["run", "right_turn", "--model", model, "--n-max", n_max, "--delta", delta]
    args += ["--spec", spec, "--conditions", conditions, "--questions", "action", "--quiet"]
    args += ["--no-figures", "--out", str(out)]
    code, err = cli(args, capsys)
    check(code, err)
    if code != 0 and before is not None:
        assert snapshot(out) == before


@FUZZ
@given(name=st.text(max_size=12))
def test_scenarios_any_name(capsys, name: str) -> None:  # type: ignore[no-untyped-def]
    check(*cli(["scenarios", name], capsys))
