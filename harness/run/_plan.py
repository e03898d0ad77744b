"""A run's plan: the scenario, its conditions and questions, and the cells they make.

A cell is one (condition, question): the unit that is certified and, in sequential mode,
stopped. The plan resolves every name of a :class:`RunConfig` before anything runs, so a
typo fails in one line before a model is loaded or a file is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from analysis import ANYTIME_METHODS, CERTIFY_METHODS, MULTIPLICITIES, SEQUENCE_METHODS, Spec
from drivecert import UsageError, did_you_mean
from harness.perturb import corruption_of
from harness.run._config import RunConfig
from scenarios import Condition, Question, Scenario, get_scenario


@dataclass(frozen=True)
class Cell:
    """One (condition, question) of the plan.

    Attributes:
        index: position in the plan (condition-major).
        condition: index of the condition in the plan.
        question: question id.
    """

    index: int
    condition: int
    question: str


@dataclass(frozen=True)
class Plan:
    """What a run samples, asks and certifies.

    Attributes:
        config: the validated settings.
        scenario: the scenario.
        conditions: the conditions, in order.
        questions: question ids, in the scenario's order.
        spec: the parsed threshold and direction.
    """

    config: RunConfig
    scenario: Scenario
    conditions: tuple[Condition, ...]
    questions: tuple[str, ...]
    spec: Spec

    @property
    def cells(self) -> tuple[Cell, ...]:
        """Every (condition, question), condition-major."""
        return tuple(
            Cell(c * len(self.questions) + q, c, question)
            for c in range(len(self.conditions))
            for q, question in enumerate(self.questions)
        )

    @property
    def labels(self) -> tuple[str, ...]:
        """The conditions' labels."""
        return tuple(c.label for c in self.conditions)

    @cached_property
    def reference(self) -> dict[str, Question]:
        """The scenario's questions by id, from the plan's first scene: their wording for
        rows of undrawable scenes, their roles and what each decision rests on (the same
        in every scene; the library test checks)."""
        scene = self.scenario.sample(self.conditions[0], 0, self.config.seed)
        return {q.id: q for q in self.scenario.ask(scene)}

    def feeds(self) -> dict[str, tuple[str, ...]]:
        """Per asked perception question, the asked decision questions resting on it whose
        perception questions are all asked (only those can be attributed)."""
        reference = self.reference
        asked = set(self.questions)
        attributable = [
            d
            for d in self.questions
            if reference[d].perceives and set(reference[d].perceives) <= asked
        ]
        return {
            p: tuple(d for d in attributable if p in reference[d].perceives)
            for p in self.questions
            if reference[p].role == "perception"
        }

    def group_by(self) -> tuple[str, str]:
        """Two variables to lay tables and heatmaps out by: those that vary across the
        conditions first, then the scenario's other variables, then maneuver."""
        names = [v.name for v in self.scenario.variables]
        varying = [n for n in names if len({c.get(n) for c in self.conditions}) > 1]
        ordered = [*varying, *(n for n in names if n not in varying), "maneuver", "weather"]
        chosen = list(dict.fromkeys(ordered))
        return chosen[0], chosen[1]

    def in_order(self, table: pd.DataFrame) -> pd.DataFrame:
        """Rows of a stored table sorted as planned: condition, question, then sample."""
        return SweepPlan((self,)).in_order(table)

    def resolved(self) -> dict[str, Any]:
        """Conditions and questions as explicit lists (for config.yaml and the fingerprint)."""
        return {"conditions": list(self.labels), "questions": list(self.questions)}


