"""The per-condition safety table, grouped by weather x maneuver, as Markdown, CSV and LaTeX.

Rows are sorted by Weather, then Maneuver, Scenario, Condition and Model (plain string
order; a stable sort, so rows equal in all five keep the certificates' order). Markdown and
LaTeX blank a repeated Weather (and Maneuver) label after the first row of its group; LaTeX
also separates weather groups with ``\\midrule`` and maneuver groups with ``\\addlinespace``.
The CSV keeps every value, so it stays a plain table for ``pd.read_csv``; its notes go to
``safety_table_notes.txt`` beside it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis._certify import Certificate, place_certificates
from analysis._confseq import SEQUENCE_METHODS
from analysis._intervals import EXACT_METHODS
from analysis._spec import Spec
from drivecert import UsageError

#: The safety table's columns, in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "Weather",
    "Maneuver",
    "Scenario",
    "Condition",
    "Model",
    "n",
    "Unsafe",
    "Unparseable",
    "Rate",
    "Lower",
    "Upper",
    "Decision",
)
#: The order rows are sorted in.
SORT_COLUMNS: tuple[str, ...] = ("Weather", "Maneuver", "Scenario", "Condition", "Model")
GROUP_COLUMNS: tuple[str, ...] = ("Weather", "Maneuver")
_NUMERIC = ("n", "Unsafe", "Unparseable", "Rate", "Lower", "Upper")
_DECIMALS = 3
DAGGER = "†"
APPROXIMATE_NOTE = (
    f"{DAGGER} approximate method: coverage can fall below the nominal level "
    "(see docs/statistics.md)"
)
_METHOD_WORDS = {
    "clopper-pearson": "Clopper-Pearson exact intervals",
    "wilson": f"Wilson score intervals (approximate{DAGGER})",
    "jeffreys": f"Jeffreys intervals (approximate{DAGGER})",
    "beta-binomial": "beta-binomial mixture confidence sequences (anytime-valid, exact)",
    "betting": "betting confidence sequences (Waudby-Smith & Ramdas; anytime-valid, exact)",
}
_LABEL = re.compile(r"^(?P<method>[a-z-]+)(?:\+(?P<correction>[a-z]+)\(K=(?P<k>\d+)\))?$")


@dataclass(frozen=True)
class MethodLabel:
    """A certificate's ``method`` field, parsed.

    Attributes:
        method: the interval method, e.g. ``clopper-pearson``.
        correction: ``bonferroni``, ``holm`` or None (a single condition).
        conditions: K, the number of conditions certified together (1 without correction).
    """

    method: str
    correction: str | None
    conditions: int

    @property
    def approximate(self) -> bool:
        """Whether the method's coverage can fall below 1 - delta (Wilson, Jeffreys)."""
        return self.method not in EXACT_METHODS and self.method not in SEQUENCE_METHODS


def parse_method(label: str) -> MethodLabel:
    """``clopper-pearson`` or ``clopper-pearson+bonferroni(K=12)`` as a :class:`MethodLabel`."""
    match = _LABEL.match(label.strip())
    if match is None:
        raise UsageError(
            f"cannot read certificate method {label!r}; expected e.g. "
            "clopper-pearson or clopper-pearson+bonferroni(K=12)"
        )
    k = match.group("k")
    return MethodLabel(match.group("method"), match.group("correction"), int(k) if k else 1)


def describe_method(label: str, delta: float) -> str:
    """The confidence, correction and interval method of ``label`` in words.

    E.g. "95% family-wise confidence over K=12 conditions (Bonferroni: each interval at
    delta/K); Clopper-Pearson exact intervals".
    """
    parsed = parse_method(label)
    confidence = f"{_percent(1.0 - delta)} confidence"
    if parsed.correction is None:
        scope = f"{confidence} (one condition, no multiplicity correction)"
    else:
        family = f"{_percent(1.0 - delta)} family-wise confidence over K={parsed.conditions}"
        if parsed.correction == "bonferroni":
            scope = f"{family} conditions (Bonferroni: each interval at delta/K)"
        elif parsed.correction == "holm":
            scope = (
                f"{family} conditions; decisions by Holm's step-down procedure; "
                "intervals at delta/K (Bonferroni, simultaneous)"
            )
        else:
            scope = f"{family} conditions ({parsed.correction} correction)"
    return f"{scope}; {_METHOD_WORDS.get(parsed.method, parsed.method + ' intervals')}"


def _percent(value: float) -> str:
    """0.95 -> '95%', 0.999 -> '99.9%'."""
    return f"{round(100.0 * value, 6):g}%"


