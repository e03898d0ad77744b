"""The ``scripted:`` spec: its names, options and per-condition rules (syntax: models._scripted)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from drivecert import UsageError, probability_option

NAMES = ("oracle", "always-yes", "always-no", "always-proceed", "always-stop", "noisy")
STYLES = ("exact", "free")
#: Rates of the perception/decision model; each defaults to ``error`` and its rules.
ATTRIBUTION_RATES = ("perception", "decision_seen", "decision_missed")
CALL_OPTIONS = ("latency_ms", "fail")  # how a call behaves; left out of the model id
FORMS = (
    "scripted:oracle, scripted:always-yes|always-no|always-proceed|always-stop, "
    "scripted:noisy?error=0.1[&weather.HardRainNoon=0.9][&style=free], "
    "scripted:noisy?perception=0.2&decision_seen=0.05&decision_missed=0.8"
    "[&perception.weather.HardRainNoon=0.6], "
    "each optionally with latency_ms=N (milliseconds per call) and fail=RATE"
)


@dataclass(frozen=True)
class Rule:
    """An error rate for scenes whose condition has every listed (variable, value)."""

    match: tuple[tuple[str, str], ...]
    rate: float

    def applies(self, condition: dict[str, str]) -> bool:
        """Whether every listed variable has its value in ``condition``."""
        return all(condition.get(var) == value for var, value in self.match)


@dataclass(frozen=True)
class ScriptedSpec:
    """A parsed ``scripted:`` spec.

    Attributes:
        text: the spec without ``latency_ms`` and ``fail``: the model id, and part of
            the answer draw's seed.
        name: oracle, always-..., or noisy.
        error: the error rate where no rule matches.
        rules: per-condition error rates.
        style: ``exact`` answers or ``free`` text.
        latency_ms: milliseconds slept once per ``generate`` call.
        fail: the probability that a query fails.
    """

    text: str
    name: str
    error: float = 0.0
    rules: tuple[Rule, ...] = ()
    style: str = "exact"
    latency_ms: float = 0.0
    fail: float = 0.0
    rates: Mapping[str, tuple[float | None, tuple[Rule, ...]]] = field(default_factory=dict)

    def error_rate(self, condition: dict[str, str]) -> float:
        """The rate for a scene: the most specific matching rule, first listed on ties."""
        return _most_specific(self.rules, condition, self.error)

    @property
    def attribution(self) -> bool:
        """Whether perception and decision questions have rates of their own."""
        return bool(self.rates)

    def rate(self, name: str, condition: dict[str, str]) -> float:
        """An attribution rate (``perception``, ``decision_seen``, ``decision_missed``) for a
        scene: its most specific rule, else its value, else the error rate."""
        default, rules = self.rates.get(name, (None, ()))
        fallback = self.error_rate(condition) if default is None else default
        return _most_specific(rules, condition, fallback)


def _most_specific(rules: Sequence[Rule], condition: dict[str, str], fallback: float) -> float:
    """The rate of the matching rule with the most variables (first listed on ties)."""
    best: Rule | None = None
    for rule in rules:
        if rule.applies(condition) and (best is None or len(rule.match) > len(best.match)):
            best = rule
    return best.rate if best is not None else fallback


def parse_scripted(rest: str) -> ScriptedSpec:
    """Parse what follows ``scripted:``.

    Raises:
        UsageError: naming the bad part and the valid forms.
    """
    spec = f"scripted:{rest}"
    name, _, query = rest.partition("?")
    if name not in NAMES:
        raise UsageError(f"unknown scripted model {name!r}; valid forms: {FORMS}")
    error, style, rules, latency_ms, fail = 0.0, "exact", [], 0.0, 0.0
    rates: dict[str, tuple[float | None, tuple[Rule, ...]]] = {}
    for item in filter(None, query.split("&")):
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"{item!r} in {spec!r} has no '='; write name=value")
        if key == "latency_ms":
            latency_ms = _milliseconds(value, spec)
        elif key == "fail":
            fail = probability_option(key, value, repr(spec))
        elif key == "style":
            if value not in STYLES:
                raise UsageError(f"style={value!r} in {spec!r}; valid: {', '.join(STYLES)}")
            style = value
        elif name != "noisy":
            raise UsageError(f"{spec!r}: only scripted:noisy takes {key}=...; valid forms: {FORMS}")
        elif key == "error":
            error = probability_option(key, value, repr(spec))
        elif key.partition(".")[0] in ATTRIBUTION_RATES:
            family, _, rule = key.partition(".")
            default, family_rules = rates.get(family, (None, ()))
            if rule:
                rates[family] = (default, (*family_rules, _rule(rule, value, spec)))
            else:
                rates[family] = (probability_option(key, value, repr(spec)), family_rules)
        else:
            rules.append(_rule(key, value, spec))
    return ScriptedSpec(
        _without_call_options(spec, name, query),
        name,
        error,
        tuple(rules),
        style,
        latency_ms,
        fail,
        rates,
    )


def _rule(key: str, value: str, spec: str) -> Rule:
    """``var.value[+var.value...]=rate`` as a :class:`Rule`."""
    match = []
    for part in key.split("+"):
        var, dot, val = part.partition(".")
        if not dot or not var or not val:
            raise UsageError(
                f"{key!r} in {spec!r} is not variable.value (e.g. weather.HardRainNoon)"
            )
        match.append((var, val))
    return Rule(tuple(match), probability_option(key, value, repr(spec)))


def _milliseconds(text: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value >= 0):
        raise UsageError(f"latency_ms={text!r} in {spec!r} is not a number of milliseconds >= 0")
    return value


def _without_call_options(spec: str, name: str, query: str) -> str:
    """``spec`` as if written without its ``latency_ms`` / ``fail`` items."""
    items = query.split("&")
    kept = [item for item in items if item.partition("=")[0] not in CALL_OPTIONS]
    if len(kept) == len(items):
        return spec
    return f"scripted:{name}?{'&'.join(kept)}" if any(kept) else f"scripted:{name}"
