"""`drivecert bound`: the stable JSON contract and its one-line errors."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint

from harness.cli import main


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.mark.parametrize(
    ("method", "reference"),
    [("clopper-pearson", "beta"), ("wilson", "wilson"), ("jeffreys", "jeffreys")],
)
def test_json_contract(method: str, reference: str, capsys) -> None:
    code, out, _ = run(
        ["bound", "--unsafe", "7", "--n", "40", "--delta", "0.1", "--method", method, "--json"],
        capsys,
    )
    assert code == 0
    record = json.loads(out)
    assert list(record) == ["lower", "upper", "method", "delta"]
    low, high = proportion_confint(7, 40, 0.1, reference)
    assert record["lower"] == pytest.approx(low, abs=1e-9)
    assert record["upper"] == pytest.approx(high, abs=1e-9)
    assert (record["method"], record["delta"]) == (method, 0.1)


def test_default_is_clopper_pearson_at_95(capsys) -> None:
    code, out, _ = run(["bound", "--unsafe", "0", "--n", "200", "--json"], capsys)
    record = json.loads(out)
    assert code == 0 and record["method"] == "clopper-pearson" and record["delta"] == 0.05
    assert record["lower"] == 0.0
    code, out, _ = run(["bound", "--unsafe", "3", "--n", "20"], capsys)
    assert "3/20 unsafe: [0.032071, 0.378927] at 0.95 confidence, clopper-pearson" in out
    code, out, _ = run(["bound", "--unsafe", "3", "--n", "20", "--method", "wilson"], capsys)
    assert "approximate" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unsafe", "5", "--n", "3"], "unsafe=5 is more than n=3"),
        (["--unsafe", "-1", "--n", "3"], "unsafe=-1 is negative"),
        (["--unsafe", "1", "--n", "-3"], "n=-3 is negative"),
        (["--unsafe", "1", "--n", "3", "--delta", "0"], "delta=0.0 is not in (0, 1)"),
        (["--unsafe", "1", "--n", "3", "--delta", "1.2"], "delta=1.2 is not in (0, 1)"),
        (["--unsafe", "1", "--n", "3", "--method", "wald"], "unknown method 'wald'"),
    ],
)
def test_impossible_input_exits_2_with_one_line(args: list[str], message: str, capsys) -> None:
    code, out, err = run(["bound", *args], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err


def test_console_script() -> None:
    exe = shutil.which("drivecert") or str(Path(sys.executable).with_name("drivecert"))
    done = subprocess.run(
        [exe, "bound", "--unsafe", "2", "--n", "10", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["method"] == "clopper-pearson"
