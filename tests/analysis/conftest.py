"""A synthetic verdicts table with known unsafe rates, shared by the analysis tests."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis._synthetic import example_rate, synthetic_verdicts


def make_verdicts(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """2 scenarios x 3 weathers x 2 models, n scenes each, unsafe ~ example_rate."""
    return synthetic_verdicts(n, seed)


def true_rate(weather: str, maneuver: str, model: str) -> float:
    """The known unsafe rate of each (weather, maneuver, model)."""
    return example_rate(weather, maneuver, model)


@pytest.fixture(scope="session")
def verdicts() -> pd.DataFrame:
    return make_verdicts()


@pytest.fixture(scope="session", name="make_verdicts")
def make_verdicts_fixture() -> object:
    """The table maker itself, for tests that need other sizes or seeds."""
    return make_verdicts


@pytest.fixture(scope="session", name="true_rate")
def true_rate_fixture() -> object:
    """The known unsafe rate of each (weather, maneuver, model)."""
    return true_rate
