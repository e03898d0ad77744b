"""The safety table: grouping, CSV round trip, notes, LaTeX structure, approximate markers."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis import Certificate, Spec, certify, condition_groups
from analysis._tables import (
    APPROXIMATE_NOTE,
    SORT_COLUMNS,
    TABLE_COLUMNS,
    describe_method,
    latex_escape,
    safety_table,
    table_columns,
    write_safety_table,
)
from drivecert import UsageError

SPEC = Spec(0.3)


def written(
    verdicts: pd.DataFrame, out: Path, **options: str
) -> tuple[list[Certificate], pd.DataFrame, dict[str, Path]]:
    certificates = certify(verdicts, SPEC, **options)
    table = safety_table(certificates, condition_groups(verdicts))
    return certificates, table, write_safety_table(table, certificates, SPEC, out)


def markdown_rows(text: str) -> list[list[str]]:
    """The body cells of the (only) pipe table in ``text``."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def test_one_row_per_certificate_grouped_by_weather_then_maneuver(verdicts) -> None:
    certificates = certify(verdicts, SPEC)
    table = safety_table(certificates, condition_groups(verdicts))
    # the synthetic verdicts count wrong answers, so the table shows them after Unsafe
    assert list(table.columns) == [*TABLE_COLUMNS[:8], "Wrong", *TABLE_COLUMNS[8:]]
    assert list(table.columns) == list(table_columns(wrong=True))
    assert len(table) == len(certificates) == 12
    assert set(zip(table.Scenario, table.Model, table.Question, table.Condition, strict=True)) == {
        (c.scenario, c.model, c.question, c.condition) for c in certificates
    }
    keys = list(table[list(SORT_COLUMNS)].itertuples(index=False, name=None))
    assert keys == sorted(keys)
    # every weather is one block of rows, and every maneuver one block within it
    runs = [w for i, w in enumerate(table.Weather) if i == 0 or w != table.Weather[i - 1]]
    assert len(runs) == len(set(runs)) == 3
    pairs = list(zip(table.Weather, table.Maneuver, strict=True))
    blocks = [p for i, p in enumerate(pairs) if i == 0 or p != pairs[i - 1]]
    assert len(blocks) == len(set(blocks)) == 6
    # the maneuver comes from the verdicts' own column, not the scenario name
    assert set(table.loc[table.Scenario == "obstacle_ahead", "Maneuver"]) == {"straight"}


def test_csv_round_trips_to_the_certificates(verdicts, tmp_path) -> None:
    certificates, _, paths = written(verdicts, tmp_path)
    assert set(paths) >= {"md", "csv", "tex"} and all(p.is_file() for p in paths.values())
    assert not paths["csv"].read_text(encoding="utf-8").startswith("#")
    back = pd.read_csv(paths["csv"])
    assert list(back.columns) == list(table_columns(wrong=True))
    assert len(back) == len(certificates)
    by_key = {(c.scenario, c.model, c.question, c.condition): c for c in certificates}
    for row in back.itertuples(index=False):
        cert = by_key[(row.Scenario, row.Model, row.Question, row.Condition)]
        assert (row.n, row.Unsafe, row.Unparseable) == (cert.n, cert.unsafe, cert.unparseable)
        assert (row.Wrong, row.Failed) == (cert.wrong, 0)
        assert row.Lower == pytest.approx(cert.lower, abs=1e-9)
        assert row.Upper == pytest.approx(cert.upper, abs=1e-9)
        assert row.Rate == pytest.approx(cert.unsafe / cert.n, abs=1e-9)
        assert row.Decision == cert.decision
    # the notes travel beside the CSV, not inside it
    notes = paths["notes"].read_text(encoding="utf-8")
    assert "P(unsafe) <= 0.3" in notes and "Bonferroni" in notes


def test_markdown_states_spec_confidence_method_and_correction(verdicts, tmp_path) -> None:
    certificates, table, paths = written(verdicts, tmp_path)
    text = paths["md"].read_text(encoding="utf-8")
    lines = text.splitlines()
    last_row = max(i for i, line in enumerate(lines) if line.startswith("|"))
    notes = "\n".join(lines[last_row + 1 :])
    for phrase in (
        "P(unsafe) <= 0.3",
        "95%",
        "family-wise",
        "K=12",
        "Bonferroni",
        "Clopper-Pearson",
        "unparseable answers count as unsafe",
    ):
        assert phrase in notes, phrase
    assert "†" not in text
    rows = markdown_rows(text)
    assert len(rows) == len(certificates)
    # repeated group labels are blanked: each weather is named once
    assert [r[0] for r in rows if r[0]] == sorted(set(table.Weather))
    assert sum(bool(r[1]) for r in rows) == 6
    # 3 decimals, bounds rounded outwards
    rate_at = list(table.columns).index("Rate")
    for row, (_, full) in zip(rows, table.iterrows(), strict=True):
        rate, lower, upper = row[rate_at : rate_at + 3]
        assert all(re.fullmatch(r"\d\.\d{3}", v) for v in (rate, lower, upper))
        assert float(lower) <= full.Lower < float(lower) + 1e-3
        assert float(upper) - 1e-3 < full.Upper <= float(upper)


