"""Failure search: LUCB top-K and above-T with anytime CSs, its guarantee, cost and resume."""

from __future__ import annotations

import time

import numpy as np
import pytest

from analysis import (
    SearchConfig,
    TopKSearch,
    marginal_rates,
    meets_guarantee,
    simulate_search,
    uniform_queries,
)
from drivecert import UsageError

# K-th and (K+1)-th within epsilon (either answer is right), and apart by just over epsilon
NEAR_TIE = [0.5, 0.45, 0.42, 0.3, 0.2, 0.1, 0.1, 0.05]
CLOSE_GAP = [0.7, 0.62, 0.5, 0.3, 0.3, 0.2, 0.1, 0.05]


def bad_grid(seed: int, arms: int = 500, bad: int = 5) -> np.ndarray:
    """``bad`` arms at p in [0.8, 0.9] among arms at p in [0, 0.2], shuffled."""
    rng = np.random.default_rng(seed)
    rates = np.concatenate([rng.uniform(0.8, 0.9, bad), rng.uniform(0.0, 0.2, arms - bad)])
    rng.shuffle(rates)
    return rates


@pytest.mark.parametrize(
    ("rates", "method"),
    [(NEAR_TIE, "beta-binomial"), (CLOSE_GAP, "beta-binomial"), (CLOSE_GAP, "betting")],
)
def test_top_k_is_right_at_least_one_minus_delta_of_the_time(
    rates: list[float], method: str
) -> None:
    config = SearchConfig(k=2, epsilon=0.1, delta=0.1, method=method)  # type: ignore[arg-type]
    seeds = 100 if method == "beta-binomial" else 40
    misses = 0
    for seed in range(seeds):
        run = simulate_search(
            TopKSearch(len(rates), config), rates, np.random.default_rng(seed), batch=8
        )
        assert run.result.certified and run.result.reason == "identified"
        assert len(run.result.arms) == 2
        misses += not run.correct
    assert misses / seeds <= config.delta


def test_stop_rule_and_returned_arms_follow_the_intervals() -> None:
    config = SearchConfig(k=2, epsilon=0.1, delta=0.1)
    search = TopKSearch(len(CLOSE_GAP), config)
    simulate_search(search, CLOSE_GAP, np.random.default_rng(3), batch=2)
    result = search.result()
    frame = result.intervals
    top, rest = frame[frame["selected"]], frame[~frame["selected"]]
    assert rest["upper"].max() <= top["lower"].min() + config.epsilon
    assert set(top["arm"]) == {a.arm for a in result.arms}
    assert [a.rate for a in result.arms] == sorted((a.rate for a in result.arms), reverse=True)
    assert result.queries == frame["n"].sum() == search.queries


def test_search_spends_far_fewer_queries_than_the_uniform_sweep() -> None:
    config = SearchConfig(k=5, epsilon=0.1, delta=0.05)
    ratios = []
    for seed in range(3):
        rates = bad_grid(seed)
        run = simulate_search(TopKSearch(500, config), rates, np.random.default_rng(seed), batch=16)
        sweep = uniform_queries(rates, config, np.random.default_rng(seed))
        assert run.correct and sweep.correct and run.result.certified and sweep.result.certified
        ratios.append(sweep.queries / run.queries)
    # the sweep here has the same CSs and stop rule (stopping as soon as it could): about 4-5x
    assert min(ratios) >= 3.5, ratios


def test_uniform_allocation_is_round_robin() -> None:
    search = TopKSearch(7, SearchConfig(k=2), allocation="uniform")
    rng = np.random.default_rng(0)
    for _ in range(5):
        arms = search.next_arms(3)
        search.observe_many(arms, rng.random(len(arms)) < 0.3)
        _, n = search.counts()
        assert n.max() - n.min() <= 1
    assert search.next_arms(3) == [1, 2, 3]  # 15 scenes: arms 0 had 3, the rest 2


