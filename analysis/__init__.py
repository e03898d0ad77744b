"""What the answers mean: certified bounds on unsafe-answer rates, tables and figures.

Works on counts, 0/1 verdict sequences and verdict tables; imports nothing of
``scenarios``, ``models`` or ``harness``.
"""

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
from analysis._sequential import SequentialCertifier, StopRule
from analysis._spec import Decision, Spec

__all__ = [
    "EXACT_METHODS",
    "METHODS",
    "SEQUENCE_METHODS",
    "BetaBinomialSequence",
    "BettingSequence",
    "ConfidenceSequence",
    "Coverage",
    "Decision",
    "Interval",
    "SequentialCertifier",
    "Spec",
    "StopRule",
    "binomial_bounds",
    "binomial_interval",
    "coverage_grid",
    "fixed_coverage",
    "monitored_miscoverage",
    "open_sequence",
    "sequence_bounds",
]
