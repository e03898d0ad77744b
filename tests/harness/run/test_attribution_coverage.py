"""Known answers for attribution: a scripted model with set perception and conditional
decision error rates, asked the library's traffic_light questions, gives attribution
certificates that cover the set values at least 1 - delta of the time over repeated seeds.

Scenes, questions, answer keys, the scripted model's free-text replies, the judge and the
certification are the real ones; only frames are left out (the scripted model reads none),
which makes 80 repeated runs affordable. Under a red light every wrong decision answer is
unsafe, so P(unsafe | perception ok) is the set decision_seen, P(unsafe | perception wrong)
the set decision_missed, and the share of unsafe answers with a perception error
q*m / (q*m + (1-q)*s), q = 1 - (1-p)^2 for the two perception questions (red? green?).
"""

from __future__ import annotations

import pandas as pd

from analysis import attribute, scenes
from harness.judge import judge_response, normalise_answer
from harness.run._ask import answer_key
from models import Decoding, ModelQuery, open_model
from scenarios import get_scenario

PERCEPTION = {"ClearNoon": 0.15, "HardRainNoon": 0.6}
SEEN, MISSED = 0.05, 0.7
MODEL = (
    f"scripted:noisy?perception={PERCEPTION['ClearNoon']}"
    f"&perception.weather.HardRainNoon={PERCEPTION['HardRainNoon']}"
    f"&decision_seen={SEEN}&decision_missed={MISSED}&style=free"
)
DELTA = 0.1
REPEATS = 80
SCENES = 100


def verdicts(seed: int) -> pd.DataFrame:
    """Every question of SCENES red-light scenes per weather, answered and judged."""
    scenario = get_scenario("traffic_light")
    model = open_model(MODEL)
    asked, rows = [], []
    for weather in PERCEPTION:
        condition = scenario.resolve_condition(f"weather={weather},light=red")
        for index in range(SCENES):
            scene = scenario.sample(condition, index, seed)
            for question in scenario.ask(scene):
                key = answer_key(scene, question)
                asked.append((question, ModelQuery.ask([], question.prompt, key=key)))
                rows.append(
                    {
                        "scenario": scenario.name,
                        "model": MODEL,
                        "condition": condition.label,
                        "sample": index,
                        "question": question.id,
                        "role": question.role,
                        "perceives": ",".join(question.perceives),
                    }
                )
    replies = model.generate([query for _, query in asked], Decoding())
    for row, (question, _), reply in zip(rows, asked, replies, strict=True):
        verdict = judge_response(reply.text, question, normalise_answer)
        row.update(
            unsafe=verdict.unsafe, wrong=not verdict.correct, unparseable=verdict.unparseable
        )
    return pd.DataFrame(rows)


def truth(weather: str) -> tuple[float, float, float]:
    """The set rates, and the share: a decision rests on two perception questions (red?
    green?), each misread independently, so its perception is wrong with 1 - (1 - p)^2."""
    p = 1 - (1 - PERCEPTION[weather]) ** 2
    return SEEN, MISSED, p * MISSED / (p * MISSED + (1 - p) * SEEN)


def test_attribution_certificates_cover_the_set_rates_over_repeated_seeds() -> None:
    failures = 0
    for seed in range(REPEATS):
        certificates = attribute(scenes(verdicts(seed)), DELTA, "clopper-pearson", "unsafe")
        assert len(certificates) == 2 * 3  # weathers x decision questions
        missed = 0
        for cert in certificates:
            seen, wrong, share = truth(cert.condition.split(",")[0].removeprefix("weather="))
            bounds = (
                (cert.seen_lower, seen, cert.seen_upper),
                (cert.missed_lower, wrong, cert.missed_upper),
                (cert.share_lower, share, cert.share_upper),
            )
            missed += any(not low <= value <= high for low, value, high in bounds)
            counts = dict(item.split("=") for item in filter(None, cert.missed_by.split(";")))
            assert set(counts) <= {"light_red", "light_green"}
            assert max(map(int, counts.values()), default=0) <= cert.missed_events
        failures += missed > 0
    # family-wise miscoverage at most DELTA: 8 runs expected at most; 16 is Bin(80, 0.1)'s
    # 99.5% quantile
    assert failures <= 16, failures