def _balanced(tex: str) -> bool:
    stack: list[str] = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    unescaped = re.sub(r"\\[{}$&%#_]", "", tex)
    depth = 0
    for ch in unescaped:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return not stack and depth == 0 and unescaped.count("$") % 2 == 0


def test_latex_is_booktabs_escaped_and_balanced(verdicts, tmp_path) -> None:
    certificates, _, paths = written(verdicts, tmp_path)
    tex = paths["tex"].read_text(encoding="utf-8")
    for command in (r"\toprule", r"\midrule", r"\bottomrule", r"\caption{", r"\begin{table}"):
        assert command in tex, command
    assert r"right\_turn" in tex and r"obstacle\_ahead" in tex
    assert re.search(r"(?<!\\)_", tex) is None  # no unescaped underscore anywhere
    assert _balanced(tex)
    assert r"95\%" in tex and "K=12" in tex and "Bonferroni" in tex and r"$\le$ 0.3" in tex
    body = tex[tex.index(r"\midrule") : tex.index(r"\bottomrule")]
    data_rows = [line for line in body.splitlines() if line.endswith(r"\\")]
    assert len(data_rows) == len(certificates)
    # a rule between weather groups, extra space between maneuvers within one
    assert body.count(r"\midrule") == 3 and body.count(r"\addlinespace") == 3
    assert "$^\\dagger$" not in tex


@pytest.mark.parametrize("method", ["wilson", "jeffreys"])
def test_approximate_methods_are_marked(method: str, verdicts, tmp_path) -> None:
    certificates, _, paths = written(verdicts, tmp_path, method=method)
    text = paths["md"].read_text(encoding="utf-8")
    rows = markdown_rows(text)
    upper_at = list(safety_table(certificates, condition_groups(verdicts)).columns).index("Upper")
    assert all(row[upper_at].endswith("†") for row in rows) and len(rows) == len(certificates)
    assert APPROXIMATE_NOTE in text
    assert APPROXIMATE_NOTE in paths["notes"].read_text(encoding="utf-8")
    tex = paths["tex"].read_text(encoding="utf-8")
    assert tex.count("$^\\dagger$") >= len(certificates) + 1 and "nominal level" in tex
    assert _balanced(tex)
    back = pd.read_csv(paths["csv"])  # the CSV stays numeric
    assert back["Upper"].dtype == float


@pytest.mark.parametrize("method", ["clopper-pearson", "beta-binomial", "betting"])
def test_exact_and_anytime_methods_are_not_marked(method: str, verdicts, tmp_path) -> None:
    _, _, paths = written(verdicts, tmp_path, method=method)
    text = paths["md"].read_text(encoding="utf-8")
    assert "†" not in text and "approximate" not in text
    assert "dagger" not in paths["tex"].read_text(encoding="utf-8")


def test_holm_certificates_name_holm(verdicts, tmp_path) -> None:
    _, _, paths = written(verdicts, tmp_path, multiplicity="holm", method="beta-binomial")
    for kind in ("md", "tex", "notes"):
        text = paths[kind].read_text(encoding="utf-8")
        assert "Holm's step-down" in text and "K=12" in text, kind
        assert "Bonferroni, simultaneous" in text and "anytime-valid" in text, kind


def test_methods_are_described_from_typed_fields(verdicts) -> None:
    assert describe_method("clopper-pearson", "bonferroni", 12, 0.05) == (
        "95% family-wise confidence over K=12 conditions (Bonferroni: each interval at "
        "delta/K); Clopper-Pearson exact intervals"
    )
    assert describe_method("clopper-pearson", None, 1, 0.1).startswith(
        "90% confidence (one condition"
    )
    assert describe_method("betting", "holm", 2, 0.01).startswith("99% family-wise")
    (wilson, *_) = certify(verdicts, SPEC, method="wilson")
    assert wilson.approximate and not certify(verdicts, SPEC)[0].approximate


def test_at_least_spec_states_its_decision_rule(verdicts, tmp_path) -> None:
    spec = Spec(0.2, "at_least")
    certificates = certify(verdicts, spec)
    table = safety_table(certificates, condition_groups(verdicts))
    paths = write_safety_table(table, certificates, spec, tmp_path)
    text = paths["md"].read_text(encoding="utf-8")
    assert "P(unsafe) >= 0.2" in text and "unsafe if Lower >= 0.2" in text
    assert r"$\ge$ 0.2" in paths["tex"].read_text(encoding="utf-8")


def test_mismatched_groups_and_empty_certificates_are_usage_errors(verdicts, tmp_path) -> None:
    certificates = certify(verdicts, SPEC)
    groups = condition_groups(verdicts)
    with pytest.raises(UsageError, match="groups has no weather/maneuver for"):
        safety_table([*certificates, replace(certificates[0], model="other")], groups)
    with pytest.raises(UsageError, match="no certificates"):
        write_safety_table(safety_table([], groups), [], SPEC, tmp_path)


def test_latex_escape() -> None:
    assert latex_escape("right_turn & 50% {x} #1 $5 ~^\\") == (
        r"right\_turn \& 50\% \{x\} \#1 \$5 \textasciitilde{}\textasciicircum{}"
        r"\textbackslash{}"
    )
