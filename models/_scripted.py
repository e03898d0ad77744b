"""Scripted reference models: known error rates for validating the whole harness.

Spec syntax (stable: outside checks rely on it)::

    scripted:oracle                     the ground-truth safe answer, always
    scripted:always-yes | always-no     that answer to every question
    scripted:always-proceed | always-stop
    scripted:noisy?error=0.1            wrong with probability 0.1
    scripted:noisy?error=0.05&weather.HardRainNoon=0.9&maneuver.right_turn=0.3
    scripted:noisy?error=0.05&weather.HardRainNoon+maneuver.right_turn=0.95
    ...&style=free                      varied free text ("Yes, because ...")
    scripted:oracle?latency_ms=50       any model: sleep 50 ms once per generate call
    scripted:noisy?error=0.1&fail=0.02  any model: 2% of queries fail (a failed Response)

A rule ``var.value[+var.value...]=rate`` applies when the scene's condition has every
listed value. The most specific matching rule (most variables) sets the rate; ties go to
the first listed; ``error`` applies when no rule matches (default 0).

A wrong answer is an unsafe one when the question has any (the first unsafe answer in
caution order for yes/no there is only one), else an over-cautious one. So on questions
whose wrong answers are all unsafe, P(unsafe) equals the error rate set.

Answers are deterministic given (spec, scene seed, sample, question): the draw comes from
``derive_seed("scripted", spec, seed, sample, question)``. No images are read.

``latency_ms`` and ``fail`` change how a call behaves, never what is answered: the model id
and the answer draw use the spec without them, so ``scripted:noisy?error=0.1&latency_ms=50``
answers exactly as ``scripted:noisy?error=0.1``. ``latency_ms=N`` stands in for a GPU
model's batch time in benchmarks. ``fail=RATE`` makes a query fail (status ``failed``,
error "scripted failure") with probability RATE; whether it fails is fixed by (scene seed,
sample, question), independent of the answer draw, so a failing query fails again when
retried, and a higher rate fails a superset of the queries a lower one does.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from drivecert import UsageError, derive_seed
from models._types import AnswerKey, Decoding, ModelQuery, Response

NAMES = ("oracle", "always-yes", "always-no", "always-proceed", "always-stop", "noisy")
STYLES = ("exact", "free")
CALL_OPTIONS = ("latency_ms", "fail")  # how a call behaves; left out of the model id
FAILURE = "scripted failure"
FORMS = (
    "scripted:oracle, scripted:always-yes|always-no|always-proceed|always-stop, "
    "scripted:noisy?error=0.1[&weather.HardRainNoon=0.9][&style=free], "
    "each optionally with latency_ms=N (milliseconds per call) and fail=RATE"
)

# Free-text renderings; every one must normalise back to its answer (a test checks).
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "yes": (
        "Yes.",
        "Yes, because of what is visible ahead of the vehicle.",
        "yes",
        "I think the answer is yes.",
        "Yes - the scene calls for it.",
    ),
    "no": (
        "No.",
        "No, because nothing in the scene requires it.",
        "no",
        "I think the answer is no.",
        "No - the scene does not call for it.",
    ),
    "stop": (
        "(A) Stop",
        "The vehicle should stop.",
        "A",
        "Stop the vehicle now.",
        "Answer: A. Stop.",
    ),
    "yield": (
        "(B) Slow down and yield",
        "The vehicle should slow down and yield.",
        "B",
        "Slow down and yield.",
        "Answer: B.",
    ),
    "proceed": (
        "(C) Proceed",
        "The vehicle should proceed.",
        "C",
        "Proceed with the maneuver.",
        "Answer: C. Proceed.",
    ),
}


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

    def error_rate(self, condition: dict[str, str]) -> float:
        """The rate for a scene: the most specific matching rule, first listed on ties."""
        best: Rule | None = None
        for rule in self.rules:
            if rule.applies(condition) and (best is None or len(rule.match) > len(best.match)):
                best = rule
        return best.rate if best is not None else self.error


def _rate(text: str, what: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise UsageError(f"{what}={text!r} in {spec!r} is not a probability in [0, 1]")
    return value


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
    for item in filter(None, query.split("&")):
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"{item!r} in {spec!r} has no '='; write name=value")
        if key == "latency_ms":
            latency_ms = _milliseconds(value, spec)
        elif key == "fail":
            fail = _rate(value, key, spec)
        elif key == "style":
            if value not in STYLES:
                raise UsageError(f"style={value!r} in {spec!r}; valid: {', '.join(STYLES)}")
            style = value
        elif name != "noisy":
            raise UsageError(f"{spec!r}: only scripted:noisy takes {key}=...; valid forms: {FORMS}")
        elif key == "error":
            error = _rate(value, key, spec)
        else:
            rules.append(_rule(key, value, spec))
    return ScriptedSpec(
        _without_call_options(spec, name, query), name, error, tuple(rules), style, latency_ms, fail
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
    return Rule(tuple(match), _rate(value, key, spec))


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


def _wrong(key: AnswerKey) -> str:
    """The wrong answer given on an error: unsafe when the question has one."""
    wrong = [a for a in key.choices if a not in key.safe]
    unsafe = [a for a in wrong if a in key.unsafe]
    return (unsafe or wrong)[0]


def scripted_answer(spec: ScriptedSpec, key: AnswerKey, question: str) -> str:
    """The canonical answer (yes/no/stop/yield/proceed) the scripted model gives."""
    if spec.name.startswith("always-"):
        return spec.name.removeprefix("always-")
    rng = np.random.default_rng(derive_seed("scripted", spec.text, key.seed, key.sample, question))
    draw = rng.random()
    if spec.name == "noisy" and draw < spec.error_rate(dict(key.condition)):
        return _wrong(key)
    return key.expected


def scripted_fails(spec: ScriptedSpec, key: AnswerKey, question: str) -> bool:
    """Whether the query fails: a uniform draw of its own (not the answer's) below ``fail``."""
    if spec.fail <= 0:
        return False
    draw = (derive_seed("scripted-fail", key.seed, key.sample, question) >> 11) / 2.0**53
    return draw < spec.fail  # draw is in [0, 1), so fail=1 fails every query


def render_answer(spec: ScriptedSpec, answer: str, key: AnswerKey, question: str) -> str:
    """The reply text: the bare answer, or one of its free-text renderings."""
    if spec.style == "exact" or answer not in FREE_TEXT:
        return answer
    pick = derive_seed("scripted-style", spec.text, key.seed, key.sample, question)
    options = FREE_TEXT[answer]
    return options[pick % len(options)]


class ScriptedModel:
    """A known-answer model: reads each query's :class:`AnswerKey`, never its images."""

    def __init__(self, spec: ScriptedSpec) -> None:
        self.spec = spec

    @property
    def model_id(self) -> str:
        """The spec without call options, e.g. scripted:noisy?error=0.1."""
        return self.spec.text

    @property
    def revision(self) -> str:
        """Scripted models have one revision."""
        return "scripted-1"

    def generate(self, queries: Sequence[ModelQuery], decoding: Decoding) -> list[Response]:
        """Answer every query from its key; sleep ``latency_ms`` once for the whole call.

        Each response carries an even share of the call's time. Queries drawn to fail
        (``fail=RATE``) get a failed response with error "scripted failure".

        Raises:
            UsageError: if a query has no answer key.
        """
        if not queries:
            return []
        started = time.perf_counter()
        replies = [self._reply(query) for query in queries]
        if self.spec.latency_ms > 0:
            time.sleep(self.spec.latency_ms / 1000)
        share = (time.perf_counter() - started) / len(queries)
        settings = decoding.to_dict()
        return [
            Response(text, self.model_id, self.revision, settings, share)
            if text is not None
            else Response.failure(self.model_id, self.revision, settings, FAILURE, share)
            for text in replies
        ]

    def _reply(self, query: ModelQuery) -> str | None:
        """The reply text, or None when the query is drawn to fail."""
        if query.key is None:
            raise UsageError(
                f"{self.spec.text} answers from the query's answer key, and this query has "
                "none; build queries with ModelQuery.ask(..., key=AnswerKey(...))"
            )
        question = query.question
        if scripted_fails(self.spec, query.key, question):
            return None
        answer = scripted_answer(self.spec, query.key, question)
        return render_answer(self.spec, answer, query.key, question)

    def close(self) -> None:
        """Nothing to free."""
