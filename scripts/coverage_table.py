"""Print the coverage-dip table that docs/statistics.md embeds (and its test checks).

.venv/bin/python scripts/coverage_table.py
"""

from __future__ import annotations

from analysis._coverage import COVERAGE_NS, COVERAGE_PS, coverage_dips_markdown, coverage_grid

DELTA = 0.05

if __name__ == "__main__":
    grid = coverage_grid(list(COVERAGE_PS), list(COVERAGE_NS), DELTA, trials=20_000, seed=0)
    print(coverage_dips_markdown(grid, DELTA), end="")
