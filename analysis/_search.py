"""Failure search: which conditions are least safe, found adaptively and certified.

Arms 0..m-1 are the cells of a condition grid; sampling an arm is one scene, observed as 0/1
(unsafe or not). Every arm carries an anytime-valid confidence sequence (CS) at level
delta/m (:mod:`analysis._confseq`: Robbins' beta-binomial mixture by default, or the
betting CS). By Ville's inequality each CS holds at every n at once, whatever rule chose
when to sample the arm or when to stop; a union bound over the m arms makes all of them
hold together with probability at least 1 - delta. Every statement below is read off the
intervals, so it holds on that one event: adaptivity costs nothing in validity.

Top-K mode (LUCB, Kalyanakrishnan, Tewari, Auer & Stone, ICML 2012). J = the K arms of
highest empirical rate (ties: lower index; the prior plays no part). Stop ("identified")
when max_{a not in J} U_a <= min_{j in J} L_j + epsilon. Guarantee ((epsilon, delta)-PAC):
with probability >= 1 - delta every returned arm j has p_j >= p_(K) - epsilon, p_(K) the
K-th highest true rate. Proof on the event: if J misses a true top-K arm i, then
p_(K) <= p_i <= U_i <= max_{not J} U <= L_j + epsilon <= p_j + epsilon for every j in J.

Allocation. Unsampled arms first, in prior order (highest prior score first). Then LUCB's
critical arms: the J arm with the lowest lower bound and the non-J arm with the highest upper
bound. A batch of b samples takes the next critical pairs, (h_1, l_1), (h_2, l_2), ...:
h_i the J arms still blocking the stop (U* > L_h + epsilon) by increasing lower bound, l_i
the non-J arms blocking it (U_l > L* + epsilon) by decreasing upper bound; when one side
runs out the other continues; when both run out before b, the list repeats (an arm may get
several samples in a batch). With b = 1 the pair alternates by the parity of the queries
spent, so b = 1 is LUCB1 exactly. The prior breaks ties in these orders only.

Above-T mode. Each arm is classified once its CS lies wholly above T ("above", L > T),
wholly below ("below", U < T), or within epsilon of T ("near", T - epsilon <= L and
U <= T + epsilon); the search stops when every arm is classified, sampling the unclassified
arms with the fewest scenes first. Returned: the above and near arms. With probability
>= 1 - delta, every arm with p > T is returned and every returned arm has p >= T - epsilon.

A query budget stops the search early ("budget"): the result then lists the current
candidates with ``certified=False``, never True.

The state is the per-arm (ones, n) counts (and, for ``betting``, each arm's observations
in order); every choice is a deterministic function of it, so replaying the stored outcomes
in the same order rebuilds the same search exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from analysis._betting import BettingSequence
from analysis._checks import check_choice
from analysis._search_bounds import first_by, table_at
from analysis._search_types import (
    ALLOCATIONS,
    Allocation,
    ArmBounds,
    SearchConfig,
    SearchResult,
    SearchStop,
    Snapshot,
)
from drivecert import UsageError

__all__ = [
    "ALLOCATIONS",
    "ArmBounds",
    "SearchConfig",
    "SearchResult",
    "SearchStop",
    "Snapshot",
    "TopKSearch",
]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

_BETTING_MAX_ARMS = 5000  # a betting CS keeps ~48 kB of wealth per arm


@dataclass
class TopKSearch:
    """Best-arm identification over ``arms`` conditions with anytime-valid CSs.

    Drive it with :meth:`next_arms` (which arms to sample), :meth:`observe` (one 0/1
    outcome per scene) and :meth:`result`. Algorithm and guarantee: module docstring.

    Attributes:
        arms: the number of arms m.
        config: k, epsilon, delta, method, above, budget.
        prior: optional score per arm, higher explored first; orders the first pass and
            breaks ties in the allocation only (never the stop rule or the intervals).
        labels: optional name per arm.
        allocation: ``lucb`` (default) or ``uniform`` (round-robin, the baseline).
        history_every: keep a :class:`Snapshot` every this many queries (None: none).
    """

    arms: int
    config: SearchConfig = field(default_factory=SearchConfig)
    prior: ArrayLike | None = None
    labels: Sequence[str] | None = None
    allocation: Allocation = "lucb"
    history_every: int | None = None
    history: list[Snapshot] = field(default_factory=list, init=False, repr=False)
    queries: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        m = self.arms
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise UsageError(f"arms={m!r}: the search space is empty; give at least one condition")
        if self.config.above is None and self.config.k > m:
            raise UsageError(f"k={self.config.k} is more than the {m} arms; ask for at most {m}")
        budget = self.config.budget
        if budget is not None and budget < m:
            raise UsageError(
                f"budget={budget} is less than the {m} arms, so not every arm can be sampled "
                f"once; give at least {m} queries (about {20 * m} to reach the guarantee)"
            )
        if self.config.method == "betting" and m > _BETTING_MAX_ARMS:
            raise UsageError(
                f"the betting CS keeps ~48 kB per arm; for {m} arms use method beta-binomial"
            )
        check_choice("allocation", self.allocation, ALLOCATIONS)
        if self.history_every is not None and self.history_every < 1:
            raise UsageError(f"history_every={self.history_every!r} must be 1 or more, or None")
        scores = np.zeros(m) if self.prior is None else np.asarray(self.prior, dtype=np.float64)
        if scores.shape != (m,) or not np.all(np.isfinite(scores)):
            raise UsageError(f"prior must be {m} finite scores, one per arm (got {scores.shape})")
        if self.labels is not None and len(self.labels) != m:
            raise UsageError(f"labels must name all {m} arms (got {len(self.labels)})")
        self._index = np.arange(m)
        self._explore = np.lexsort((self._index, -scores))  # prior order: highest first
        self._rank = np.empty(m, dtype=np.int64)
        self._rank[self._explore] = self._index  # an arm's place in prior order
        self._level = self.config.delta / m
        self._ones = np.zeros(m, dtype=np.int64)
        self._n = np.zeros(m, dtype=np.int64)
        self._lower = np.zeros(m)
        self._upper = np.ones(m)
        self._dirty: set[int] = set()
        self._table = table_at(self._level)
        self._sequences: dict[int, BettingSequence] = {}
        self._stop: tuple[int, SearchStop | None] | None = None

    # -- feeding outcomes --------------------------------------------------------------

    def observe(self, arm: int, unsafe: bool) -> None:
        """Add one scene's outcome for ``arm``.

        Raises:
            UsageError: for an arm outside 0..m-1, or beyond the budget.
        """
        a = self._check_arm(arm)
        self._check_budget(1)
        self._ones[a] += bool(unsafe)
        self._n[a] += 1
        self.queries += 1
        self._dirty.add(a)
        self._stop = None
        if self.config.method == "betting":
            sequence = self._sequences.get(a)
            if sequence is None:
                sequence = self._sequences[a] = BettingSequence(self._level)
            sequence.update(float(bool(unsafe)))
        if self.history_every is not None and self.queries % self.history_every == 0:
            self._refresh()
            self.history.append(
                Snapshot(self.queries, self._n.copy(), self._lower.copy(), self._upper.copy())
            )

    def observe_many(self, arms: ArrayLike, unsafe: ArrayLike) -> None:
        """:meth:`observe` for each (arm, outcome) in order; vectorised for beta-binomial."""
        picked = np.asarray(arms, dtype=np.int64).ravel()
        outcomes = np.asarray(unsafe, dtype=bool).ravel()
        if picked.shape != outcomes.shape:
            raise UsageError(f"{picked.size} arms but {outcomes.size} outcomes; give one each")
        if self.config.method == "betting" or self.history_every is not None:
            for a, x in zip(picked, outcomes, strict=True):
                self.observe(int(a), bool(x))
            return
        if picked.size and (picked.min() < 0 or picked.max() >= self.arms):
            raise UsageError(
                f"arms must be in 0..{self.arms - 1}; got {picked.min()}..{picked.max()}"
            )
        self._check_budget(picked.size)
        np.add.at(self._ones, picked, outcomes.astype(np.int64))
        np.add.at(self._n, picked, 1)
        self.queries += int(picked.size)
        self._dirty.update(picked.tolist())
        self._stop = None

    # -- reading the state -------------------------------------------------------------

    @property
    def reason(self) -> SearchStop | None:
        """Why the search stops now (``identified``, ``classified``, ``budget``), or None."""
        if self._stop is None or self._stop[0] != self.queries:
            self._stop = (self.queries, self._reason())
        return self._stop[1]

    @property
    def stopped(self) -> bool:
        """Whether :meth:`next_arms` has nothing more to ask."""
        return self.reason is not None

    def bounds(self) -> tuple[Floats, Floats]:
        """Every arm's (lower, upper), each a CS at level delta/m (copies)."""
        self._refresh()
        return self._lower.copy(), self._upper.copy()

    def counts(self) -> tuple[Ints, Ints]:
        """Every arm's (unsafe, n) counts (copies)."""
        return self._ones.copy(), self._n.copy()

    def selected(self) -> Ints:
        """The arms the result returns now, highest empirical rate first."""
        self._refresh()
        rates = self._rates()
        if self.config.above is None:
            chosen = np.flatnonzero(self._top())
        else:
            above, _, near = self._classes()
            chosen = np.flatnonzero(above | near)
        return chosen[np.lexsort((chosen, -rates[chosen]))]

    def result(self) -> SearchResult:
        """The selected arms with their intervals, whether certified, and every arm's row."""
        chosen = self.selected()
        reason = self.reason
        names = self._labels()
        frame = pd.DataFrame(
            {
                "arm": self._index,
                "label": names,
                "n": self._n.copy(),
                "unsafe": self._ones.copy(),
                "rate": self._rates(),
                "lower": self._lower.copy(),
                "upper": self._upper.copy(),
                "selected": np.isin(self._index, chosen),
            }
        )
        picked = tuple(
            ArmBounds(
                int(a),
                names[a],
                int(self._n[a]),
                int(self._ones[a]),
                float(self._lower[a]),
                float(self._upper[a]),
            )
            for a in chosen
        )
        certified = reason in ("identified", "classified")
        return SearchResult(picked, certified, reason, self.queries, self.config, frame)

    # -- choosing what to sample -------------------------------------------------------

    def next_arms(self, batch: int = 1) -> list[int]:
        """The arms to sample next (an arm may repeat); empty once stopped.

        A pure function of the observations so far: feed a batch's outcomes before asking
        again. Returns fewer than ``batch`` near the budget.
        """
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise UsageError(f"batch={batch!r} must be a whole number of scenes, 1 or more")
        if self.stopped:
            return []
        if self.config.budget is not None:
            batch = min(batch, self.config.budget - self.queries)
        if self.allocation == "uniform":
            return self._uniform(batch)
        fresh = self._explore[self._n[self._explore] == 0][:batch]
        need = batch - fresh.size
        if need == 0:
            return [int(a) for a in fresh]
        self._refresh()
        sampled = self._n > 0
        if self.config.above is None:
            rest = self._critical(sampled, need)
        else:
            above, below, near = self._classes()
            open_ = sampled & ~(above | below | near)
            rest = first_by(self._n[open_].astype(np.float64), self._rank[open_], need)
            rest = np.flatnonzero(open_)[rest]
        if rest.size:
            rest = np.resize(rest, need)
        return [int(a) for a in np.concatenate([fresh, rest])]

    def _critical(self, sampled: NDArray[np.bool_], need: int) -> Ints:
        """LUCB's critical pairs, most critical first (module docstring)."""
        top = self._top()
        low_star = float(self._lower[top].min())
        high_star = float(self._upper[~top].max()) if (~top).any() else -np.inf
        eps = self.config.epsilon
        h_mask = top & sampled & (high_star > self._lower + eps)
        l_mask = ~top & sampled & (self._upper > low_star + eps)
        hs = np.flatnonzero(h_mask)[first_by(self._lower[h_mask], self._rank[h_mask], need)]
        ls = np.flatnonzero(l_mask)[first_by(-self._upper[l_mask], self._rank[l_mask], need)]
        if self.queries % 2:
            hs, ls = ls, hs
        pairs = min(hs.size, ls.size)
        woven = np.empty(2 * pairs, dtype=np.int64)
        woven[0::2], woven[1::2] = hs[:pairs], ls[:pairs]
        return np.concatenate([woven, hs[pairs:], ls[pairs:]])[:need]

    def _uniform(self, batch: int) -> list[int]:
        """Round-robin: the arms with the fewest scenes, lowest index first."""
        picks = first_by(self._n.astype(np.float64), self._index, min(batch, self.arms))
        return [int(a) for a in np.resize(picks, batch)]

    # -- internals ---------------------------------------------------------------------

    def _reason(self) -> SearchStop | None:
        self._refresh()
        if self.config.above is None:
            top = self._top()
            if not (~top).any():
                return "identified"
            if self._upper[~top].max() <= self._lower[top].min() + self.config.epsilon:
                return "identified"
        else:
            above, below, near = self._classes()
            if bool(np.all(above | below | near)):
                return "classified"
        budget = self.config.budget
        return "budget" if budget is not None and self.queries >= budget else None

    def _rates(self) -> Floats:
        rates = np.full(self.arms, np.nan)
        np.divide(self._ones, self._n, out=rates, where=self._n > 0)
        return rates

    def _top(self) -> NDArray[np.bool_]:
        """J: the K highest empirical rates (unsampled last; ties: lower index)."""
        rates = np.nan_to_num(self._rates(), nan=-1.0)
        mask = np.zeros(self.arms, dtype=bool)
        mask[first_by(-rates, self._index, self.config.k)] = True
        return mask

    def _classes(self) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
        """Above-T mode: (above, below, near) masks."""
        t, eps = float(self.config.above or 0.0), self.config.epsilon
        above = self._lower > t
        below = self._upper < t
        near = (self._lower >= t - eps) & (self._upper <= t + eps) & ~above & ~below
        return above, below, near

    def _refresh(self) -> None:
        """Recompute the bounds of the arms observed since the last refresh."""
        if not self._dirty:
            return
        arms = np.fromiter(sorted(self._dirty), dtype=np.int64)
        self._dirty.clear()
        if self.config.method == "betting":
            for a in arms.tolist():
                self._lower[a], self._upper[a] = self._sequences[a].interval()
            return
        lower, upper = self._table.bounds(self._ones[arms], self._n[arms])
        self._lower[arms], self._upper[arms] = lower, upper

    def _labels(self) -> list[str]:
        return list(self.labels) if self.labels is not None else [str(a) for a in range(self.arms)]

    def _check_arm(self, arm: int) -> int:
        if isinstance(arm, bool) or not 0 <= int(arm) < self.arms:
            raise UsageError(f"arm={arm!r} is not in 0..{self.arms - 1}; give an arm index")
        return int(arm)

    def _check_budget(self, more: int) -> None:
        budget = self.config.budget
        if budget is not None and self.queries + more > budget:
            raise UsageError(
                f"{self.queries + more} queries would pass the budget of {budget}; "
                "raise the budget to sample more"
            )
