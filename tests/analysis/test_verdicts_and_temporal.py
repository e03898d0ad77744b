"""Reading and checking verdicts tables; the temporal property language."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import (
    All,
    Always,
    Answer,
    Eventually,
    Flag,
    Not,
    Safe,
    check_verdicts,
    condition_groups,
    read_verdicts,
)
from drivecert import UsageError


def test_csv_and_jsonl_round_trip(verdicts, tmp_path) -> None:
    verdicts.to_csv(tmp_path / "v.csv", index=False)
    verdicts.to_json(tmp_path / "v.jsonl", orient="records", lines=True)
    for name in ("v.csv", "v.jsonl"):
        table = read_verdicts(tmp_path / name)
        assert len(table) == len(verdicts)
        assert table["unsafe"].dtype == bool and table["sample"].dtype.kind == "i"
        assert table["unsafe"].sum() == verdicts["unsafe"].sum()


def test_weather_and_maneuver_come_from_the_label_when_absent() -> None:
    raw = pd.DataFrame(
        {
            "scenario": ["s", "s"],
            "model": ["m", "m"],
            "condition": ["weather=HardRainNoon,maneuver=right_turn", "all"],
            "sample": [0, 0],
            "unsafe": ["true", "0"],
            "unparseable": [0, False],
        }
    )
    table = check_verdicts(raw)
    groups = condition_groups(raw)
    assert groups["weather"].tolist() == ["HardRainNoon", "any"]
    assert groups["maneuver"].tolist() == ["right_turn", "any"]
    assert table["unsafe"].tolist() == [True, False]
    assert table["question"].tolist() == ["any", "any"]
    assert table["status"].tolist() == ["ok", "ok"]


def test_bad_tables(tmp_path) -> None:
    with pytest.raises(UsageError, match="no verdicts table at"):
        read_verdicts(tmp_path / "missing.csv")
    (tmp_path / "v.xlsx").write_text("x")
    with pytest.raises(UsageError, match=r"\.csv, \.jsonl or \.parquet"):
        read_verdicts(tmp_path / "v.xlsx")
    base = {"scenario": "s", "model": "m", "condition": "all", "unsafe": 1, "unparseable": 0}
    with pytest.raises(UsageError, match="sample at row 0 is -1"):
        check_verdicts(pd.DataFrame([{**base, "sample": -1}]))
    with pytest.raises(UsageError, match="has no rows"):
        check_verdicts(pd.DataFrame(columns=[*base, "sample"]))


STEPS = [
    {"unsafe": False, "answer": "proceed", "before_line": True},
    {"unsafe": True, "answer": "stop", "before_line": True},
    {"unsafe": False, "answer": "stop", "before_line": False},
]


def test_always_and_eventually() -> None:
    assert not Always(Safe()).holds(STEPS)
    assert Always(Safe(), within=1).holds(STEPS)
    assert Eventually(Answer("stop")).holds(STEPS)
    assert not Eventually(Answer("stop"), within=1).holds(STEPS)
    stop_before = Eventually(All(Answer("stop"), Flag("before_line")))
    assert stop_before.holds(STEPS)
    assert not stop_before.holds(STEPS[:1] + STEPS[2:])
    assert Always(Not(Answer("slow_down"))).holds(STEPS)
    assert stop_before.columns == ("answer", "before_line")
