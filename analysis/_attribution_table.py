"""Attribution certificates written out: attribution.csv, tables/attribution.md and the
report's sentence per decision cell."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from analysis._attribution import Attribution, attribution_frame
from drivecert import write_atomic


def _percent(value: float) -> str:
    return "–" if math.isnan(value) else f"{100 * value:.0f}%"


def _range(low: float, high: float) -> str:
    """Bounds as whole percentages rounded outwards."""
    return f"{math.floor(100 * low + 1e-9):.0f}–{math.ceil(100 * high - 1e-9):.0f}%"


def _conditional(events: int, n: int, low: float, high: float) -> str:
    return f"{events}/{n} [{_range(low, high)}]"


def attribution_sentence(item: Attribution, texts: Mapping[str, str] | None = None) -> str:
    """E.g. "in weather=HardRainNoon, 71% (certified 52–86%) of the 17 unsafe answers to
    "What should the vehicle do now?" came with a perception error (a wrong answer to "Is
    the traffic light red?": 12)". ``texts`` maps question ids to their wording."""
    names = texts or {}
    asked = names.get(item.question, item.question)
    if item.events == 0:
        return (
            f"in {item.condition}, no answer to \u201c{asked}\u201d was {item.event} "
            f"over {item.n} scenes"
        )
    missed = [part.partition("=") for part in filter(None, item.missed_by.split(";"))]
    which = "; ".join(f"\u201c{names.get(q, q)}\u201d: {count}" for q, _, count in missed)
    wrong_answers = f" (a wrong answer to {which})" if which else ""
    return (
        f"in {item.condition}, {_percent(item.share)} (certified "
        f"{_range(item.share_lower, item.share_upper)}) of the {item.events} {item.event} "
        f"answers to \u201c{asked}\u201d came with a perception error{wrong_answers}"
    )


def attribution_markdown(attributions: Sequence[Attribution]) -> str:
    """tables/attribution.md: one row per decision cell, with its notes."""
    event = attributions[0].event
    rows = [
        {
            "Scenario": a.scenario,
            "Model": a.model,
            "Condition": a.condition,
            "Question": a.question,
            "Rests on": a.perceives.replace(",", ", "),
            "n": a.n,
            f"P({event} | perception ok)": _conditional(
                a.seen_events, a.seen, a.seen_lower, a.seen_upper
            ),
            f"P({event} | perception wrong)": _conditional(
                a.missed_events, a.missed, a.missed_lower, a.missed_upper
            ),
            f"Share of {event} with a perception error": (
                f"{_percent(a.share)} of {a.events} [{_range(a.share_lower, a.share_upper)}]"
            ),
            "Wrong perceptions": a.missed_by.replace(";", ", ").replace("=", ": "),
        }
        for a in attributions
    ]
    table = pd.DataFrame(rows)
    single = [c for c in ("Scenario", "Model") if table[c].nunique() == 1]
    of = ", ".join(f"{c.lower()} {table[c].iloc[0]}" for c in single)
    body = table.drop(columns=single).to_markdown(index=False, disable_numparse=True)
    first = attributions[0]
    notes = [
        f"**Attribution**{f' ({of})' if of else ''}: each decision question's {event} answers "
        "split by whether the perception questions it rests on were all answered correctly "
        "on the same scene (an unparseable perception answer counts as wrong).",
        body,
        f"Cells show {event}/scenes [certified bounds]. All {3 * len(attributions)} "
        f"intervals hold together with probability at least {1 - first.delta:g} "
        f"({first.method}). This family is separate from the safety table's: read together, "
        f"both hold with probability at least {1 - 2 * first.delta:g}. A decision's "
        "perception is only as complete as the perception questions it rests on (Rests on).",
    ]
    return "\n\n".join(notes) + "\n"


def read_attribution(path: Path) -> list[Attribution]:
    """The certificates of an attribution.csv written by :func:`write_attribution`."""
    text = ("scenario", "model", "question", "condition", "perceives", "event", "missed_by")
    table = pd.read_csv(path, keep_default_na=False, dtype=dict.fromkeys(text, str))
    names = list(Attribution.__dataclass_fields__)
    records = table[names].to_dict("records")
    return [
        Attribution(**{**r, "perceives": str(r["perceives"]), "missed_by": str(r["missed_by"])})
        for r in records
    ]


def write_attribution(attributions: Sequence[Attribution], out: Path) -> dict[str, Path]:
    """attribution.csv in ``out`` and tables/attribution.md beside the safety table."""
    csv = out / "attribution.csv"
    attribution_frame(attributions).to_csv(csv, index=False, float_format="%.10g")
    markdown = out / "tables" / "attribution.md"
    markdown.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(markdown, attribution_markdown(attributions))
    return {"attribution": csv, "attribution_md": markdown}
