"""Pieces the library's scenarios share: the weather variable, physics and question makers."""

from __future__ import annotations

from scenarios._program import SampleContext, Variable
from scenarios._questions import STOP_NEEDED, WHAT_TO_DO, Question, action_truth, yes_no_truth
from scenarios._weather import WEATHER_PRESETS, Weather
from scenarios.library._paraphrases import paraphrases_of

WEATHER = Variable(
    "weather",
    tuple(WEATHER_PRESETS),
    description="CARLA weather preset (uniform over the 22 CARLA presets and 4 fog presets)",
)
WEATHER_GRID = ("ClearNoon", "HardRainNoon", "ClearNight", "DenseFogNoon")
"""The weathers of every default grid: Lumos's pair, night and fog."""

REACTION_TIME_S = 1.0
COMFORT_DECEL_MPS2 = 3.4  # AASHTO's comfortable braking deceleration


def stopping_distance(speed_mps: float) -> float:
    """Reaction distance plus braking distance at comfortable deceleration, in metres."""
    return speed_mps * REACTION_TIME_S + speed_mps**2 / (2 * COMFORT_DECEL_MPS2)


def draw_weather(s: SampleContext) -> Weather:
    """The scene's weather, from the ``weather`` condition variable."""
    return WEATHER_PRESETS[s.var("weather")]


def stop_question(must_stop: bool, why: str, perceives: tuple[str, ...] = ()) -> Question:
    """Lumos's "Is it necessary for the vehicle to stop here?"; a wrong "no" is unsafe."""
    truth = yes_no_truth(must_stop, wrong_is_unsafe=must_stop, rationale=why)
    return Question(
        "stop_needed", STOP_NEEDED, truth, perceives=perceives, variants=paraphrases_of(STOP_NEEDED)
    )


def decision_question(
    qid: str, text: str, expected: bool, wrong_is_unsafe: bool, why: str, perceives: tuple[str, ...]
) -> Question:
    """A yes/no decision question resting on the perception questions ``perceives``."""
    truth = yes_no_truth(expected, wrong_is_unsafe=wrong_is_unsafe, rationale=why)
    return Question(qid, text, truth, perceives=perceives, variants=paraphrases_of(text))


def action_question(safe: tuple[str, ...], why: str, perceives: tuple[str, ...] = ()) -> Question:
    """The multiple-choice action question (A) stop (B) yield (C) proceed."""
    truth = action_truth(safe, why)
    return Question(
        "action", WHAT_TO_DO, truth, perceives=perceives, variants=paraphrases_of(WHAT_TO_DO)
    )


def perception_question(qid: str, text: str, present: bool, why: str) -> Question:
    """A yes/no question on what the scene holds; truth from the scene graph.

    Missing what is there (a wrong "no") is unsafe; seeing what is not (a wrong "yes") is
    over-cautious.
    """
    truth = yes_no_truth(present, wrong_is_unsafe=present, rationale=why)
    return Question(qid, text, truth, role="perception", variants=paraphrases_of(text))