def test_replaying_the_outcomes_gives_the_same_search() -> None:
    rates = bad_grid(1, arms=60, bad=3)
    config = SearchConfig(k=3, epsilon=0.1, delta=0.05)
    first = TopKSearch(60, config)
    log: list[tuple[int, bool]] = []
    rng = np.random.default_rng(9)
    while not first.stopped:
        for arm in first.next_arms(5):
            outcome = bool(rng.random() < rates[arm])
            first.observe(arm, outcome)
            log.append((arm, outcome))
    one_by_one, vectorised = TopKSearch(60, config), TopKSearch(60, config)
    for arm, outcome in log:
        one_by_one.observe(arm, outcome)
    arms, outcomes = zip(*log, strict=True)
    vectorised.observe_many(arms, outcomes)
    for again in (one_by_one, vectorised):
        assert again.reason == first.reason == "identified"
        assert again.result().arms == first.result().arms
        assert again.result().intervals.equals(first.result().intervals)
        assert again.next_arms(5) == first.next_arms(5) == []


def test_replaying_a_betting_search_mid_run_gives_the_same_next_arms() -> None:
    config = SearchConfig(k=2, epsilon=0.1, delta=0.1, method="betting")
    first, again = TopKSearch(8, config), TopKSearch(8, config)
    rng = np.random.default_rng(2)
    for _ in range(30):
        arms = first.next_arms(3)
        outcomes = rng.random(3) < np.asarray(NEAR_TIE)[arms]
        first.observe_many(arms, outcomes)
        again.observe_many(arms, outcomes)
    assert again.next_arms(4) == first.next_arms(4)
    assert np.array_equal(again.bounds()[0], first.bounds()[0])


def test_prior_orders_exploration_but_not_the_stop_rule() -> None:
    config = SearchConfig(k=2, epsilon=0.1, delta=0.1)
    prior = np.arange(8.0)  # the last arm first
    assert TopKSearch(8, config, prior=prior).next_arms(3) == [7, 6, 5]
    assert TopKSearch(8, config).next_arms(3) == [0, 1, 2]
    misses = 0
    for seed in range(40):
        guided = TopKSearch(8, config, prior=prior)
        run = simulate_search(guided, CLOSE_GAP, np.random.default_rng(seed), batch=3)
        plain = TopKSearch(8, config)  # the same data, no prior: the same verdict
        ones, n = guided.counts()
        plain.observe_many(np.repeat(np.arange(8), ones), np.ones(ones.sum(), dtype=bool))
        plain.observe_many(np.repeat(np.arange(8), n - ones), np.zeros((n - ones).sum(), bool))
        assert plain.reason == guided.reason and plain.result().arms == guided.result().arms
        misses += not run.correct
    assert misses / 40 <= config.delta


@pytest.mark.parametrize(
    ("make", "fix"),
    [
        (lambda: TopKSearch(3, SearchConfig(k=4)), "at most 3"),
        (lambda: SearchConfig(k=0), "1 or more"),
        (lambda: SearchConfig(epsilon=0.0), "slack on rates"),
        (lambda: SearchConfig(epsilon=1.5), "slack on rates"),
        (lambda: TopKSearch(0, SearchConfig()), "at least one condition"),
        (lambda: SearchConfig(delta=1.0), "delta=1.0 is not in"),
        (lambda: SearchConfig(delta=0.0), "delta=0.0 is not in"),
        (lambda: TopKSearch(500, SearchConfig(budget=100)), "give at least 500 queries"),
        (lambda: SearchConfig(method="wald"), "choose one of"),  # type: ignore[arg-type]
        (lambda: SearchConfig(above=1.2), "--above"),
        (lambda: TopKSearch(3, prior=[1.0, 2.0]), "3 finite scores"),
        (lambda: TopKSearch(3).next_arms(0), "batch=0"),
        (lambda: TopKSearch(3).observe(3, True), "not in 0..2"),
    ],
)
def test_bad_input_is_one_line_naming_the_fix(make: object, fix: str) -> None:
    with pytest.raises(UsageError, match=fix) as caught:
        make()  # type: ignore[operator]
    assert "\n" not in str(caught.value)


def test_budget_exhausted_is_never_certified() -> None:
    config = SearchConfig(k=2, epsilon=0.05, delta=0.05, budget=40)
    search = TopKSearch(8, config)
    run = simulate_search(search, CLOSE_GAP, np.random.default_rng(0), batch=7)
    assert search.queries == 40 and search.next_arms(5) == []
    assert run.result.reason == "budget" and run.result.certified is False
    assert len(run.result.arms) == 2  # the current candidates, uncertified
    with pytest.raises(UsageError, match="budget of 40"):
        search.observe(0, True)


