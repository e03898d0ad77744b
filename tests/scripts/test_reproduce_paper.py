"""scripts/reproduce_paper.py --smoke: Lumos's driving study and our improvements, offline.

Tiny random checkpoints stand in for the 7B models, so their numbers mean nothing; the
known-answer scripted model of the extended sweep is wrong 5% of the time, 90% in heavy
rain, so its rainy cells must be certified unsafe and its clear ones safe.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from analysis import binomial_interval

ROOT = Path(__file__).resolve().parents[2]


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "reproduce_paper", ROOT / "scripts" / "reproduce_paper.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lumos")
    assert load().main(["--smoke", "--quiet", "--out", str(out)]) == 0
    return out


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False)


def test_table_1_is_laid_out_like_the_paper(paper: Path) -> None:
    table = read(paper / "paper" / "table1_published.csv")
    assert list(table.columns[:3]) == ["scenario", "question", "weather"]
    assert [c for c in table.columns if c.endswith(" n")] == ["qwen2-vl n", "llava n"]
    rows = list(zip(table["scenario"], table["question"], table["weather"], strict=True))
    assert rows[0] == ("obstacle_ahead", "stop_needed", "ClearNoon")
    assert ("right_turn", "right_turn_possible", "HardRainNoon right_exit=open") in rows
    assert len(rows) == 8
    assert (table["qwen2-vl n"] == 20).all()


def test_table_1_bounds_are_per_interval_clopper_pearson_of_the_stored_counts(
    paper: Path,
) -> None:
    module = load()
    counts = module.counts(paper / "published" / "results.duckdb")
    table = read(paper / "paper" / "table1_published.csv")
    for row in counts.itertuples(index=False):
        expected = binomial_interval(int(row.wrong), int(row.n), 0.05, "clopper-pearson")
        name = module.short(str(row.model))
        line = table[
            (table["scenario"] == row.scenario)
            & (table["question"] == row.question)
            & (table["weather"] == module.weather(row.condition))
        ]
        assert line[f"{name} lower"].iloc[0] == pytest.approx(expected.lower, abs=1e-6)
        assert line[f"{name} upper"].iloc[0] == pytest.approx(expected.upper, abs=1e-6)


def test_family_wise_bounds_are_wider_and_sequential_saves_queries(paper: Path) -> None:
    published = read(paper / "paper" / "table1_published.csv")
    familywise = read(paper / "paper" / "table2_familywise.csv")
    for model in ("qwen2-vl", "llava"):
        assert (familywise[f"{model} lower"] <= published[f"{model} lower"] + 1e-9).all()
    summary = json.loads((paper / "paper" / "summary.json").read_text())
    assert summary["queries"]["sequential"] < summary["queries"]["published"]
    assert "saved" in (paper / "paper" / "table3_sequential.md").read_text()
    split = read(paper / "paper" / "table4_split.csv")
    assert {"qwen2-vl unsafe", "qwen2-vl over_cautious", "llava unparseable"} <= set(split.columns)


def test_the_extended_sweep_certifies_the_known_answer_model(paper: Path) -> None:
    table = read(paper / "paper" / "table5_extended.csv")
    assert {"qwen2.5-vl decision", "qwen3-vl decision"} <= set(table.columns)
    assert set(table["weather"]) == {"ClearNoon", "HardRainNoon", "ClearNight", "DenseFogNoon"}
    assert {"unprotected_left", "traffic_light"} <= set(table["scenario"])
    decision = table["scripted:noisy decision"]
    assert (decision[table["weather"] == "HardRainNoon"] == "unsafe").all()
    assert (decision[table["weather"] == "ClearNoon"] == "safe").all()
    for suffix in ("png", "pdf"):
        assert (paper / "paper" / f"figure_bounds.{suffix}").stat().st_size > 10_000


def test_rerunning_resumes_every_sweep(paper: Path) -> None:
    before = (paper / "published" / "certificates.csv").read_bytes()
    assert load().main(["--smoke", "--quiet", "--out", str(paper)]) == 0
    assert (paper / "published" / "certificates.csv").read_bytes() == before
    for name in ("published", "sequential", "extended"):
        summary = json.loads((paper / name / "summary.json").read_text())
        assert summary["session"]["scenes"] == 0
