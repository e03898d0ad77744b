"""Models side by side: one row per (scenario, question, condition), one column per model.

Written beside the safety table when the certificates span two or more models (a sweep),
so that each condition reads across the models in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis._certificate import Certificate
from analysis._spec import Spec
from analysis._tables import table_notes
from drivecert import write_atomic

_MISSING = "–"


def side_by_side(certificates: Sequence[Certificate]) -> pd.DataFrame:
    """Each cell as ``decision [lower, upper] n=N`` under its model's column; rows keep the
    certificates' first-seen order, models their first-seen order."""
    models = list(dict.fromkeys(c.model for c in certificates))
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for c in certificates:
        shown = f"{c.decision} [{c.lower:.3f}, {c.upper:.3f}] n={c.n}"
        rows.setdefault((c.scenario, c.question, c.condition), {})[c.model] = shown
    return pd.DataFrame(
        [
            {
                "scenario": scenario,
                "question": question,
                "condition": condition,
                **{model: cells.get(model, _MISSING) for model in models},
            }
            for (scenario, question, condition), cells in rows.items()
        ]
    )


def write_side_by_side(
    certificates: Sequence[Certificate], spec: Spec, folder: Path
) -> dict[str, Path]:
    """``side_by_side.md`` (with the safety table's notes) and ``side_by_side.csv``."""
    table = side_by_side(certificates)
    notes = "\n".join(f"- {note}" for note in table_notes(certificates, spec))
    markdown = f"{table.to_markdown(index=False)}\n\n{notes}\n"
    return {
        "md": write_atomic(folder / "side_by_side.md", markdown),
        "csv": write_atomic(folder / "side_by_side.csv", table.to_csv(index=False)),
    }
