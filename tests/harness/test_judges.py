"""Judges as an extension point: the registry, the rules judge and scripted judges with set
error rates."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from drivecert import UsageError
from harness.cli import main
from harness.judge import JUDGES, normalise_answer, open_judge

DATA = Path(__file__).parents[1] / "data"


def labelled(name: str) -> list[dict]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_judge_registers_itself_and_an_unknown_one_is_one_line() -> None:
    assert {"rules", "scripted"} <= set(JUDGES.names())
    with pytest.raises(UsageError, match=r"unknown judge 'rule'.*did you mean 'rules'"):
        open_judge("rule")
    with pytest.raises(UsageError, match=r"'shyness=0\.1' is not a scripted judge option"):
        open_judge("scripted:shyness=0.1")
    with pytest.raises(UsageError, match=r"shy='2' .* not a probability"):
        open_judge("scripted:shy=2")


def test_the_rules_judge_is_the_rule_reader() -> None:
    judge = open_judge("rules")
    assert judge.judge_id == "rules" and judge.revision
    for case in labelled("judge_heldout.jsonl")[:80]:
        expected = normalise_answer(case["response"], case["kind"], case["question"])
        assert judge.read(case["response"], case["kind"], case["question"]) == expected


def test_a_scripted_judge_errs_at_its_set_rates_and_always_the_same_way() -> None:
    cases = labelled("judge_cases.jsonl") + labelled("judge_heldout.jsonl")
    rules = open_judge("rules")
    judge = open_judge("scripted:shy=0.3&bold=0.5")
    read = [(rules.read(c["response"], c["kind"], c["question"]), c) for c in cases]
    answered = [c for r, c in read if r is not None]
    unread = [c for r, c in read if r is None]
    shy = sum(judge.read(c["response"], c["kind"], c["question"]) is None for c in answered)
    bold = sum(judge.read(c["response"], c["kind"], c["question"]) is not None for c in unread)
    assert abs(shy / len(answered) - 0.3) < 4 * math.sqrt(0.21 / len(answered))
    assert abs(bold / len(unread) - 0.5) < 4 * math.sqrt(0.25 / len(unread))
    first = cases[0]
    once = judge.read(first["response"], first["kind"], first["question"])
    assert all(
        judge.read(first["response"], first["kind"], first["question"]) == once for _ in range(5)
    )


def test_judge_labels_measures_the_judge_it_is_given(capsys) -> None:  # type: ignore[no-untyped-def]
    path = str(DATA / "judge_cases.jsonl")
    with pytest.raises(SystemExit):
        main(["judge", "--labels", path, "--json"])
    rules = json.loads(capsys.readouterr().out)
    with pytest.raises(SystemExit):
        main(["judge", "--labels", path, "--json", "--judge", "scripted:shy=0.2"])
    shy = json.loads(capsys.readouterr().out)
    assert rules["agreement"] == 1.0
    assert 0.7 < shy["agreement"] < 0.9 and shy["opposite"] == 0 and shy["nulls"] > 0