def test_above_threshold_mode_returns_every_arm_above() -> None:
    rates = [0.9, 0.7, 0.58, 0.5, 0.45, 0.3, 0.1, 0.0]
    config = SearchConfig(above=0.5, epsilon=0.1, delta=0.1)
    misses = 0
    for seed in range(60):
        run = simulate_search(TopKSearch(8, config), rates, np.random.default_rng(seed), batch=4)
        assert run.result.reason == "classified" and run.result.certified
        misses += not run.correct
        assert {0, 1} <= {a.arm for a in run.result.arms}  # far above: always returned
        assert not {6, 7} & {a.arm for a in run.result.arms}  # far below: never
    assert misses / 60 <= config.delta
    assert not meets_guarantee([0, 1], rates, config)  # 0.58 > T is missing: a miss


def test_marginal_table_averages_the_arm_bounds() -> None:
    weathers, controls = ["clear", "rain", "fog", "snow"], ["light", "stop", "none"]
    conditions = [{"weather": w, "control": c} for w in weathers for c in controls]
    rates = np.array([0.8 if w == "rain" else 0.1 + 0.05 * j for w in weathers for j in range(3)])
    search = TopKSearch(12, SearchConfig(k=2, delta=0.1))
    simulate_search(search, rates, np.random.default_rng(0), batch=4)
    table = marginal_rates(conditions, search.result())
    assert list(table.columns[:2]) == ["variable", "value"] and len(table) == 7
    rain = table[(table["variable"] == "weather") & (table["value"] == "rain")].iloc[0]
    assert table[table["variable"] == "weather"].iloc[0]["value"] == "rain"  # worst first
    lower, upper = search.bounds()
    rows = [i for i, c in enumerate(conditions) if c["weather"] == "rain"]
    assert rain["lower"] == pytest.approx(lower[rows].mean())
    assert rain["upper"] == pytest.approx(upper[rows].mean())
    for variable, values in (("weather", weathers), ("control", controls)):
        for value in values:
            row = table[(table["variable"] == variable) & (table["value"] == value)].iloc[0]
            truth = rates[[i for i, c in enumerate(conditions) if c[variable] == value]].mean()
            assert row["lower"] <= truth <= row["upper"]
    with pytest.raises(UsageError, match="one condition per arm"):
        marginal_rates(conditions[:3], search.result())


def test_history_keeps_snapshots_for_a_figure() -> None:
    search = TopKSearch(8, SearchConfig(k=2, delta=0.1), history_every=10)
    simulate_search(search, NEAR_TIE, np.random.default_rng(0), batch=4)
    assert [s.queries for s in search.history] == list(range(10, search.queries + 1, 10))
    last = search.history[-1]
    assert last.lower.shape == (8,) and np.all(last.lower <= last.upper)


def test_twenty_thousand_arms_are_fast() -> None:
    rng = np.random.default_rng(0)
    rates = bad_grid(0, arms=20_000, bad=20)
    search = TopKSearch(20_000, SearchConfig(k=5, epsilon=0.1, delta=0.05))
    started = time.perf_counter()
    search.observe_many(np.arange(20_000), rng.random(20_000) < rates)
    for _ in range(300):  # 3,000 more scenes in batches of 10
        arms = np.asarray(search.next_arms(10))
        search.observe_many(arms, rng.random(arms.size) < rates[arms])
    assert search.queries == 23_000
    assert time.perf_counter() - started < 10.0


def test_search_spends_ten_times_fewer_queries_than_a_sweep_certifying_every_cell() -> None:
    """The issue's baseline: a uniform sweep certifying every cell to the same guarantee needs
    every cell's CS (at delta/cells) at most epsilon/2 wide. Even a cell whose every scene
    is safe (the narrowest CS there is) needs n_min scenes for that, so the sweep needs at
    least cells x n_min: a lower bound of the baseline, against the search's own spend."""
    from analysis._confseq import beta_binomial_bounds

    config = SearchConfig(k=5, epsilon=0.1, delta=0.05)
    n = np.arange(1, 4000)
    lower, upper = beta_binomial_bounds(np.zeros_like(n), n, config.delta / 500)
    n_min = int(n[np.argmax(upper - lower <= config.epsilon / 2)])
    for seed in range(3):
        run = simulate_search(
            TopKSearch(500, config), bad_grid(seed), np.random.default_rng(seed), batch=16
        )
        assert run.correct and run.result.certified
        assert 10 * run.queries <= 500 * n_min, (run.queries, n_min)
