"""Failure search on known rates: simulated runs, the uniform sweep's cost, correctness.

``simulate_search`` drives a :class:`TopKSearch` with Bernoulli outcomes drawn from known
per-arm rates, batch by batch, as the harness drives it with scenes. ``uniform_queries`` is
the baseline the CLI and the benchmark compare with: the same CSs and the same stop rule at
the same delta, but every arm sampled equally (round-robin), so it answers "how many
queries would a sweep of the whole grid have spent to reach the same guarantee?".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._search import SearchConfig, SearchResult, TopKSearch
from drivecert import UsageError


@dataclass(frozen=True, eq=False)
class SimulatedSearch:
    """One simulated search.

    Attributes:
        result: the search's result at its stop.
        correct: whether the returned arms meet the guarantee for the true rates
            (:func:`meets_guarantee`).
    """

    result: SearchResult
    correct: bool

    @property
    def queries(self) -> int:
        """Scenes spent."""
        return self.result.queries


def meets_guarantee(
    selected: ArrayLike, rates: ArrayLike, config: SearchConfig, *, exact_k: bool = True
) -> bool:
    """Whether ``selected`` arms are a right answer for the true ``rates``.

    Top-K: K arms (when ``exact_k``), each with rate >= the K-th highest rate - epsilon.
    Above T: every arm with rate > T is selected, and each selected has rate >= T - epsilon.
    """
    chosen = np.asarray(selected, dtype=np.int64)
    p = np.asarray(rates, dtype=np.float64)
    eps = config.epsilon
    if config.above is None:
        if exact_k and chosen.size != config.k:
            return False
        kth = float(np.sort(p)[::-1][config.k - 1])
        return bool(np.all(p[chosen] >= kth - eps))
    t = config.above
    must = set(np.flatnonzero(p > t).tolist())
    return must <= set(chosen.tolist()) and bool(np.all(p[chosen] >= t - eps))


def simulate_search(
    search: TopKSearch,
    rates: ArrayLike,
    rng: np.random.Generator,
    *,
    batch: int = 1,
    max_queries: int = 10_000_000,
) -> SimulatedSearch:
    """Run ``search`` to its stop on outcomes unsafe ~ Bernoulli(rates[arm]).

    Raises:
        UsageError: when the rates do not match the arms, or it has not stopped after
            ``max_queries`` (give the search a budget instead).
    """
    p = _rates(rates, search.arms)
    while not search.stopped:
        if search.queries >= max_queries:
            raise UsageError(
                f"the simulated search passed max_queries={max_queries}; give it a budget"
            )
        arms = np.asarray(search.next_arms(batch), dtype=np.int64)
        search.observe_many(arms, rng.random(arms.size) < p[arms])
    result = search.result()
    correct = meets_guarantee([a.arm for a in result.arms], p, search.config)
    return SimulatedSearch(result, correct)


def uniform_queries(
    rates: ArrayLike,
    config: SearchConfig,
    rng: np.random.Generator,
    *,
    batch: int | None = None,
    max_queries: int = 10_000_000,
) -> SimulatedSearch:
    """The uniform sweep to the same guarantee: round-robin over all arms, the same CSs and
    stop rule at the same delta, checked after every ``batch`` scenes (default: one round).
    """
    p = _rates(rates, None)
    sweep = TopKSearch(p.size, config, allocation="uniform")
    return simulate_search(sweep, p, rng, batch=batch or p.size, max_queries=max_queries)


def _rates(rates: ArrayLike, arms: int | None) -> NDArray[np.float64]:
    p = np.asarray(rates, dtype=np.float64).ravel()
    if (arms is not None and p.size != arms) or np.any((p < 0) | (p > 1)):
        raise UsageError(f"give one rate in [0, 1] per arm ({arms or 'any'} arms, got {p.size})")
    return p
