"""Failure search through the run loop: the search space, and a scheduler the search drives.

``weather=*;control=light_red,stop_sign;corruption=none,motion_blur`` is the product of
condition variables: ``*`` takes every value of a scenario variable (for ``corruption`` every
camera corruption and ``none``; for ``severity`` 1..5). Each condition of the product is an
arm of :class:`analysis.TopKSearch`, asked one question.

:class:`SearchScheduler` is a :class:`Scheduler` whose batches the search chooses. It hands
out one batch at a time (the next is chosen once the last one's answers are in), so the
arms sampled are a function of the stored answers only: a run killed at any moment and
resumed samples exactly what the uninterrupted run would have.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from analysis import TopKSearch
from drivecert import UsageError, did_you_mean
from harness.perturb import PERTURBATIONS
from harness.run._scheduler import Observation, SampleTask, Scheduler
from scenarios import CORRUPTION, NO_CORRUPTION, SEVERITY, SEVERITY_VALUES, Scenario

#: The most arms a space may expand to.
MAX_ARMS = 100_000


@dataclass(frozen=True)
class SearchSpace:
    """A product of condition variables, each with the values to search.

    Attributes:
        variables: (name, values) in the order given.
    """

    variables: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def size(self) -> int:
        """How many conditions (arms) the product holds."""
        return len(self._arms)

    def conditions(self) -> list[dict[str, str]]:
        """Every condition of the product once, the last variable varying fastest. A
        ``corruption=none`` entry is the clean condition: it drops the corruption and any
        severity (the clean condition of several severities is one arm)."""
        return [dict(items) for items in self._arms]

    def table(self) -> list[dict[str, str]]:
        """Every arm's value of every variable (``none`` for the corruption and severity a
        clean condition drops), for tables by variable."""
        return [
            {name: arm.get(name, NO_CORRUPTION) for name in self.names} for arm in self.conditions()
        ]

    @property
    def names(self) -> tuple[str, ...]:
        """The variables' names, in order."""
        return tuple(name for name, _ in self.variables)

    @cached_property
    def _arms(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        """Every arm once, as (variable, value) pairs: the product, expanded once."""
        combinations = itertools.product(*(values for _, values in self.variables))
        cleaned = (_clean(tuple(zip(self.names, c, strict=True))) for c in combinations)
        return tuple(dict.fromkeys(cleaned))

    def label(self) -> str:
        """The space as text, ``weather=A,B;control=C``."""
        return ";".join(f"{name}={','.join(values)}" for name, values in self.variables)


def _clean(items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """A combination without ``corruption=none`` and, then, without its severity."""
    if (CORRUPTION, NO_CORRUPTION) not in items:
        return items
    return tuple((k, v) for k, v in items if k not in (CORRUPTION, SEVERITY))


def space_values(scenario: Scenario, name: str) -> tuple[str, ...]:
    """Every value ``*`` stands for, for one variable of ``scenario``.

    Raises:
        UsageError: naming an unknown variable and the valid ones.
    """
    variables = scenario.variable_map
    if name in variables:
        return tuple(variables[name].values)
    if name == CORRUPTION:
        return (NO_CORRUPTION, *PERTURBATIONS.names())
    if name == SEVERITY:
        return SEVERITY_VALUES
    valid = [*variables, CORRUPTION, SEVERITY]
    raise UsageError(
        f"scenario {scenario.name} has no variable {name!r}{did_you_mean(name, valid)}; "
        f"valid: {', '.join(valid)}"
    )


def parse_space(text: str, scenario: Scenario) -> SearchSpace:
    """The space ``var=*;var=a,b`` of ``scenario``, checked.

    Raises:
        UsageError: one line naming an empty or malformed space, an unknown variable or
            value, a variable given twice, or a space larger than :data:`MAX_ARMS`.
    """
    parts = [part.strip() for part in text.split(";") if part.strip()]
    if not parts:
        raise UsageError(
            "the search space is empty; give variables separated by ';', e.g. "
            "--space 'weather=*;control=light_red,stop_sign'"
        )
    variables: list[tuple[str, tuple[str, ...]]] = []
    for part in parts:
        name, sep, given = (piece.strip() for piece in part.partition("="))
        if not sep or not name or not given:
            raise UsageError(
                f"search space part {part!r} is not VARIABLE=VALUES; write e.g. weather=* "
                "or control=light_red,stop_sign"
            )
        allowed = space_values(scenario, name)
        if any(seen == name for seen, _ in variables):
            raise UsageError(f"variable {name} is given twice in the search space; give it once")
        if given == "*":
            values = allowed
        else:
            values = tuple(dict.fromkeys(v.strip() for v in given.split(",") if v.strip()))
            for value in values:
                if value not in allowed:
                    raise UsageError(
                        f"{scenario.name}: {name} has no value {value!r}"
                        f"{did_you_mean(value, allowed)}; valid: {', '.join(allowed)}"
                    )
        if not values:
            raise UsageError(f"variable {name} has no values in the search space; give some")
        variables.append((name, values))
    space = SearchSpace(tuple(variables))
    if any(n == SEVERITY for n, _ in variables) and not any(n == CORRUPTION for n, _ in variables):
        raise UsageError("severity grades a corruption; add corruption=... to the search space")
    if space.size > MAX_ARMS:
        raise UsageError(
            f"the search space holds {space.size} conditions, more than {MAX_ARMS}; fix some "
            "variables to fewer values"
        )
    return space


@dataclass
class SearchScheduler(Scheduler):
    """A scheduler whose next batch the search chooses (one batch in flight at a time).

    Attributes:
        search: the failure search over the plan's conditions (arm i = condition i),
            asking the plan's single question.
    """

    search: TopKSearch | None = None
    _pending: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.search is None:
            raise UsageError("a search scheduler needs its search")
        if len(self.plan.questions) != 1:
            raise UsageError(
                f"a search asks one question, not {len(self.plan.questions)}; give --question"
            )
        self.question = self.plan.questions[0]

    @property
    def engine(self) -> TopKSearch:
        """The search (checked present at construction)."""
        assert self.search is not None
        return self.search

    def next_batch(self, size: int) -> list[SampleTask]:
        """The arms the search asks for next, each at its next sample; none while a batch is
        in flight or once the search has stopped."""
        if self._pending or self.engine.stopped:
            return []
        batch = []
        for arm in self.engine.next_arms(size):
            batch.append(SampleTask(arm, self.cursor[arm], (self.question,), self.unit))
            self.cursor[arm] += 1
        self._pending = bool(batch)
        return batch

    @property
    def finished(self) -> bool:
        """The search has stopped (identified, classified, or out of budget)."""
        return self.engine.stopped

    def observe(self, observations: Sequence[Observation]) -> list[bool]:
        """Count every answer, and feed the answered ones to the search."""
        keep = super().observe(observations)
        self._feed(observations)
        self._pending = False
        return keep

    def replay(self, observations: Iterable[Observation]) -> int:
        """Rebuild the cells and the search from stored answers (a resumed run)."""
        stored = sorted(observations, key=lambda o: (o.cell, o.sample))
        count = super().replay(stored)
        self._feed(stored)
        return count

    def _feed(self, observations: Sequence[Observation]) -> None:
        answered = [o for o in observations if not o.failed]
        if answered:
            arms = [self.cells[o.cell].cell.condition for o in answered]
            self.engine.observe_many(arms, [bool(o.event) for o in answered])