def safety_table(certificates: Sequence[Certificate], groups: pd.DataFrame) -> pd.DataFrame:
    """One row per certificate with its weather and maneuver, sorted into groups.

    Args:
        certificates: from :func:`analysis._certify.certify`.
        groups: :func:`analysis._certify.condition_groups` of the same verdicts (columns
            scenario, model, condition, weather, maneuver).

    Returns:
        Columns :data:`TABLE_COLUMNS`, full-precision numbers, sorted by
        :data:`SORT_COLUMNS` (stable).

    Raises:
        UsageError: when ``groups`` lacks a certificate's (scenario, model, condition).
    """
    rows = []
    for cert, weather, maneuver in place_certificates(certificates, groups):
        rows.append(
            {
                "Weather": weather,
                "Maneuver": maneuver,
                "Scenario": cert.scenario,
                "Condition": cert.condition,
                "Model": cert.model,
                "n": cert.n,
                "Unsafe": cert.unsafe,
                "Unparseable": cert.unparseable,
                "Rate": cert.rate,
                "Lower": cert.lower,
                "Upper": cert.upper,
                "Decision": cert.decision,
            }
        )
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    table = table.astype({"n": int, "Unsafe": int, "Unparseable": int})
    table = table.astype({c: float for c in ("Rate", "Lower", "Upper")})
    return table.sort_values(list(SORT_COLUMNS), kind="stable").reset_index(drop=True)


def table_notes(certificates: Sequence[Certificate], spec: Spec) -> list[str]:
    """The notes every rendering of the table states, one sentence group per entry."""
    described = dict.fromkeys(describe_method(c.method, c.delta) for c in certificates)
    notes = [f"Spec: {spec.label}. " + " / ".join(described) + "."]
    notes.append(
        "Rate = Unsafe / n; unparseable answers count as unsafe. Lower and Upper bound "
        f"P(unsafe | condition); Markdown and LaTeX round them outwards to {_DECIMALS} decimals."
    )
    notes.append(_decision_note(certificates, spec))
    if any(parse_method(c.method).approximate for c in certificates):
        notes.append(APPROXIMATE_NOTE + ".")
    return notes


def _decision_note(certificates: Sequence[Certificate], spec: Spec) -> str:
    t = f"{spec.threshold:g}"
    if spec.direction == "at_most":
        rule = f"safe if Upper <= {t}, unsafe if Lower > {t}, otherwise undecided"
    else:
        rule = f"safe if Upper < {t}, unsafe if Lower >= {t}, otherwise undecided"
    if any(parse_method(c.method).correction == "holm" for c in certificates):
        return (
            f"Decision: by Holm's step-down tests against {t}, which can decide a condition "
            f"whose interval still contains {t}; the intervals alone support: {rule}."
        )
    return f"Decision: {rule}."


def _round_out(value: float, up: bool) -> float:
    """``value`` rounded outwards (down for a lower bound, up for an upper) to 3 decimals."""
    scale = 10.0**_DECIMALS
    scaled = value * scale
    step = math.ceil(scaled - 1e-9) if up else math.floor(scaled + 1e-9)
    return step / scale


def _number(value: float, up: bool | None = None) -> str:
    if math.isnan(value):
        return "–"
    shown = value if up is None else _round_out(value, up)
    return f"{shown:.{_DECIMALS}f}"


def _display(
    table: pd.DataFrame, certificates: Sequence[Certificate], marker: str, dash: str
) -> pd.DataFrame:
    """String cells: 3-decimal numbers, ``marker`` after approximate bounds, repeated group
    labels blanked."""
    approximate = {
        (c.scenario, c.model, c.condition): parse_method(c.method).approximate for c in certificates
    }
    out = table.astype(object).copy()
    for i, row in table.iterrows():
        mark = marker if approximate.get((row.Scenario, row.Model, row.Condition)) else ""
        out.at[i, "Rate"] = _number(float(row.Rate)).replace("–", dash)
        out.at[i, "Lower"] = _number(float(row.Lower), up=False)
        out.at[i, "Upper"] = _number(float(row.Upper), up=True) + mark
        for column in ("n", "Unsafe", "Unparseable"):
            out.at[i, column] = str(int(row[column]))
    return _blank_repeats(out)


def _blank_repeats(display: pd.DataFrame) -> pd.DataFrame:
    """Blank Weather when it repeats the row above, and Maneuver when both do."""
    out = display.copy()
    previous: tuple[object, ...] | None = None
    for i in range(len(display)):
        current = tuple(display.iloc[i][list(GROUP_COLUMNS)])
        if previous is not None:
            for depth, column in enumerate(GROUP_COLUMNS):
                if current[: depth + 1] == previous[: depth + 1]:
                    out.iat[i, out.columns.get_loc(column)] = ""
        previous = current
    return out


