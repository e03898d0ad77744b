"""Coverage by simulation and exactly: Clopper-Pearson holds, Wilson and Jeffreys dip.

Also shows why confidence sequences exist: a fixed-n interval re-checked after every sample
loses its coverage, while both confidence sequences keep it up to n = 1,000.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from analysis import coverage_grid, monitored_miscoverage
from analysis._coverage import COVERAGE_NS, COVERAGE_PS, coverage_dips_markdown

DELTA = 0.05
TRIALS = 20_000
SLACK = 3 * math.sqrt(DELTA * (1 - DELTA) / TRIALS)  # three simulation standard errors
DOCS = Path(__file__).resolve().parents[2] / "docs" / "statistics.md"


@pytest.fixture(scope="module")
def grid() -> list:
    return coverage_grid(list(COVERAGE_PS), list(COVERAGE_NS), DELTA, trials=TRIALS, seed=0)


def test_clopper_pearson_covers_in_every_cell(grid: list) -> None:
    cells = [c for c in grid if c.method == "clopper-pearson"]
    assert len(cells) == len(COVERAGE_PS) * len(COVERAGE_NS)
    for cell in cells:
        assert cell.exact >= 1 - DELTA, cell
        assert cell.simulated >= 1 - DELTA - SLACK, cell


@pytest.mark.parametrize("method", ["wilson", "jeffreys"])
def test_approximate_methods_dip_below_nominal(grid: list, method: str) -> None:
    dips = [c for c in grid if c.method == method and c.exact < 1 - DELTA]
    assert dips, f"{method} never dipped below {1 - DELTA}"
    # the simulation sees the worst dip too, not just the exact sum
    worst = min(dips, key=lambda c: c.exact)
    assert worst.simulated < 1 - DELTA
    assert abs(worst.simulated - worst.exact) < 4 * SLACK


def test_where_they_dip_is_documented(grid: list) -> None:
    assert coverage_dips_markdown(grid, DELTA) in DOCS.read_text(encoding="utf-8"), (
        "docs/statistics.md is out of date; regenerate it with "
        "`.venv/bin/python scripts/coverage_table.py`"
    )


@pytest.mark.parametrize("p", [0.02, 0.1, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("method", ["beta-binomial", "betting"])
def test_confidence_sequences_cover_under_continuous_monitoring(p: float, method: str) -> None:
    miss = monitored_miscoverage(p, 1000, method, DELTA, trials=TRIALS, seed=1)
    assert miss <= DELTA + SLACK


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_rechecking_a_fixed_n_interval_breaks_coverage(p: float) -> None:
    # Checking a 95% Clopper-Pearson interval after every sample up to 1,000 (what QuaCer-C
    # and ad-hoc "sample until narrow" loops do) excludes the true p at some step far more
    # often than 5%: the interval is valid for one look at a fixed n, not for many looks.
    miss = monitored_miscoverage(p, 1000, "clopper-pearson re-checked", DELTA, TRIALS, seed=1)
    assert miss > 4 * DELTA
