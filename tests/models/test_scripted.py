"""Scripted reference models: spec syntax, error rates, determinism, latency, failures."""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import pytest

from drivecert import UsageError
from models import (
    FREE_TEXT,
    AnswerKey,
    CachedModel,
    Decoding,
    ModelQuery,
    ResponseCache,
    cache_key,
    open_model,
    parse_scripted,
)

YES_NO = dict(kind="yes_no", safe=("no",), unsafe=("yes",), choices=("yes", "no"))
ACTION = dict(
    kind="action", safe=("stop",), unsafe=("proceed",), choices=("stop", "yield", "proceed")
)
QUESTION = "Is it necessary for the vehicle to stop here?"


def queries(n: int, condition: dict[str, str], fields: dict | None = None, seed: int = 7):
    key = fields or YES_NO
    return [
        ModelQuery.ask([], QUESTION, key=AnswerKey(**key, condition=condition, seed=seed, sample=i))
        for i in range(n)
    ]


def error_share(spec: str, condition: dict[str, str], n: int = 20_000, fields=None) -> float:
    model = open_model(spec)
    key = fields or YES_NO
    answers = [r.text for r in model.generate(queries(n, condition, fields), Decoding())]
    return sum(a not in key["safe"] for a in answers) / n


def within_three_se(share: float, rate: float, n: int = 20_000) -> bool:
    return abs(share - rate) <= 3 * math.sqrt(rate * (1 - rate) / n) + 1e-12


@pytest.mark.parametrize("rate", [0.02, 0.1, 0.5, 0.9])
def test_noisy_error_rate_is_the_one_set(rate: float) -> None:
    share = error_share(f"scripted:noisy?error={rate}", {"weather": "ClearNoon"})
    assert within_three_se(share, rate), share


def test_per_variable_rates_most_specific_wins() -> None:
    spec = (
        "scripted:noisy?error=0.05&weather.HardRainNoon=0.9&maneuver.right_turn=0.3"
        "&weather.HardRainNoon+maneuver.right_turn=0.6"
    )
    cases = [
        ({"weather": "ClearNoon", "maneuver": "straight"}, 0.05),
        ({"weather": "HardRainNoon", "maneuver": "straight"}, 0.9),
        ({"weather": "ClearNoon", "maneuver": "right_turn"}, 0.3),
        ({"weather": "HardRainNoon", "maneuver": "right_turn"}, 0.6),  # two variables beat one
    ]
    for condition, rate in cases:
        assert within_three_se(error_share(spec, condition, 5000), rate, 5000), condition


def test_ties_go_to_the_first_listed() -> None:
    parsed = parse_scripted("noisy?error=0.05&weather.HardRainNoon=0.9&maneuver.right_turn=0.3")
    both = {"weather": "HardRainNoon", "maneuver": "right_turn"}
    assert parsed.error_rate(both) == 0.9
    flipped = parse_scripted("noisy?maneuver.right_turn=0.3&weather.HardRainNoon=0.9")
    assert flipped.error_rate(both) == 0.3


def test_wrong_answers_are_unsafe_ones() -> None:
    model = open_model("scripted:noisy?error=1")
    answers = {r.text for r in model.generate(queries(50, {}, ACTION), Decoding())}
    assert answers == {"proceed"}
    # no unsafe wrong answer: the error is over-cautious instead
    cautious = dict(
        kind="action", safe=("proceed",), unsafe=(), choices=("stop", "yield", "proceed")
    )
    answers = {r.text for r in model.generate(queries(50, {}, cautious), Decoding())}
    assert answers == {"stop"}


def test_identical_answers_across_runs_and_processes() -> None:
    spec = "scripted:noisy?error=0.3&style=free"
    first = [r.text for r in open_model(spec).generate(queries(300, {}), Decoding())]
    again = [r.text for r in open_model(spec).generate(queries(300, {}), Decoding())]
    assert first == again
    other_seed = [r.text for r in open_model(spec).generate(queries(300, {}, seed=8), Decoding())]
    assert other_seed != first


def test_fixed_answer_models() -> None:
    for name, expected in [
        ("oracle", "no"),
        ("always-yes", "yes"),
        ("always-no", "no"),
        ("always-stop", "stop"),
        ("always-proceed", "proceed"),
    ]:
        model = open_model(f"scripted:{name}")
        assert {r.text for r in model.generate(queries(20, {}), Decoding())} == {expected}
        assert model.model_id == f"scripted:{name}"


