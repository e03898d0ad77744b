"""What the answers mean: certified bounds on unsafe-answer rates, tables and figures.

Works on counts, 0/1 verdict sequences and verdict tables; imports nothing of
``scenarios``, ``models`` or ``harness``.
"""

from analysis._certify import (
    CERTIFICATE_COLUMNS,
    CERTIFY_METHODS,
    Certificate,
    certificates_frame,
    certify,
    condition_groups,
    observations,
    write_certificates,
)
from analysis._confseq import (
    SEQUENCE_METHODS,
    BetaBinomialSequence,
    BettingSequence,
    ConfidenceSequence,
    open_sequence,
    sequence_bounds,
)
from analysis._coverage import Coverage, coverage_grid, fixed_coverage, monitored_miscoverage
from analysis._intervals import (
    EXACT_METHODS,
    METHODS,
    Interval,
    binomial_bounds,
    binomial_interval,
)
from analysis._multiplicity import (
    MULTIPLICITIES,
    holm_decisions,
    holm_reject,
    per_condition_delta,
)
from analysis._relational import PairedCertificate, certify_pairs
from analysis._report import AnalysisOptions, write_analysis
from analysis._sequential import SequentialCertifier, StopRule
from analysis._spec import Decision, Spec
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
    "CERTIFICATE_COLUMNS",
    "CERTIFY_METHODS",
    "EXACT_METHODS",
    "METHODS",
    "MULTIPLICITIES",
    "PROPERTIES",
    "SEQUENCE_METHODS",
    "All",
    "Always",
    "AnalysisOptions",
    "Answer",
    "BetaBinomialSequence",
    "BettingSequence",
    "Certificate",
    "ConfidenceSequence",
    "Coverage",
    "Decision",
    "Eventually",
    "Flag",
    "Interval",
    "Not",
    "PairedCertificate",
    "Property",
    "Safe",
    "SequentialCertifier",
    "Spec",
    "StopRule",
    "binomial_bounds",
    "binomial_interval",
    "certificates_frame",
    "certify",
    "certify_pairs",
    "check_verdicts",
    "condition_groups",
    "coverage_grid",
    "fixed_coverage",
    "fold_sequences",
    "get_property",
    "holm_decisions",
    "holm_reject",
    "monitored_miscoverage",
    "observations",
    "open_sequence",
    "per_condition_delta",
    "read_verdicts",
    "sequence_bounds",
    "write_analysis",
    "write_certificates",
]
