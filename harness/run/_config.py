"""The settings of a run, validated: from flags, from a YAML file, or both (flags win).

``RunConfig`` is plain validated data (pydantic, no code in config). An unknown key or a
bad value is a one-line :class:`UsageError` that names it and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from drivecert import UsageError, did_you_mean

Event = Literal["unsafe", "wrong"]
Model = TypeVar("Model", bound=BaseModel)

#: Settings that change how a run goes but never what it stores or certifies; they may
#: differ between a run and its resumption.
OPERATIONAL = frozenset({"batch_size", "retries", "cache", "figures", "report", "model_options"})
#: Settings added after runs were first written, left out of the fingerprint (and of
#: config.yaml) at their default, so that those runs keep their fingerprint and resume.
UNRECORDED_DEFAULTS: dict[str, Any] = {
    "judge": "rules",
    "judge_labels": None,
    "observe": "greedy",
    "token_budget": 256,
    "branch_budget": 64,
}
Observe = Literal["greedy", "probability", "bounds"]
#: The interval methods that certify a mean of per-scene probabilities (fixed n, anytime).
MEAN_METHODS = ("betting-mean", "hoeffding", "empirical-bernstein", "betting-mean-cs")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RenderOptions(_Strict):
    """How frames are made (see ``harness.render.RenderSettings``)."""

    width: int = Field(800, ge=16, le=8192)
    height: int = Field(450, ge=16, le=8192)
    fov_deg: float = Field(90.0, ge=10.0, le=170.0)
    backend: Literal["auto", "gl", "software"] = "auto"
    frames: int = Field(1, ge=1, le=64, description="frames per scene along the maneuver")
    dt: float = Field(0.5, ge=0.0, description="seconds between the frames of a scene")
    town: str | None = Field(None, description="the CARLA map (default Town05)")


class CarlaOptions(_Strict):
    """Where the CARLA server listens (``DRIVECERT_CARLA_HOST``/``PORT`` override them)."""

    host: str = "127.0.0.1"
    port: int = Field(2000, ge=1, le=65535)
    timeout_s: float = Field(10.0, gt=0.0)


class DecodingOptions(_Strict):
    """Generation settings (see ``models.Decoding``)."""

    max_new_tokens: int = Field(64, ge=1)
    temperature: float = Field(0.0, ge=0.0)
    min_pixels: int | None = Field(None, ge=1)
    max_pixels: int | None = Field(None, ge=1)
    top_p: float = Field(1.0, gt=0.0, le=1.0, description="nucleus sampling; 1 turns it off")


class ModelOptions(_Strict):
    """How to reach the model (see ``models.LoadOptions``)."""

    device: str | None = None
    concurrency: int = Field(8, ge=1)
    timeout_s: float = Field(120.0, gt=0.0)
    http_retries: int = Field(5, ge=0)


class Settings(_Strict):
    """What every plan of a run or sweep shares.

    Attributes:
        renderer: renderer name (``embedded``, ``carla``).
        n_max: the most scenes per condition (fixed n when not sequential).
        delta: family-wise miscoverage over every (condition, question) cell (of every
            scenario and model of a sweep).
        spec: the threshold to decide, ``<=0.5`` or ``>=0.85``.
        method: interval method; None picks clopper-pearson (fixed n) or beta-binomial
            (sequential).
        multiplicity: ``bonferroni`` or ``holm``.
        sequential: stop each cell once its confidence sequence decides the spec.
        event: ``unsafe`` (default) or ``wrong`` (answer not in the safe set).
        batch_size: scenes rendered and answered together.
        seed: base seed of every scene.
        retries: further attempts of a failed render or model query.
        system_prompt: an optional system turn before every question.
        cache: the response cache file (default: ``cache/responses.sqlite`` in the run).
        judge: which judge reads the replies: ``rules`` (default), ``scripted:shy=R&bold=R``,
            ``model:SPEC`` or ``rules+model:SPEC`` (judgements cached in ``cache/judge/``).
        judge_labels: labelled replies (a JSONL file, or ``default`` for the project's
            own) the judge is calibrated on after the run; the certificates are then also
            corrected for the judge (judge_corrected.csv, cells at delta / 2).
        observe: what each scene gives: ``greedy`` (one reply, judged: a 0/1 answer),
            ``probability`` (the model's answer distribution at the answer position: the
            probability of an unsafe answer, with the mass on no answer as its
            uncertainty) or ``bounds`` (the reply tree explored best-first, every completed
            reply judged: sound bounds on the probability of an unsafe reply). The last two
            sample at ``decoding.temperature`` and ``decoding.top_p`` and certify the
            scene-averaged probability with a bounded-mean method.
        token_budget: model steps per scene for ``bounds`` (each expanded prefix costs one).
        branch_budget: the most completed replies per scene, and children per expansion,
            for ``bounds``.
        figures: draw the figures at the end (off saves a few seconds in quick sweeps).
        report: write report.html at the end.
    """

    renderer: str = "embedded"
    n_max: int = Field(200, ge=1)
    delta: float = Field(0.05, gt=0.0, lt=1.0)
    spec: str = "<=0.5"
    method: str | None = None
    multiplicity: str = "bonferroni"
    sequential: bool = False
    event: Event = "unsafe"
    batch_size: int = Field(8, ge=1)
    seed: int = Field(0, ge=0, lt=2**63)
    retries: int = Field(2, ge=0)
    system_prompt: str | None = None
    cache: str | None = None
    judge: str = "rules"
    judge_labels: str | None = None
    observe: Observe = "greedy"
    token_budget: int = Field(256, ge=1)
    branch_budget: int = Field(64, ge=1)
    figures: bool = True
    report: bool = True
    render: RenderOptions = Field(default_factory=RenderOptions)
    decoding: DecodingOptions = Field(default_factory=DecodingOptions)
    model_options: ModelOptions = Field(default_factory=ModelOptions)
    carla: CarlaOptions = Field(default_factory=CarlaOptions)

    @field_validator("renderer", "spec", "judge", "judge_labels", check_fields=False)
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @model_validator(mode="after")
    def _observed_needs_a_mean_method(self) -> Settings:
        if self.observe == "greedy":
            return self
        if self.method is not None and self.method not in MEAN_METHODS:
            raise ValueError(
                f"method {self.method} certifies 0/1 answers; with observe {self.observe} use "
                f"{', '.join(MEAN_METHODS)}"
            )
        if self.judge_labels is not None:
            raise ValueError(
                f"judge_labels corrects 0/1 verdicts; with observe {self.observe} drop it"
            )
        return self

    @property
    def interval_method(self) -> str:
        """The method in force: the one given, else the mode's default (for per-scene
        probabilities, the betting bounded-mean interval or confidence sequence)."""
        if self.method is not None:
            return self.method
        if self.observe != "greedy":
            return "betting-mean-cs" if self.sequential else "betting-mean"
        return "beta-binomial" if self.sequential else "clopper-pearson"

    def fingerprint_payload(self, resolved: Mapping[str, Any]) -> dict[str, Any]:
        """The settings that decide what is stored and certified, with ``resolved``
        (conditions and questions as lists) in place of their short forms."""
        payload = self.model_dump(mode="json", exclude=set(OPERATIONAL))
        payload["method"] = self.interval_method
        for key, default in UNRECORDED_DEFAULTS.items():
            if payload[key] == default:
                del payload[key]
        if payload["decoding"]["top_p"] == 1.0:
            del payload["decoding"]["top_p"]
        payload.update(resolved)
        return payload


class RunConfig(Settings):
    """Everything that defines a run: one scenario asked of one model (and the shared
    :class:`Settings`).

    Attributes:
        scenario: scenario name.
        model: model spec, e.g. ``hf:Qwen/Qwen2-VL-7B-Instruct`` or ``scripted:oracle``.
        conditions: ``default`` (the scenario's default grid) or conditions separated by
            ``;`` (``weather=ClearNoon,control=light_red;weather=HardRainNoon``), or a list.
        questions: ``all`` or question ids separated by commas, or a list.
    """

    scenario: str
    model: str
    conditions: str | list[str | dict[str, str]] = "default"
    questions: str | list[str] = "all"

    @field_validator("scenario", "model")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


def fingerprint(payload: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of ``payload`` (first 16 hex digits)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping in a YAML config file.

    Raises:
        UsageError: when the file is missing, is not YAML or does not hold a mapping.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read config {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; save the config as UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{path}{where} is not valid YAML; fix the syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path} must hold a mapping of settings (key: value), not a list")
    if set(data) == {"fingerprint", "settings"} and isinstance(data["settings"], dict):
        return dict(data["settings"])  # a run directory's config.yaml
    return data


def build_config(file_values: Mapping[str, Any], flags: Mapping[str, Any], where: str) -> RunConfig:
    """A validated config from a YAML mapping overridden by the flags given (not None);
    a flag given as a mapping (``carla``, ``render``) overrides only the keys it sets.

    Raises:
        UsageError: one line naming the first bad key or value and what is allowed.
    """
    return validate(RunConfig, merge_flags(file_values, flags), where)


def merge_flags(file_values: Mapping[str, Any], flags: Mapping[str, Any]) -> dict[str, Any]:
    """``file_values`` overridden by the flags given (not None); a flag given as a mapping
    overrides only the keys it sets."""
    merged = dict(file_values)
    for key, value in flags.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            value = {**merged[key], **{k: v for k, v in value.items() if v is not None}}
        elif isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if v is not None} or None
        if value is not None:
            merged[key] = value
    return merged


def validate(schema: type[Model], values: Mapping[str, Any], where: str) -> Model:
    """``values`` validated as ``schema``.

    Raises:
        UsageError: one line naming the first bad key or value and what is allowed.
    """
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        raise UsageError(_one_line(error, where, schema)) from None


def _one_line(error: ValidationError, where: str, schema: type[BaseModel]) -> str:
    """The first validation problem as one line naming the key and what is allowed."""
    problem = error.errors()[0]
    location = [str(part) for part in problem["loc"] if not isinstance(part, int)]
    key = ".".join(location)
    model: type[BaseModel] = schema
    for part in location[:-1]:
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field is not None else None
        if inner is not None:
            model = inner
    own = [name for name in model.model_fields if name in vars(model).get("__annotations__", {})]
    allowed = [*own, *(name for name in model.model_fields if name not in own)]
    if problem["type"] == "extra_forbidden":
        name = location[-1] if location else key
        return (
            f"{where}: unknown key {key!r}{did_you_mean(name, allowed)}; "
            f"allowed: {', '.join(allowed)}"
        )
    if problem["type"] == "too_short":
        return f"{where}: {key} is empty; give at least one"
    if problem["type"] == "missing":
        return f"{where}: {key} is required (give it as a flag or in the config file)"
    given = problem.get("input")
    shown = f" {given!r}" if given is not None and not isinstance(given, dict) else ""
    return f"{where}: {key}{shown}: {problem['msg'].lower()}"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The settings model an annotation holds (itself, or inside a list or union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