@dataclass(frozen=True)
class SweepPlan:
    """Plans certified together: one per (model, scenario) of a sweep, or a run's one.

    Every plan shares the statistical settings (spec, delta, method, multiplicity, event,
    sequential, n_max, seed); delta is family-wise over every cell of every plan.

    Attributes:
        plans: the plans, model-major, in the order they are sampled.
    """

    plans: tuple[Plan, ...]

    @property
    def config(self) -> RunConfig:
        """The settings every plan shares (those of the first)."""
        return self.plans[0].config

    @property
    def family(self) -> int:
        """K: the number of cells delta is shared over."""
        return sum(len(plan.cells) for plan in self.plans)

    def models(self) -> list[str]:
        """The model specs, in order."""
        return list(dict.fromkeys(plan.config.model for plan in self.plans))

    def units_of(self, model: str) -> list[int]:
        """Indices of the plans asked of ``model``."""
        return [i for i, plan in enumerate(self.plans) if plan.config.model == model]

    def group_by(self) -> tuple[str, str]:
        """The plans' common grouping variables, else weather x maneuver (every scene has
        both)."""
        chosen = {plan.group_by() for plan in self.plans}
        return chosen.pop() if len(chosen) == 1 else ("weather", "maneuver")

    def in_order(self, table: pd.DataFrame) -> pd.DataFrame:
        """Rows sorted as planned: scenario (sweep order), model, condition, question, sample."""
        scenarios: dict[str, int] = {}
        conditions: dict[tuple[str, str], int] = {}
        questions: dict[tuple[str, str], int] = {}
        for plan in self.plans:
            name = plan.scenario.name
            scenarios.setdefault(name, len(scenarios))
            conditions.update({(name, label): i for i, label in enumerate(plan.labels)})
            questions.update({(name, q): i for i, q in enumerate(plan.questions)})
        pairs = list(zip(table["scenario"], table["condition"], strict=True))
        asked = list(zip(table["scenario"], table["question"], strict=True))
        keyed = table.assign(
            _s=table["scenario"].map(scenarios),
            _c=[conditions.get(pair) for pair in pairs],  # unknown: NaN, sorted last
            _q=[questions.get(pair) for pair in asked],
        )
        ordered = keyed.sort_values(["_s", "model", "_c", "_q", "sample"], kind="stable")
        return ordered.drop(columns=["_s", "_c", "_q"]).reset_index(drop=True)


def make_plan(config: RunConfig) -> Plan:
    """Resolve and check every name in ``config``.

    Raises:
        UsageError: naming the unknown scenario, variable, value, question or method.
    """
    scenario = get_scenario(config.scenario)
    conditions = _conditions(scenario, config.conditions, config.seed)
    questions = _questions(scenario, conditions[0], config)
    spec = Spec.parse(config.spec)
    method = config.interval_method
    if method not in CERTIFY_METHODS:
        raise UsageError(
            f"unknown method {method!r}{did_you_mean(method, CERTIFY_METHODS)}; "
            f"choose one of {', '.join(CERTIFY_METHODS)}"
        )
    if config.sequential and method not in ANYTIME_METHODS:
        anytime = SEQUENCE_METHODS if config.observe == "greedy" else ("betting-mean-cs",)
        raise UsageError(
            f"--sequential stops on the data, so a fixed-n interval ({method}) would lose its "
            f"coverage; use --method {' or '.join(anytime)}"
        )
    if config.sequential and config.multiplicity == "holm" and method == "beta-binomial":
        raise UsageError(
            "--sequential stops each cell on its beta-binomial sequence at delta/K, and Holm's "
            "mixture p-values can then fail to confirm a stop; use --multiplicity bonferroni, "
            "or --method betting with holm"
        )
    if config.multiplicity not in MULTIPLICITIES:
        raise UsageError(
            f"unknown multiplicity {config.multiplicity!r}; choose one of "
            f"{', '.join(MULTIPLICITIES)}"
        )
    return Plan(config, scenario, conditions, questions, spec)


def _conditions(
    scenario: Scenario, given: str | list[str | dict[str, str]], seed: int
) -> tuple[Condition, ...]:
    if isinstance(given, str) and given.strip() == "default":
        found = scenario.default_conditions()
    else:
        parts: list[str | dict[str, str]] = (
            [p for p in given.split(";") if p.strip()] if isinstance(given, str) else list(given)
        )
        found = [scenario.resolve_condition(part) for part in parts]
    if not found:
        raise UsageError(
            "no conditions given; write default or conditions separated by ';', e.g. "
            "weather=ClearNoon;weather=HardRainNoon"
        )
    for condition in found:  # a condition no scene can meet fails here, in one line
        scenario.sample(condition, 0, seed)
        corruption_of(condition)  # and so does an unknown corruption
    counts = Counter(c.label for c in found)
    repeated = sorted(label for label, count in counts.items() if count > 1)
    if repeated:
        raise UsageError(f"condition {repeated[0]} is given twice; give each condition once")
    return tuple(found)


def _questions(scenario: Scenario, condition: Condition, config: RunConfig) -> tuple[str, ...]:
    asked: tuple[Question, ...] = scenario.ask(scenario.sample(condition, 0, config.seed))
    available = [q.id for q in asked]
    given = config.questions
    if isinstance(given, str):
        if given.strip() == "all":
            return tuple(available)
        wanted = [q.strip() for q in given.split(",") if q.strip()]
    else:
        wanted = [q.strip() for q in given]
    if not wanted:
        raise UsageError(f"no questions given; write all or ids from {', '.join(available)}")
    for question in wanted:
        if question not in available:
            raise UsageError(
                f"{scenario.name} has no question {question!r}"
                f"{did_you_mean(question, available)}; valid: {', '.join(available)}"
            )
    if len(set(wanted)) != len(wanted):
        raise UsageError("a question is given twice; give each question id once")
    return tuple(q for q in available if q in wanted)