def test_responses_record_model_and_decoding() -> None:
    (response,) = open_model("scripted:oracle").generate(queries(1, {}), Decoding(16))
    assert response.model == "scripted:oracle" and response.revision == "scripted-1"
    assert response.decoding["max_new_tokens"] == 16 and response.decoding["temperature"] == 0
    assert response.latency_s >= 0 and not response.cached


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("scripted:noisier", "unknown scripted model 'noisier'"),
        ("scripted:noisy?error=1.5", "error='1.5'"),
        ("scripted:noisy?error", "has no '='"),
        ("scripted:noisy?weather=0.2", "is not variable.value"),
        ("scripted:oracle?error=0.1", "only scripted:noisy takes error"),
        ("scripted:noisy?style=poetic", "style='poetic'"),
        ("qwen:7b", "unknown model spec 'qwen:7b'; valid forms:"),
        ("scripted:", "unknown model spec"),
    ],
)
def test_bad_specs_are_one_line_errors(spec: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        open_model(spec)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_query_without_key_is_refused() -> None:
    with pytest.raises(UsageError, match="answer key"):
        open_model("scripted:oracle").generate([ModelQuery.ask([], QUESTION)], Decoding())


def test_latency_is_slept_once_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    model = open_model("scripted:noisy?error=0.1&latency_ms=30")
    started = time.perf_counter()
    responses = model.generate(queries(200, {}), Decoding())
    elapsed = time.perf_counter() - started
    assert 0.03 <= elapsed < 1.0  # once for the batch, not 200 times
    assert sum(r.latency_s for r in responses) == pytest.approx(elapsed, rel=0.2)
    slept: list[float] = []
    clock = SimpleNamespace(perf_counter=time.perf_counter, sleep=slept.append)
    monkeypatch.setattr("models._scripted.time", clock)  # this module's clock only
    model.generate(queries(64, {}), Decoding())
    model.generate(queries(8, {}), Decoding())
    assert model.generate([], Decoding()) == []
    assert slept == [0.03, 0.03]


def test_fail_rate_is_the_one_set_and_failures_are_records() -> None:
    model = open_model("scripted:oracle?fail=0.1")
    responses = model.generate(queries(20_000, {}), Decoding())
    failed = [r for r in responses if r.status == "failed"]
    assert within_three_se(len(failed) / 20_000, 0.1), len(failed)
    assert {r.error for r in failed} == {"scripted failure"} and {r.text for r in failed} == {""}
    assert all(r.text == "no" for r in responses if r.ok)
    again = model.generate(queries(20_000, {}), Decoding())
    assert [r.status for r in again] == [r.status for r in responses]  # deterministic
    everything = open_model("scripted:oracle?fail=1").generate(queries(50, {}), Decoding())
    assert all(r.status == "failed" for r in everything)
    more = open_model("scripted:oracle?fail=0.3").generate(queries(20_000, {}), Decoding())
    assert all(not b.ok for a, b in zip(responses, more, strict=True) if not a.ok)  # nested


def test_call_options_change_neither_answers_nor_model_id() -> None:
    base = open_model("scripted:noisy?error=0.3&style=free")
    slow = open_model("scripted:noisy?fail=0.2&error=0.3&latency_ms=1&style=free")
    assert slow.model_id == base.model_id == "scripted:noisy?error=0.3&style=free"
    plain = base.generate(queries(20_000, {}), Decoding())
    tried = slow.generate(queries(20_000, {}), Decoding())
    ok = [(a.text, b.text) for a, b in zip(plain, tried, strict=True) if b.ok]
    assert all(a == b for a, b in ok) and within_three_se(1 - len(ok) / 20_000, 0.2)
    # the failure draw is independent of the answer draw: answered queries err at 0.3
    wrong = sum(b not in FREE_TEXT["no"] for _, b in ok) / len(ok)
    assert within_three_se(wrong, 0.3, len(ok))
    query = queries(1, {})[0]
    assert cache_key(slow.model_id, slow.revision, query, Decoding()) == cache_key(
        base.model_id, base.revision, query, Decoding()
    )


@pytest.mark.parametrize(
    ("rest", "text"),
    [
        ("noisy?error=0.1&latency_ms=50", "scripted:noisy?error=0.1"),
        ("noisy?latency_ms=50&error=0.1", "scripted:noisy?error=0.1"),
        ("oracle?fail=0.01", "scripted:oracle"),
        ("always-yes?latency_ms=2.5&fail=0&style=free", "scripted:always-yes?style=free"),
        ("noisy?error=0.1", "scripted:noisy?error=0.1"),
        ("noisy?", "scripted:noisy?"),  # specs without call options are kept as written
    ],
)
def test_call_options_are_left_out_of_the_spec_text(rest: str, text: str) -> None:
    assert parse_scripted(rest).text == text


def test_failed_scripted_responses_are_not_cached(tmp_path) -> None:
    model = CachedModel(
        open_model("scripted:noisy?error=0.2&fail=0.3"), ResponseCache(tmp_path / "c")
    )
    first = model.generate(queries(400, {}), Decoding())
    failed = sum(not r.ok for r in first)
    assert 0 < failed < 400 and len(model.cache) == 400 - failed
    second = model.generate(queries(400, {}), Decoding())
    assert model.queried == 400 + failed  # only the failures were asked again
    assert sum(r.cached for r in second) == 400 - failed


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("scripted:oracle?latency_ms=-1", "latency_ms='-1' in 'scripted:oracle?latency_ms=-1'"),
        ("scripted:oracle?latency_ms=soon", "is not a number of milliseconds >= 0"),
        ("scripted:noisy?fail=1.5", "fail='1.5'"),
    ],
)
def test_bad_call_options_are_one_line(spec: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        open_model(spec)
    assert message in str(error.value) and "\n" not in str(error.value)


PERCEIVE = dict(kind="yes_no", safe=("yes",), unsafe=("no",), choices=("yes", "no"))
ATTRIBUTION = (
    "scripted:noisy?error=0.01&perception=0.2&perception.weather.HardRainNoon=0.6"
    "&decision_seen=0.05&decision_missed=0.7"
)


def scene_answers(spec: str, condition: dict[str, str], n: int) -> list[tuple[bool, bool]]:
    """(perception wrong, decision wrong) per scene: the perception question light_red and
    a decision resting on it, asked of the same n scenes."""
    model = open_model(spec)
    asked = []
    for i in range(n):
        common = dict(condition=condition, seed=11, sample=i)
        asked.append(
            ModelQuery.ask(
                [],
                "Is the traffic light red?",
                key=AnswerKey(**PERCEIVE, **common, question="light_red", role="perception"),
            )
        )
        asked.append(
            ModelQuery.ask(
                [], QUESTION, key=AnswerKey(**ACTION, **common, perceives=("light_red",))
            )
        )
    texts = [r.text for r in model.generate(asked, Decoding())]
    return [(texts[2 * i] != "yes", texts[2 * i + 1] != "stop") for i in range(n)]


@pytest.mark.parametrize(("weather", "perception"), [("ClearNoon", 0.2), ("HardRainNoon", 0.6)])
def test_decisions_err_at_the_rate_set_for_a_seen_or_a_missed_perception(
    weather: str, perception: float
) -> None:
    pairs = scene_answers(ATTRIBUTION, {"weather": weather}, 20_000)
    missed = [d for p, d in pairs if p]
    seen = [d for p, d in pairs if not p]
    assert within_three_se(len(missed) / len(pairs), perception)
    assert within_three_se(sum(missed) / len(missed), 0.7, len(missed))
    assert within_three_se(sum(seen) / len(seen), 0.05, len(seen))


def test_the_attribution_rates_default_to_the_error_rate_and_keep_it_off_by_default() -> None:
    spec = parse_scripted("noisy?error=0.3&weather.HardRainNoon=0.5&perception=0.1")
    rain = {"weather": "HardRainNoon"}
    assert spec.rate("perception", rain) == 0.1
    assert spec.rate("decision_seen", rain) == spec.rate("decision_missed", rain) == 0.5
    assert not parse_scripted("noisy?error=0.3").attribution
    # without attribution rates a decision resting on a perception keeps the plain error rate
    plain = scene_answers("scripted:noisy?error=0.25", {"weather": "ClearNoon"}, 20_000)
    assert within_three_se(sum(d for _, d in plain) / len(plain), 0.25)


def test_a_bad_attribution_rate_is_one_line() -> None:
    with pytest.raises(UsageError, match=r"perception=1.5.*not a probability"):
        parse_scripted("noisy?perception=1.5")
    with pytest.raises(UsageError, match=r"'weather' in .* is not variable.value"):
        parse_scripted("noisy?decision_missed.weather=0.5")
    with pytest.raises(UsageError, match="only scripted:noisy takes perception"):
        parse_scripted("oracle?perception=0.5")
