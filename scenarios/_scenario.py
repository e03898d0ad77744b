"""A scenario: condition variables + a probabilistic program + questions with ground truth.

A scenario is composed, not subclassed: one file in ``scenarios/library`` builds a
:class:`Scenario` from plain functions and registers it. That file is the whole change
needed to add a scenario.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from drivecert import DrivecertError, Registry, UsageError, derive_seed, did_you_mean
from scenarios._condition import Condition
from scenarios._observation import (
    OBSERVATION_VARIABLES,
    check_observation,
    complete_observation,
    scene_condition,
)
from scenarios._program import (
    DEFAULT_MAX_ATTEMPTS,
    RandomStream,
    SampleContext,
    Variable,
    run_program,
)
from scenarios._questions import Question
from scenarios._scene import Agent, Ego, Road, SceneGraph, TrafficControl
from scenarios._variants import QUESTION_VARIANT, reworded
from scenarios._weather import Weather


@dataclass(frozen=True)
class Scene:
    """What a scenario program returns: the physical content of one scene."""

    weather: Weather
    road: Road
    ego: Ego
    maneuver: str
    agents: tuple[Agent, ...] = ()
    traffic_control: TrafficControl = field(default_factory=TrafficControl)


Program = Callable[[SampleContext], Scene]
QuestionsFn = Callable[[SceneGraph], tuple[Question, ...]]


@dataclass(frozen=True)
class Scenario:
    """A named scenario.

    Attributes:
        name: registry name, e.g. ``"right_turn"``.
        summary: one line for listings.
        variables: condition variables, in label order.
        default_grid: the values of each variable in the default condition grid
            (at least weather x the main variable).
        program: draws the scene.
        questions: asks questions of a sampled scene, with ground truth.
        rules: the ground-truth rules in words (the scenario module's docstring).
        max_attempts: rejection-sampling budget per scene.
        presets: named partial conditions usable inside a condition, e.g. ``lumos`` for
            ``right_exit=open`` (``lumos,weather=HardRainNoon``).
    """

    name: str
    summary: str
    variables: tuple[Variable, ...]
    default_grid: Mapping[str, tuple[str, ...]]
    program: Program
    questions: QuestionsFn
    rules: str = ""
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    presets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [v.name for v in self.variables]
        if len(names) != len(set(names)):
            raise DrivecertError(f"scenario {self.name}: variables declared twice: {names}")
        taken = set(names) & set(OBSERVATION_VARIABLES)
        if taken:
            raise DrivecertError(
                f"scenario {self.name}: {sorted(taken)} are every scenario's observation "
                "variables; name the scene variable otherwise"
            )
        by_name = {v.name: v for v in self.variables}
        for var, values in self.default_grid.items():
            if var not in by_name or not set(values) <= set(by_name[var].values):
                raise DrivecertError(f"scenario {self.name}: bad default grid entry {var}={values}")
        object.__setattr__(self, "default_grid", MappingProxyType(dict(self.default_grid)))
        for preset, entries in self.presets.items():
            if "=" in preset or "," in preset or not entries:
                raise DrivecertError(f"scenario {self.name}: bad preset {preset!r}")
            self.resolve_condition(dict(entries))  # its variables and values exist
        object.__setattr__(self, "presets", MappingProxyType(dict(self.presets)))

    @property
    def variable_map(self) -> dict[str, Variable]:
        """Condition variables by name."""
        return {v.name: v for v in self.variables}

    def resolve_condition(self, condition: Condition | str | Mapping[str, str] | None) -> Condition:
        """Validate a condition and put its variables in declaration order.

        Raises:
            UsageError: naming the unknown variable or value and listing the valid ones.
        """
        if condition is None or isinstance(condition, str):
            condition = Condition.parse(self._expand_presets(condition))
        elif not isinstance(condition, Condition):
            condition = Condition(dict(condition))
        variables = self.variable_map
        for name, value in condition.values.items():
            if name in OBSERVATION_VARIABLES:
                check_observation(name, value)
                continue
            if name not in variables:
                valid = [*variables, *OBSERVATION_VARIABLES]
                raise UsageError(
                    f"scenario {self.name} has no variable {name!r}"
                    f"{did_you_mean(name, valid)}; valid: {', '.join(valid)}"
                )
            if value not in variables[name].values:
                values = variables[name].values
                raise UsageError(
                    f"{self.name}: {name} has no value {value!r}"
                    f"{did_you_mean(value, values)}; valid: {', '.join(values)}"
                )
        names = [*variables, *OBSERVATION_VARIABLES]
        ordered = {v: condition.values[v] for v in names if v in condition.values}
        return Condition(complete_observation(ordered))

    def _expand_presets(self, text: str | None) -> str | None:
        """``lumos,weather=X`` -> ``right_exit=open,weather=X``: preset names replaced by
        their entries.

        Raises:
            UsageError: naming an unknown preset and the valid ones.
        """
        if text is None or text.strip() in ("", "all"):
            return text
        parts = []
        for part in text.split(","):
            name = part.strip()
            if "=" in part or not name:
                parts.append(part)
            elif name in self.presets:
                parts += [f"{k}={v}" for k, v in self.presets[name].items()]
            else:
                valid = ", ".join(self.presets) or "none"
                raise UsageError(
                    f"{self.name} has no preset {name!r}{did_you_mean(name, self.presets)}; "
                    f"presets: {valid}; or write name=value pairs, e.g. weather=HardRainNoon"
                )
        return ",".join(parts)

    def default_conditions(self) -> list[Condition]:
        """The default grid as conditions (cartesian product, in declaration order)."""
        names = [v.name for v in self.variables if v.name in self.default_grid]
        grids = [self.default_grid[n] for n in names]
        return [
            Condition(dict(zip(names, combo, strict=True))) for combo in itertools.product(*grids)
        ]

    def scene_seed(self, sample_index: int, base_seed: int) -> int:
        """The seed of sample ``sample_index``'s random stream.

        It does not depend on the condition, so conditions that differ only in a
        fixed-prior variable draw paired scenes (common random numbers).
        """
        return derive_seed("scene", base_seed, self.name, sample_index)

    def sample(
        self, condition: Condition | str | None = None, sample_index: int = 0, base_seed: int = 0
    ) -> SceneGraph:
        """Draw scene ``sample_index`` under ``condition``: a pure function of its arguments."""
        if sample_index < 0:
            raise UsageError(f"sample index {sample_index} must be >= 0")
        condition = self.resolve_condition(condition)
        seed = self.scene_seed(sample_index, base_seed)
        draw = run_program(
            self.program,
            stream=RandomStream(seed),
            condition=scene_condition(condition),  # how it is seen does not change the scene
            variables=self.variable_map,
            max_attempts=self.max_attempts,
            what=f"scenario {self.name}",
        )
        missing = [v.name for v in self.variables if v.name not in draw.trace]
        if missing:
            raise DrivecertError(f"scenario {self.name}: program never set variables {missing}")
        scene = draw.value
        return SceneGraph(
            scenario=self.name,
            condition=condition,
            sample_index=sample_index,
            base_seed=base_seed,
            scene_seed=seed,
            attempts=draw.attempts,
            weather=scene.weather,
            road=scene.road,
            ego=scene.ego,
            maneuver=scene.maneuver,
            agents=scene.agents,
            traffic_control=scene.traffic_control,
            variables={v.name: str(draw.trace[v.name]) for v in self.variables},
            choices=dict(draw.trace),
        )

    def sample_many(
        self,
        condition: Condition | str | None = None,
        n: int = 1,
        base_seed: int = 0,
        start: int = 0,
    ) -> list[SceneGraph]:
        """Scenes ``start .. start+n-1`` under ``condition``."""
        condition = self.resolve_condition(condition)
        return [self.sample(condition, i, base_seed) for i in range(start, start + n)]

    def ask(self, scene: SceneGraph) -> tuple[Question, ...]:
        """The questions of ``scene`` with their ground truth."""
        if scene.scenario != self.name:
            raise DrivecertError(f"scene of {scene.scenario} given to scenario {self.name}")
        variant = scene.condition.get(QUESTION_VARIANT)
        if variant is None:
            return self.questions(scene)
        return tuple(reworded(q, variant) for q in self.questions(scene))


SCENARIOS: Registry[Scenario] = Registry("scenario", Scenario, discover="scenarios.library")


def register_scenario(scenario: Scenario) -> Scenario:
    """Register a scenario under its name (call once, at the bottom of its file)."""
    return SCENARIOS.register(scenario.name, scenario)


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``; an unknown name lists the valid ones."""
    return SCENARIOS.get(name)


def list_scenarios() -> list[Scenario]:
    """Every registered scenario, sorted by name."""
    return [SCENARIOS.get(n) for n in SCENARIOS.names()]
