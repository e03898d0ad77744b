"""A sweep: models x scenarios x conditions x questions in one run directory.

```yaml
models: [hf:Qwen/Qwen2-VL-7B-Instruct, hf:llava-hf/llava-1.5-7b-hf]
scenarios:
  - right_turn                                   # its default grid, every question
  - name: obstacle_ahead
    conditions: weather=ClearNoon;weather=HardRainNoon
    questions: [stop_needed]
n_max: 200
delta: 0.05                                      # family-wise over every cell of the sweep
```

Every other key is a setting of ``drivecert run`` (see :class:`Settings`) and applies to
every (model, scenario). The sweep expands into one :class:`Plan` per (model, scenario),
model-major; the plans share one store, one family of certificates, one report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from drivecert import UsageError
from harness.run._config import RunConfig, Settings, _Strict, validate
from harness.run._plan import SweepPlan, make_plan
from harness.run._rundir import read_run_config
from models import check_spec

#: What config.yaml's settings hold in a sweep (and not in a run).
SWEEP_KEYS = frozenset({"models", "scenarios"})
#: What config.yaml's settings hold of a failure search (its space and guarantee).
SEARCH_KEY = "search"


class ScenarioEntry(_Strict):
    """One scenario of a sweep, with its conditions and questions.

    Attributes:
        name: scenario name.
        conditions: ``default``, conditions separated by ``;``, or a list.
        questions: ``all``, ids separated by commas, or a list.
    """

    name: str
    conditions: str | list[str | dict[str, str]] = "default"
    questions: str | list[str] = "all"

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        return _stripped(value)


def _stripped(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


class SweepConfig(Settings):
    """Everything that defines a sweep: models x scenarios, and the shared settings.

    Attributes:
        models: model specs, asked one after another (each on every scenario).
        scenarios: scenario names, or entries with their own conditions and questions.
        name: the sweep's name (default run directory ``runs/NAME``).
    """

    models: list[str] = Field(min_length=1)
    scenarios: list[ScenarioEntry] = Field(min_length=1)
    name: str | None = None

    @field_validator("models")
    @classmethod
    def _specs(cls, value: list[str]) -> list[str]:
        return [_stripped(spec) for spec in value]

    @field_validator("name")
    @classmethod
    def _folder_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            raise ValueError("must be a folder name (letters, digits, '.', '_', '-')")
        return value

    @field_validator("scenarios", mode="before")
    @classmethod
    def _named_entries(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    def runs(self) -> list[RunConfig]:
        """One run configuration per (model, scenario), model-major."""
        shared = self.model_dump(exclude={"models", "scenarios", "name"})
        return [
            RunConfig.model_validate(
                {
                    **shared,
                    "model": model,
                    "scenario": entry.name,
                    "conditions": entry.conditions,
                    "questions": entry.questions,
                }
            )
            for model in self.models
            for entry in self.scenarios
        ]

    def fingerprint_payload(self, resolved: Mapping[str, Any]) -> dict[str, Any]:
        """The settings that decide what is stored and certified; ``resolved`` holds the
        scenarios with their conditions and questions as lists."""
        payload = super().fingerprint_payload(resolved)
        payload.pop("name", None)
        return payload


def read_sweep(path: Path, flags: Mapping[str, Any] | None = None) -> SweepConfig:
    """The sweep in a YAML file, overridden by the flags given (not None), validated.

    Raises:
        UsageError: one line naming the file and the first bad key or value.
    """
    from harness.run._config import merge_flags, read_yaml

    return validate(SweepConfig, merge_flags(read_yaml(path), flags or {}), str(path))


def sweep_plan(config: SweepConfig, where: str) -> SweepPlan:
    """Every plan of the sweep, each name resolved and checked.

    Raises:
        UsageError: on an unknown or repeated model spec or scenario, or any bad name in a
            plan; raised before anything is loaded or written.
    """
    for key, values in (
        ("models", config.models),
        ("scenarios", [e.name for e in config.scenarios]),
    ):
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise UsageError(
                f"{where}: {key} lists {repeated[0]!r} twice; give each once (merge the "
                "conditions of a scenario into one entry)"
            )
    for spec in config.models:
        try:
            check_spec(spec)
        except UsageError as error:
            raise UsageError(f"{where}: models: {error}") from None
    plans = []
    for run in config.runs():
        try:
            plans.append(make_plan(run))
        except UsageError as error:
            raise UsageError(f"{where}: scenario {run.scenario}: {error}") from None
    return SweepPlan(tuple(plans))


def resolved_scenarios(plan: SweepPlan) -> dict[str, Any]:
    """The sweep's scenarios with explicit conditions and questions (for config.yaml)."""
    seen: dict[str, dict[str, Any]] = {}
    for unit in plan.plans:
        seen.setdefault(
            unit.scenario.name,
            {
                "name": unit.scenario.name,
                "conditions": list(unit.labels),
                "questions": list(unit.questions),
            },
        )
    return {"scenarios": list(seen.values())}


def stored_plan(root: Path) -> SweepPlan:
    """The plans of the run or sweep in ``root``, from its config.yaml.

    Raises:
        UsageError: when ``root`` holds no run configuration.
    """
    stored = read_run_config(root)
    if stored is None:
        raise UsageError(f"{root} holds no drivecert run (no config.yaml); give a run directory")
    settings = {k: v for k, v in stored["settings"].items() if k != SEARCH_KEY}
    where = str(root / "config.yaml")
    if set(settings) >= SWEEP_KEYS:
        return sweep_plan(validate(SweepConfig, settings, where), where)
    return SweepPlan((make_plan(validate(RunConfig, settings, where)),))


def certify_defaults(root: Path) -> dict[str, Any]:
    """How the run or sweep in ``root`` was certified: spec, delta, method, multiplicity,
    event, group_by (``rows,columns``), judge labels and whether it stopped sequentially.

    Raises:
        UsageError: when ``root`` holds no run configuration.
    """
    return plan_defaults(stored_plan(root))


def plan_defaults(plan: SweepPlan) -> dict[str, Any]:
    """:func:`certify_defaults` of plans already read."""
    config = plan.config
    return {
        "spec": config.spec,
        "delta": config.delta,
        "method": config.interval_method,
        "multiplicity": config.multiplicity,
        "event": config.event,
        "group_by": ",".join(plan.group_by()),
        "judge_labels": config.judge_labels,
        "sequential": config.sequential,
    }
