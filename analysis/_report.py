"""Everything one verdicts table yields, written into a run directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis._certify import (
    CERTIFY_METHODS,
    certify_observations,
    groups_of,
    observations,
    write_certificates,
)
from analysis._checks import check_choice, check_delta
from analysis._confseq import SEQUENCE_METHODS
from analysis._figures import write_figures
from analysis._multiplicity import MULTIPLICITIES, per_condition_delta
from analysis._relational import certify_pairs
from analysis._spec import Spec
from analysis._tables import safety_table, write_safety_table
from analysis._temporal import get_property


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
    """

    spec: Spec = field(default_factory=Spec)
    delta: float = 0.05
    method: str = "clopper-pearson"
    multiplicity: str = "bonferroni"
    temporal: str | None = None
    pair: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        # fail before anything is computed or written
        check_delta(self.delta)
        check_choice("method", self.method, CERTIFY_METHODS)
        check_choice("multiplicity", self.multiplicity, MULTIPLICITIES)
        if self.temporal is not None:
            get_property(self.temporal)


def write_analysis(verdicts: pd.DataFrame, out: Path, options: AnalysisOptions) -> dict[str, Path]:
    """Write certificates.csv, tables/ and figures/ (and relational.csv) under ``out``."""
    prop = get_property(options.temporal) if options.temporal else None
    table = observations(verdicts, prop)  # checked and folded once, for everything below
    certificates = certify_observations(
        table, options.spec, options.delta, options.method, options.multiplicity
    )
    written = {"certificates": write_certificates(certificates, out / "certificates.csv")}
    if options.pair is not None:
        paired = certify_pairs(verdicts, *options.pair, delta=options.delta)
        path = out / "relational.csv"
        pd.DataFrame([p.to_dict() for p in paired]).to_csv(path, index=False, float_format="%.10g")
        written["relational"] = path
    groups = groups_of(table)
    safety = safety_table(certificates, groups)
    for kind, path in write_safety_table(
        safety, certificates, options.spec, out / "tables"
    ).items():
        written[f"table_{kind}"] = path
    # the convergence figure shows a confidence sequence: the one certified, else the default
    figure_method = options.method if options.method in SEQUENCE_METHODS else "beta-binomial"
    figures = write_figures(
        certificates,
        groups,
        table,
        options.spec,
        per_condition_delta(options.delta, len(certificates)),  # the level of each interval
        out / "figures",
        method=figure_method,
    )
    for name, paths in figures.items():
        for path in paths:
            written[f"figure_{name}_{path.suffix[1:]}"] = path
    return written
