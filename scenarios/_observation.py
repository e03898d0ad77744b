"""Observation variables: how a scene is seen and asked, not what is in it.

``corruption`` (a camera corruption, or ``none``), ``severity`` (1 to 5) and
``question_variant`` (``original``, a paraphrase ``p1``..``p5`` or a synonym swap, see
``_variants``) are condition variables of every scenario, without editing its file: ``--conditions
"weather=ClearNoon,corruption=fog,severity=3"``. They never reach the scene program, so a
corrupted condition draws the clean condition's scenes (the same sample index gives the
same scene, ground truth and questions) and clean and corrupted answers pair exactly.

Which corruptions exist is the harness's business (``harness.perturb``): here a name only
has to be a word; the harness checks it before a run starts.
"""

from __future__ import annotations

import re
from typing import Final

from drivecert import UsageError
from scenarios._condition import Condition
from scenarios._variants import ORIGINAL, QUESTION_VARIANT, check_variant

CORRUPTION: Final = "corruption"
SEVERITY: Final = "severity"
OBSERVATION_VARIABLES: Final = (CORRUPTION, SEVERITY, QUESTION_VARIANT)
NO_CORRUPTION: Final = "none"
SEVERITY_VALUES: Final = ("1", "2", "3", "4", "5")
#: The severity a corruption gets when a condition names none.
DEFAULT_SEVERITY: Final = "3"
_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")


def check_observation(name: str, value: str) -> None:
    """Raise a one-line error for a value an observation variable cannot take."""
    if name == SEVERITY and value not in SEVERITY_VALUES:
        raise UsageError(f"severity has no value {value!r}; valid: {', '.join(SEVERITY_VALUES)}")
    if name == QUESTION_VARIANT:
        check_variant(value)
    if name == CORRUPTION and not _NAME.fullmatch(value):
        raise UsageError(
            f"corruption {value!r} is not a name; write e.g. corruption=fog "
            "(drivecert render --help lists them)"
        )


def complete_observation(values: dict[str, str]) -> dict[str, str]:
    """``values`` with the severity a named corruption implies (3 when not given), and
    without ``corruption=none`` (a clean condition has one label).

    Raises:
        UsageError: a severity without a corruption to grade.
    """
    if values.get(QUESTION_VARIANT) == ORIGINAL:
        values = {k: v for k, v in values.items() if k != QUESTION_VARIANT}
    corruption = values.get(CORRUPTION, NO_CORRUPTION)
    if corruption == NO_CORRUPTION:
        if SEVERITY in values:
            raise UsageError(
                f"severity={values[SEVERITY]} grades no corruption; add corruption=NAME "
                "(e.g. corruption=fog,severity=3) or drop the severity"
            )
        return {k: v for k, v in values.items() if k != CORRUPTION}
    return {**values, SEVERITY: values.get(SEVERITY, DEFAULT_SEVERITY)}


def scene_condition(condition: Condition) -> Condition:
    """The condition the scene program sees: ``condition`` without observation variables."""
    return Condition({k: v for k, v in condition.values.items() if k not in OBSERVATION_VARIABLES})


def observation(condition: Condition) -> dict[str, str]:
    """The observation variables ``condition`` fixes (empty for a clean condition)."""
    return {k: v for k, v in condition.values.items() if k in OBSERVATION_VARIABLES}
