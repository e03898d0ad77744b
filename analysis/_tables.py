"""The per-cell safety table, grouped by two condition variables, as Markdown, CSV and LaTeX.

The two grouping columns come first, headed by the variables' names capitalised (Weather
and Maneuver by default; ``group_by`` chooses others, e.g. Weather and Control). Rows are
sorted by those two, then Scenario, Question, Condition and Model (plain string order; a
stable sort, so rows equal in all six keep the certificates' order). Markdown and LaTeX
blank a repeated first group label (and the second when both repeat) after the first row of
its group; LaTeX also separates first-level groups with ``\\midrule`` and second-level ones
with ``\\addlinespace``. A cell with failed samples is incomplete: its Failed count is
above 0 and a Note column says so. The CSV keeps every value, so it stays a plain table for
``pd.read_csv``; its notes go to ``safety_table_notes.txt`` beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis._attribution import Attribution
from analysis._certificate import Certificate, common_event
from analysis._groups import DEFAULT_GROUP_BY, check_group_by, heading, place_certificates
from analysis._judge_correction import CorrectedCertificate
from analysis._latex import DAGGER as DAGGER  # re-exported for callers of the table
from analysis._latex import latex_escape as latex_escape
from analysis._latex import latex_note
from analysis._spec import Spec, probability
from drivecert import UsageError, write_atomic

_KEY_COLUMNS = ("Scenario", "Question", "Condition", "Model")
_CORRECTED = ("Corrected lower", "Corrected upper", "Width cost")
_NUMERIC = ("n", "Unsafe", "Wrong", "Unparseable", "Failed", "Rate", "Lower", "Upper", *_CORRECTED)
_COUNTS = ("n", "Unsafe", "Wrong", "Unparseable", "Failed")
_SPLIT = ("Perception ok", "Perception wrong")
_TEXT = ("Decision", *_SPLIT, "Note")
_DECIMALS = 3
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


def table_columns(
    group_by: Sequence[str] = DEFAULT_GROUP_BY,
    wrong: bool = False,
    incomplete: bool = False,
    split: bool = False,
    corrected: bool = False,
) -> tuple[str, ...]:
    """The safety table's columns, in order.

    Args:
        group_by: the two grouping variables (their headings come first).
        wrong: whether a Wrong count column is shown (the verdicts had a wrong column).
        incomplete: whether a Note column is shown (some cell had failed samples).
        split: whether the Perception ok / Perception wrong split is shown (the verdicts
            marked perception and decision questions).
        corrected: whether judge-corrected bounds and the width they cost are shown.
    """
    rows, columns = check_group_by(group_by)
    counts = tuple(c for c in _COUNTS if wrong or c != "Wrong")
    note = ("Note",) if incomplete else ()
    return (
        heading(rows),
        heading(columns),
        *_KEY_COLUMNS,
        *counts,
        "Rate",
        "Lower",
        "Upper",
        "Decision",
        *(_CORRECTED if corrected else ()),
        *(_SPLIT if split else ()),
        *note,
    )


def sort_columns(group_by: Sequence[str] = DEFAULT_GROUP_BY) -> tuple[str, ...]:
    """The columns rows are sorted by: the two groups, then scenario, question, condition,
    model."""
    return (*(heading(v) for v in check_group_by(group_by)), *_KEY_COLUMNS)


#: The default safety table's columns (grouped by weather and maneuver, no wrong count, no
#: failures).
TABLE_COLUMNS: tuple[str, ...] = table_columns()
#: The order the default table's rows are sorted in.
SORT_COLUMNS: tuple[str, ...] = sort_columns()


def incomplete_note(failed: int) -> str:
    """The Note of a cell with failures."""
    return f"incomplete: {failed} sample(s) failed and were not counted"


def describe_method(method: str, correction: str | None, conditions: int, delta: float) -> str:
    """The confidence, correction and interval method of a certificate, in words.

    E.g. "95% family-wise confidence over K=12 conditions (Bonferroni: each interval at
    delta/K); Clopper-Pearson exact intervals".

    Args:
        method: the certificate's interval method.
        correction: its ``bonferroni``/``holm`` correction, or None for a single cell.
        conditions: K, the number of cells certified together.
        delta: the family-wise miscoverage.
    """
    confidence = f"{_percent(1.0 - delta)} confidence"
    if correction is None:
        scope = f"{confidence} (one condition, no multiplicity correction)"
    else:
        family = f"{_percent(1.0 - delta)} family-wise confidence over K={conditions}"
        if correction == "bonferroni":
            scope = f"{family} conditions (Bonferroni: each interval at delta/K)"
        elif correction == "holm":
            scope = (
                f"{family} conditions; decisions by Holm's step-down procedure; "
                "intervals at delta/K (Bonferroni, simultaneous)"
            )
        else:
            scope = f"{family} conditions ({correction} correction)"
    return f"{scope}; {_METHOD_WORDS.get(method, method + ' intervals')}"


def _percent(value: float) -> str:
    """0.95 -> '95%', 0.999 -> '99.9%'."""
    return f"{round(100.0 * value, 6):g}%"


def safety_table(
    certificates: Sequence[Certificate],
    groups: pd.DataFrame,
    group_by: Sequence[str] = DEFAULT_GROUP_BY,
    attributions: Sequence[Attribution] = (),
    corrected: Sequence[CorrectedCertificate] = (),
) -> pd.DataFrame:
    """One row per certificate with its two group values, sorted into groups.

    Args:
        certificates: from :func:`analysis.certify`.
        groups: :func:`analysis.condition_groups` of the same verdicts and ``group_by``.
        group_by: the two grouping variables.
        attributions: from :func:`analysis.attribute`; when given, a decision's row shows
            its events over the scenes whose perception answers were all right
            (Perception ok, ``k/n``) and over the others (Perception wrong).
        corrected: judge-corrected certificates; when given, each row shows its
            corrected bounds and how much wider they are (Width cost).

    Returns:
        Columns :func:`table_columns` (Wrong when the certificates count it, the split with
        attributions, Note when a cell had failures), full-precision numbers, sorted by
        :func:`sort_columns` (stable).

    Raises:
        UsageError: when ``groups`` lacks a certificate's cell.
    """
    rows, columns = check_group_by(group_by)
    wrong = any(c.wrong is not None for c in certificates)
    incomplete = any(c.incomplete for c in certificates)
    split = {(a.scenario, a.model, a.question, a.condition): a for a in attributions}
    fixed = {(c.scenario, c.model, c.question, c.condition): c for c in corrected}
    records = []
    for cert, row_value, column_value in place_certificates(certificates, groups, group_by):
        attribution = split.get((cert.scenario, cert.model, cert.question, cert.condition))
        judged = fixed.get((cert.scenario, cert.model, cert.question, cert.condition))
        records.append(
            {
                heading(rows): row_value,
                heading(columns): column_value,
                "Scenario": cert.scenario,
                "Question": cert.question,
                "Condition": cert.condition,
                "Model": cert.model,
                "n": cert.n,
                "Unsafe": cert.unsafe,
                "Wrong": cert.wrong,
                "Unparseable": cert.unparseable,
                "Failed": cert.failed,
                "Rate": cert.rate,
                "Lower": cert.lower,
                "Upper": cert.upper,
                "Decision": cert.decision,
                "Corrected lower": judged.lower if judged else float("nan"),
                "Corrected upper": judged.upper if judged else float("nan"),
                "Width cost": judged.width_cost if judged else float("nan"),
                "Perception ok": (
                    f"{attribution.seen_events}/{attribution.seen}" if attribution else ""
                ),
                "Perception wrong": (
                    f"{attribution.missed_events}/{attribution.missed}" if attribution else ""
                ),
                "Note": incomplete_note(cert.failed) if cert.incomplete else "",
            }
        )
    shown = table_columns(group_by, wrong, incomplete, bool(split), bool(fixed))
    table = pd.DataFrame(records, columns=list(shown))
    counts = [c for c in _COUNTS if c in table.columns]
    table = table.astype({c: "Int64" if c == "Wrong" else int for c in counts})
    table = table.astype({c: float for c in ("Rate", "Lower", "Upper", *_CORRECTED) if c in table})
    return table.sort_values(list(sort_columns(group_by)), kind="stable").reset_index(drop=True)


def table_notes(
    certificates: Sequence[Certificate],
    spec: Spec,
    split: bool = False,
    corrected: Sequence[CorrectedCertificate] = (),
) -> list[str]:
    """The notes every rendering of the table states, one sentence group per entry
    (``split``: the table shows the perception split; ``corrected``: its judge-corrected
    bounds)."""
    event = common_event(certificates)
    described = dict.fromkeys(
        describe_method(c.method, c.correction, c.conditions, c.delta) for c in certificates
    )
    notes = [f"Spec: {spec.label_for(event)}. " + " / ".join(described) + "."]
    if event == "wrong":
        rate = (
            "Rate = Wrong / n; Wrong counts answers not in the safe set (incorrect or unsafe; "
            "unparseable answers count as wrong)."
        )
    else:
        rate = "Rate = Unsafe / n; unparseable answers count as unsafe."
    notes.append(
        f"{rate} Lower and Upper bound {probability(event, 'condition')}; Markdown and LaTeX "
        f"round them outwards to {_DECIMALS} decimals."
    )
    notes.append(_decision_note(certificates, spec))
    failed = sum(c.failed for c in certificates)
    notes.append(
        "Failed counts samples whose model or renderer call failed: neither safe nor "
        "unsafe, they are not in n."
        + (
            f" {sum(c.incomplete for c in certificates)} cell(s) with {failed} failed "
            "sample(s) in all are marked incomplete."
            if failed
            else ""
        )
    )
    if any(c.approximate for c in certificates):
        notes.append(APPROXIMATE_NOTE + ".")
    if corrected:
        first = corrected[0]
        notes.append(
            f"Judge-corrected: Lower and Upper bound the judged rate at {first.delta / 2:g} "
            "family-wise; Corrected lower and upper bound the true rate, corrected for the "
            f"judge's misreading measured on {first.calibration_size} labelled replies (sha256 "
            f"{first.calibration_fingerprint[:12]}; sensitivity >= {first.sensitivity:.3f}, "
            f"specificity >= {first.specificity:.3f}), all holding together at "
            f"{1 - first.delta:g}; Width cost is how much wider the correction makes them. "
            "The corrected decisions are in judge_corrected.csv."
        )
    if split:
        notes.append(
            f"Perception ok / Perception wrong: a decision question's {event} answers over the "
            "scenes whose perception questions (the ones it rests on) were all answered "
            f"correctly / not, as {event}/scenes; certified bounds on both and on the share "
            "of its "
            f"{event} answers that came with a perception error are in tables/attribution.md."
        )
    return notes


def _decision_note(certificates: Sequence[Certificate], spec: Spec) -> str:
    t = f"{spec.threshold:g}"
    if spec.direction == "at_most":
        rule = f"safe if Upper <= {t}, unsafe if Lower > {t}, otherwise undecided"
    else:
        rule = f"safe if Upper < {t}, unsafe if Lower >= {t}, otherwise undecided"
    if any(c.correction == "holm" for c in certificates):
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
        (c.scenario, c.model, c.question, c.condition): c.approximate for c in certificates
    }
    out = table.astype(object).copy()
    for i, row in table.iterrows():
        key = (row.Scenario, row.Model, row.Question, row.Condition)
        mark = marker if approximate.get(key) else ""
        out.at[i, "Rate"] = _number(float(row.Rate)).replace("–", dash)
        out.at[i, "Lower"] = _number(float(row.Lower), up=False)
        out.at[i, "Upper"] = _number(float(row.Upper), up=True) + mark
        if "Width cost" in table.columns:
            out.at[i, "Corrected lower"] = _number(float(row["Corrected lower"]), up=False)
            out.at[i, "Corrected upper"] = _number(float(row["Corrected upper"]), up=True)
            out.at[i, "Width cost"] = _number(float(row["Width cost"])).replace("–", dash)
        for column in _COUNTS:
            if column in table.columns:
                out.at[i, column] = dash if pd.isna(row[column]) else str(int(row[column]))
    return _blank_repeats(out)


def _blank_repeats(display: pd.DataFrame) -> pd.DataFrame:
    """Blank the first group label when it repeats the row above, and the second when both
    do (the groups are the first two columns)."""
    out = display.copy()
    previous: tuple[object, ...] | None = None
    for i in range(len(display)):
        current = tuple(display.iloc[i, :2])
        if previous is not None:
            for depth in range(2):
                if current[: depth + 1] == previous[: depth + 1]:
                    out.iat[i, depth] = ""
        previous = current
    return out


def _group_starts(table: pd.DataFrame) -> list[tuple[int, int]]:
    """(row, level) where a new group begins after row 0: level 0 for the first grouping
    variable, 1 for the second."""
    starts = []
    for i in range(1, len(table)):
        if table.iat[i, 0] != table.iat[i - 1, 0]:
            starts.append((i, 0))
        elif table.iat[i, 1] != table.iat[i - 1, 1]:
            starts.append((i, 1))
    return starts


def _markdown(
    table: pd.DataFrame, certificates: Sequence[Certificate], notes: list[str], spec: Spec
) -> str:
    display = _display(table, certificates, DAGGER, "–")
    align = ["right" if c in _NUMERIC else "left" for c in display.columns]
    body = display.to_markdown(index=False, disable_numparse=True, colalign=align)
    event = common_event(certificates)
    title = (
        f"**Safety table**: certified {probability(event, 'condition')} against "
        f"{spec.label_for(event)}."
    )
    return "\n\n".join([title, body, *notes]) + "\n"


def _latex(
    table: pd.DataFrame, certificates: Sequence[Certificate], notes: list[str], spec: Spec
) -> str:
    display = _display(table, certificates, r"$^\dagger$", "--")
    for column in (*display.columns[:2], *_KEY_COLUMNS, *_TEXT):
        if column in display.columns:
            display[column] = display[column].map(lambda v: latex_escape(str(v)))
    display = display.rename(
        columns={"n": "$n$", **{c: latex_escape(c) for c in table.columns[:2]}}
    )
    event = common_event(certificates)
    caption = f"Certified P({event} $\\mid$ condition) per condition. " + " ".join(
        latex_note(n) for n in notes
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


def _insert_group_rules(latex: str, starts: list[tuple[int, int]]) -> str:
    """\\midrule before each new first-level group, \\addlinespace before each second-level."""
    lines = latex.split("\n")
    first = lines.index("\\midrule") + 1
    rule = ("\\midrule", "\\addlinespace")
    for row, level in sorted(starts, reverse=True):
        lines.insert(first + row, rule[level])
    return "\n".join(lines)


def write_safety_table(
    table: pd.DataFrame,
    certificates: Sequence[Certificate],
    spec: Spec,
    out_dir: Path,
    corrected: Sequence[CorrectedCertificate] = (),
) -> dict[str, Path]:
    """Write safety_table.{md,csv,tex} and safety_table_notes.txt into ``out_dir``.

    Args:
        table: :func:`safety_table` of ``certificates``.
        certificates: the certificates, for their event, method, level and correction.
        spec: the specification they were certified against.
        out_dir: created when missing.

    Returns:
        ``{"md": ..., "csv": ..., "tex": ..., "notes": ...}``.
    """
    if not certificates:
        raise UsageError("no certificates to tabulate; certify a verdicts table first")
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = table_notes(certificates, spec, "Perception ok" in table.columns, corrected)
    paths = {
        "md": out_dir / "safety_table.md",
        "csv": out_dir / "safety_table.csv",
        "tex": out_dir / "safety_table.tex",
        "notes": out_dir / "safety_table_notes.txt",
    }
    write_atomic(paths["md"], _markdown(table, certificates, notes, spec))
    write_atomic(paths["csv"], table.to_csv(index=False))
    write_atomic(paths["tex"], _latex(table, certificates, notes, spec))
    write_atomic(
        paths["notes"],
        f"Notes on safety_table.csv and its .md/.tex renderings\n{chr(10).join(notes)}\n",
    )
    return paths
