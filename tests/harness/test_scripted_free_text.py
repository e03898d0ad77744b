"""Every free-text rendering of a scripted model reads back as its answer through the judge."""

import pytest

from harness.judge import normalise_answer
from models import FREE_TEXT
from scenarios._questions import STOP_NEEDED, WHAT_TO_DO


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_yes_no_renderings(answer: str) -> None:
    for text in FREE_TEXT[answer]:
        assert normalise_answer(text, "yes_no", STOP_NEEDED) == answer, text


@pytest.mark.parametrize("answer", ["stop", "yield", "proceed"])
def test_action_renderings(answer: str) -> None:
    for text in FREE_TEXT[answer]:
        assert normalise_answer(text, "action", WHAT_TO_DO) == answer, text