def _group_starts(table: pd.DataFrame) -> list[tuple[int, str]]:
    """(row, level) where a new group begins after row 0: ``weather`` or ``maneuver``."""
    starts = []
    for i in range(1, len(table)):
        if table.iloc[i]["Weather"] != table.iloc[i - 1]["Weather"]:
            starts.append((i, "weather"))
        elif table.iloc[i]["Maneuver"] != table.iloc[i - 1]["Maneuver"]:
            starts.append((i, "maneuver"))
    return starts


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped (``right_turn`` -> ``right\\_turn``)."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _latex_note(note: str) -> str:
    """A plain-text note as LaTeX: escaped, with delta, <=, >= and the dagger as math."""
    text = latex_escape(note)
    for plain, math_text in (
        ("<=", r"$\le$"),
        (">=", r"$\ge$"),
        ("<", "$<$"),
        (">", "$>$"),
        ("|", r"$\mid$"),
        ("delta/K", r"$\delta/K$"),
        ("1 - delta", r"$1-\delta$"),
        (DAGGER, r"$^\dagger$"),
        ("–", "--"),
    ):
        text = text.replace(plain, math_text)
    return text


def _markdown(
    table: pd.DataFrame, certificates: Sequence[Certificate], notes: list[str], spec: Spec
) -> str:
    display = _display(table, certificates, DAGGER, "–")
    align = ["right" if c in _NUMERIC else "left" for c in display.columns]
    body = display.to_markdown(index=False, disable_numparse=True, colalign=align)
    title = f"**Safety table**: certified P(unsafe | condition) against {spec.label}."
    return "\n\n".join([title, body, *notes]) + "\n"


def _latex(
    table: pd.DataFrame, certificates: Sequence[Certificate], notes: list[str], spec: Spec
) -> str:
    display = _display(table, certificates, r"$^\dagger$", "--")
    for column in ("Weather", "Maneuver", "Scenario", "Condition", "Model", "Decision"):
        display[column] = display[column].map(lambda v: latex_escape(str(v)))
    display = display.rename(columns={"n": "$n$"})
    caption = "Certified P(unsafe $\\mid$ condition) per condition. " + " ".join(
        _latex_note(n) for n in notes
    )
    column_format = "".join("r" if c in _NUMERIC else "l" for c in table.columns)
    latex = display.style.hide(axis="index").to_latex(
        hrules=True,
        environment="table",
        position="htbp",
        position_float="centering",
        caption=caption,
        label="tab:safety",
        column_format=column_format,
    )
    latex = latex.replace("\\centering\n", "\\centering\n\\small\n", 1)
    return _insert_group_rules(latex, _group_starts(table))


def _insert_group_rules(latex: str, starts: list[tuple[int, str]]) -> str:
    """\\midrule before each new weather group, \\addlinespace before each new maneuver."""
    lines = latex.split("\n")
    first = lines.index("\\midrule") + 1
    rule = {"weather": "\\midrule", "maneuver": "\\addlinespace"}
    for row, level in sorted(starts, reverse=True):
        lines.insert(first + row, rule[level])
    return "\n".join(lines)


def write_safety_table(
    table: pd.DataFrame, certificates: Sequence[Certificate], spec: Spec, out_dir: Path
) -> dict[str, Path]:
    """Write safety_table.{md,csv,tex} and safety_table_notes.txt into ``out_dir``.

    Args:
        table: :func:`safety_table` of ``certificates``.
        certificates: the certificates, for their method, level and correction.
        spec: the specification they were certified against.
        out_dir: created when missing.

    Returns:
        ``{"md": ..., "csv": ..., "tex": ..., "notes": ...}``.
    """
    if not certificates:
        raise UsageError("no certificates to tabulate; certify a verdicts table first")
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = table_notes(certificates, spec)
    paths = {
        "md": out_dir / "safety_table.md",
        "csv": out_dir / "safety_table.csv",
        "tex": out_dir / "safety_table.tex",
        "notes": out_dir / "safety_table_notes.txt",
    }
    paths["md"].write_text(_markdown(table, certificates, notes, spec), encoding="utf-8")
    table.to_csv(paths["csv"], index=False)
    paths["tex"].write_text(_latex(table, certificates, notes, spec), encoding="utf-8")
    paths["notes"].write_text(
        f"Notes on safety_table.csv and its .md/.tex renderings\n{chr(10).join(notes)}\n",
        encoding="utf-8",
    )
    return paths
