"""Sampled variables follow the distributions the scenarios declare (fixed seeds)."""

from collections import Counter

import numpy as np
import pytest
from scipy import stats

from scenarios import get_scenario, list_scenarios

N = 3000
ALPHA = 1e-3  # fixed seeds: a failure is a real mismatch, not bad luck


def declared(name: str) -> list[tuple[str, str]]:
    return [(name, v.name) for v in get_scenario(name).variables if not v.derived]


CASES = [case for s in list_scenarios() for case in declared(s.name)]


@pytest.fixture(scope="module")
def unconditioned() -> dict[str, list]:
    return {s.name: s.sample_many(None, N, base_seed=2026) for s in list_scenarios()}


@pytest.mark.parametrize(("scenario", "variable"), CASES)
def test_condition_variables_match_declared_prior(unconditioned, scenario, variable) -> None:
    spec = get_scenario(scenario).variable_map[variable]
    counts = Counter(scene.variables[variable] for scene in unconditioned[scenario])
    observed = [counts.get(v, 0) for v in spec.values]
    expected = [p * N for p in spec.probabilities]
    assert stats.chisquare(observed, expected).pvalue > ALPHA, (observed, expected)


def test_obstacle_ahead_distances_are_uniform_1_to_30() -> None:
    scenes = get_scenario("obstacle_ahead").sample_many("obstacle=barrier", 2000, base_seed=4)
    d = np.array([s.agents[0].distance_m for s in scenes])
    assert d.min() >= 1 and d.max() <= 30
    assert stats.kstest(d, stats.uniform(1, 29).cdf).pvalue > ALPHA


def test_right_turn_inner_choices_follow_their_probabilities(unconditioned) -> None:
    scenes = unconditioned["right_turn"]
    peds = sum(bool(s.agents_with("on_destination_crosswalk")) for s in scenes)
    # the queued-car constraint rejects a few draws, so only the pedestrian rate is exact
    assert stats.binomtest(peds, N, 0.3).pvalue > ALPHA
    distance = np.array([s.ego.distance_to_junction_m for s in scenes])
    assert distance.max() < 20 and distance.min() >= 2


def test_derived_variables_condition_exactly() -> None:
    # traffic_light: distance ~ U(5, 60); given band "near" it must be U(5, 20).
    near = get_scenario("traffic_light").sample_many("distance_band=near", 1500, base_seed=8)
    d = np.array([s.traffic_control.distance_m for s in near])
    assert d.max() < 20
    assert stats.kstest(d, stats.uniform(5, 15).cdf).pvalue > ALPHA
    # unprotected_left: conditioning on gap=short equals filtering unconditioned draws.
    scenario = get_scenario("unprotected_left")
    conditioned = scenario.sample_many("gap=short", 1500, base_seed=9)
    filtered = [
        s for s in scenario.sample_many(None, 6000, base_seed=10) if s.variables["gap"] == "short"
    ]
    speeds_a = [s.agents[0].speed_mps for s in conditioned]
    speeds_b = [s.agents[0].speed_mps for s in filtered]
    assert stats.ks_2samp(speeds_a, speeds_b).pvalue > ALPHA


def test_pedestrian_crossing_draws_layouts_from_the_domain_graph(unconditioned) -> None:
    layouts = Counter(s.road.layout for s in unconditioned["pedestrian_crossing"])
    assert set(layouts) == {"four_way", "t_junction"}
    assert stats.binomtest(layouts["t_junction"], N, 0.5).pvalue > ALPHA


def test_obstacle_ahead_parked_cars_stay_at_the_kerb(unconditioned) -> None:
    scenes = unconditioned["obstacle_ahead"]
    parked = [a for s in scenes for a in s.agents_with("parked")]
    assert parked and all(a.lateral_offset_m > 2.5 for a in parked)
    counts = Counter(len(s.agents_with("parked")) for s in scenes)
    assert stats.chisquare([counts[k] for k in (0, 1, 2)]).pvalue > ALPHA
