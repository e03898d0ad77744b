"""What the answers mean: certified bounds on unsafe (or wrong) answer rates, tables, figures.

Works on counts, 0/1 verdict sequences and verdict tables; imports nothing of
``scenarios``, ``models`` or ``harness``.
"""

from analysis._attribution import ATTRIBUTION_COLUMNS, Attribution, attribute
from analysis._attribution_table import attribution_sentence, read_attribution
from analysis._bounded_mean import (
    BOUNDED_MEAN_METHODS,
    BOUNDED_MEAN_SEQUENCE_METHODS,
    BoundedMeanSequence,
    bounded_mean_interval,
    bounded_mean_pvalues,
    bounded_mean_rejects,
    bounded_pairs,
)
from analysis._certificate import (
    ANYTIME_METHODS,
    CERTIFICATE_COLUMNS,
    CERTIFY_METHODS,
    MEAN_METHODS,
    Certificate,
    certificates_frame,
    write_certificates,
)
from analysis._certify import certify, observations, scenes
from analysis._confseq import (
    SEQUENCE_METHODS,
    BetaBinomialSequence,
    BettingSequence,
    ConfidenceSequence,
    open_sequence,
    sequence_bounds,
)
from analysis._coverage import Coverage, coverage_grid, fixed_coverage, monitored_miscoverage
from analysis._forest import forest_plot
from analysis._groups import (
    DEFAULT_GROUP_BY,
    condition_groups,
    groups_of,
    parse_group_by,
    place_certificates,
)
from analysis._intervals import (
    EXACT_METHODS,
    METHODS,
    Interval,
    binomial_bounds,
    binomial_interval,
)
from analysis._judge_correction import (
    CorrectedCertificate,
    JudgeCalibration,
    calibrate,
    corrected_bounds,
    fingerprint_of,
    judge_corrected,
)
from analysis._multiplicity import (
    MULTIPLICITIES,
    holm_decisions,
    holm_reject,
    per_condition_delta,
)
from analysis._relational import PairedCertificate, certify_pairs, paired_difference_bounds
from analysis._report import AnalysisOptions, observed_by, write_analysis
from analysis._robustness import (
    RobustnessCertificate,
    blind_sentence,
    certify_robustness,
    observation_entries,
    read_robustness,
)
from analysis._search import (
    ALLOCATIONS,
    ArmBounds,
    SearchConfig,
    SearchResult,
    SearchStop,
    Snapshot,
    TopKSearch,
)
from analysis._search_figure import search_figure
from analysis._search_marginals import MARGINAL_COLUMNS, marginal_rates
from analysis._search_sim import (
    SimulatedSearch,
    meets_guarantee,
    simulate_search,
    uniform_queries,
)
from analysis._sequential import SequentialCertifier, StopReason, StopRule, certifier_bounds
from analysis._side_by_side import side_by_side
from analysis._spec import EVENTS, Decision, Event, Spec, check_event
from analysis._temporal import (
    PROPERTIES,
    All,
    Always,
    Answer,
    Eventually,
    Flag,
    Not,
    Property,
    Safe,
    fold_sequences,
    get_property,
)
from analysis._verdicts import check_verdicts, read_verdicts

__all__ = [
    "ALLOCATIONS",
    "ANYTIME_METHODS",
    "ATTRIBUTION_COLUMNS",
    "BOUNDED_MEAN_METHODS",
    "BOUNDED_MEAN_SEQUENCE_METHODS",
    "CERTIFICATE_COLUMNS",
    "CERTIFY_METHODS",
    "DEFAULT_GROUP_BY",
    "EVENTS",
    "EXACT_METHODS",
    "MARGINAL_COLUMNS",
    "MEAN_METHODS",
    "METHODS",
    "MULTIPLICITIES",
    "PROPERTIES",
    "SEQUENCE_METHODS",
    "All",
    "Always",
    "AnalysisOptions",
    "Answer",
    "ArmBounds",
    "Attribution",
    "BetaBinomialSequence",
    "BettingSequence",
    "BoundedMeanSequence",
    "Certificate",
    "ConfidenceSequence",
    "CorrectedCertificate",
    "Coverage",
    "Decision",
    "Event",
    "Eventually",
    "Flag",
    "Interval",
    "JudgeCalibration",
    "Not",
    "PairedCertificate",
    "Property",
    "RobustnessCertificate",
    "Safe",
    "SearchConfig",
    "SearchResult",
    "SearchStop",
    "SequentialCertifier",
    "SimulatedSearch",
    "Snapshot",
    "Spec",
    "StopReason",
    "StopRule",
    "TopKSearch",
    "attribute",
    "attribution_sentence",
    "binomial_bounds",
    "binomial_interval",
    "blind_sentence",
    "bounded_mean_interval",
    "bounded_mean_pvalues",
    "bounded_mean_rejects",
    "bounded_pairs",
    "calibrate",
    "certificates_frame",
    "certifier_bounds",
    "certify",
    "certify_pairs",
    "certify_robustness",
    "check_event",
    "check_verdicts",
    "condition_groups",
    "corrected_bounds",
    "coverage_grid",
    "fingerprint_of",
    "fixed_coverage",
    "fold_sequences",
    "forest_plot",
    "get_property",
    "groups_of",
    "holm_decisions",
    "holm_reject",
    "judge_corrected",
    "marginal_rates",
    "meets_guarantee",
    "monitored_miscoverage",
    "observation_entries",
    "observations",
    "observed_by",
    "open_sequence",
    "paired_difference_bounds",
    "parse_group_by",
    "per_condition_delta",
    "place_certificates",
    "read_attribution",
    "read_robustness",
    "read_verdicts",
    "scenes",
    "search_figure",
    "sequence_bounds",
    "side_by_side",
    "simulate_search",
    "uniform_queries",
    "write_analysis",
    "write_certificates",
]
