"""Everything one verdicts table yields, written into a run directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from analysis._attribution import attribute
from analysis._attribution_table import write_attribution
from analysis._certificate import CERTIFY_METHODS, write_certificates
from analysis._certify import certify_scenes, ok_rows, scenes
from analysis._checks import check_choice, check_delta
from analysis._confseq import SEQUENCE_METHODS
from analysis._figures import write_figures
from analysis._groups import DEFAULT_GROUP_BY, check_group_by, groups_of
from analysis._judge_correction import JudgeCalibration, judge_corrected
from analysis._multiplicity import MULTIPLICITIES, per_condition_delta
from analysis._relational import certify_pairs
from analysis._robustness import certify_robustness, write_robustness
from analysis._robustness_figure import robustness_figure
from analysis._side_by_side import write_side_by_side
from analysis._spec import EVENTS, Spec
from analysis._tables import safety_table, write_safety_table
from analysis._temporal import get_property
from drivecert import UsageError, publish


@dataclass(frozen=True)
class AnalysisOptions:
    """How to certify a verdicts table.

    Attributes:
        spec: threshold and direction.
        delta: family-wise miscoverage.
        method: interval method (``clopper-pearson`` for fixed n; ``beta-binomial`` or
            ``betting`` when sampling stopped adaptively).
        multiplicity: ``bonferroni`` or ``holm``.
        temporal: name of a temporal property folding multi-frame scenes, or None.
        pair: two condition labels to compare on paired scenes, or None.
        event: ``unsafe`` certifies P(unsafe); ``wrong`` certifies P(answer not in the safe
            set) from the verdicts' wrong column.
        group_by: the two variables the heatmap (rows x columns) and the safety table group
            cells by.
        figures: write figures/ (heatmap, forest, convergence); off for quick sweeps.
        judge: a calibration of the judge (labelled replies it read); when given, the
            cells are certified at delta / 2 and corrected for the judge with the
            calibration at delta / 2 (judge_corrected.csv, and the safety table's
            corrected bounds and width cost).
    """

    spec: Spec = field(default_factory=Spec)
    delta: float = 0.05
    method: str = "clopper-pearson"
    multiplicity: str = "bonferroni"
    temporal: str | None = None
    pair: tuple[str, str] | None = None
    event: Literal["unsafe", "wrong"] = "unsafe"
    group_by: tuple[str, str] = DEFAULT_GROUP_BY
    figures: bool = True
    judge: JudgeCalibration | None = None

    def __post_init__(self) -> None:
        # fail before anything is computed or written
        check_delta(self.delta)
        check_choice("method", self.method, CERTIFY_METHODS)
        check_choice("multiplicity", self.multiplicity, MULTIPLICITIES)
        check_choice("event", self.event, EVENTS)
        object.__setattr__(self, "group_by", check_group_by(self.group_by))
        if self.temporal is not None:
            get_property(self.temporal)


#: What :func:`write_analysis` may put in its folder; a new analysis replaces them all.
ANALYSIS_OUTPUTS = (
    "certificates.csv",
    "relational.csv",
    "attribution.csv",
    "robustness.csv",
    "judge_corrected.csv",
    "tables",
    "figures",
)


def write_analysis(verdicts: pd.DataFrame, out: Path, options: AnalysisOptions) -> dict[str, Path]:
    """Write certificates.csv, tables/ and figures/ (and relational.csv, attribution.csv
    when the verdicts mark perception and decision questions, and robustness.csv when they
    hold corrupted conditions with their clean partners) under ``out``.

    Scenes observed by their probabilities (``observe`` not greedy) get certificates, tables,
    the heatmap and forest plot; what reads 0/1 answers (:data:`GREEDY_ONLY`) is left out,
    and a pair or a judge calibration is refused.

    Everything is built in a staging folder and swapped in together: if anything fails
    (a bad pair of conditions, a full disk), the outputs already in ``out`` stay exactly
    as they were, and an analysis never leaves another's files beside its own.
    """

    def build(staging: Path) -> dict[str, Path]:
        written = _write(verdicts, staging, options)
        return {name: out / path.relative_to(staging) for name, path in written.items()}

    return publish(out, build, ANALYSIS_OUTPUTS)


def _write(verdicts: pd.DataFrame, out: Path, options: AnalysisOptions) -> dict[str, Path]:
    prop = get_property(options.temporal) if options.temporal else None
    table = scenes(verdicts, prop)  # checked and folded once, for everything below
    method = check_choice("method", options.method, CERTIFY_METHODS)
    cells_delta = options.delta / 2 if options.judge is not None else options.delta
    certificates = certify_scenes(
        table,
        options.spec,
        cells_delta,
        method,
        check_choice("multiplicity", options.multiplicity, MULTIPLICITIES),
        options.event,
    )
    written = {"certificates": write_certificates(certificates, out / "certificates.csv")}
    observed = observed_by(table)
    if observed is not None:
        check_greedy_only(options, observed)
    attributions = [] if observed else attribute(table, options.delta, method, options.event)
    if attributions:
        written.update(write_attribution(attributions, out))
    robustness = [] if observed else certify_robustness(table, options.delta, method, options.event)
    if robustness:
        written.update(write_robustness(robustness, out))
    if options.pair is not None:
        paired = certify_pairs(verdicts, *options.pair, delta=options.delta)
        path = out / "relational.csv"
        pd.DataFrame([p.to_dict() for p in paired]).to_csv(path, index=False, float_format="%.10g")
        written["relational"] = path
    corrected = []
    if options.judge is not None:
        corrected = judge_corrected(certificates, options.judge, options.spec, options.delta)
        path = out / "judge_corrected.csv"
        frame = pd.DataFrame([c.to_dict() for c in corrected])
        frame.to_csv(path, index=False, float_format="%.10g")
        written["judge_corrected"] = path
    groups = groups_of(table, options.group_by)
    safety = safety_table(certificates, groups, options.group_by, attributions, corrected)
    for kind, path in write_safety_table(
        safety, certificates, options.spec, out / "tables", corrected
    ).items():
        written[f"table_{kind}"] = path
    if len({c.model for c in certificates}) > 1:
        for kind, path in write_side_by_side(certificates, options.spec, out / "tables").items():
            written[f"side_by_side_{kind}"] = path
    if not options.figures:
        return written
    # the convergence figure shows a confidence sequence: the one certified, else the default
    figure_method = options.method if options.method in SEQUENCE_METHODS else "beta-binomial"
    figures = write_figures(
        certificates,
        groups,
        ok_rows(table).iloc[:0] if observed else ok_rows(table),
        options.spec,
        per_condition_delta(options.delta, len(certificates)),  # the level of each interval
        out / "figures",
        method=figure_method,
        group_by=options.group_by,
    )
    drawn = robustness_figure(certificates, robustness, out / "figures") if robustness else []
    if drawn:
        figures["robustness"] = drawn
    for name, paths in figures.items():
        for path in paths:
            written[f"figure_{name}_{path.suffix[1:]}"] = path
    return written


#: What reads scenes as 0/1 answers, and so is not written for observed probabilities.
GREEDY_ONLY = ("attribution.csv", "robustness.csv", "the convergence figure")


def observed_by(table: pd.DataFrame) -> str | None:
    """How a checked scenes table's scenes were observed when not greedy, else None."""
    if "observe" not in table.columns:
        return None
    found = sorted(set(ok_rows(table)["observe"]) - {"greedy"})
    return found[0] if found else None


def check_greedy_only(options: AnalysisOptions, observed: str) -> None:
    """Refuse the options that pair or correct 0/1 answers on observed probabilities."""
    if options.pair is not None:
        raise UsageError(
            f"relational pairs compare 0/1 answers, and these scenes were observed by "
            f"{observed}; certify the pair on a greedy run"
        )
    if options.judge is not None:
        raise UsageError(
            f"the judge correction corrects 0/1 verdicts, and these scenes were observed by "
            f"{observed}; drop --judge-labels, or calibrate on a greedy run"
        )
