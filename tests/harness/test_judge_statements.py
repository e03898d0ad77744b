"""Answers given as statements, read against the question asked (harness/judge/_stated.py):
what they answer, and the traps where a careless reading would flip the answer."""

from __future__ import annotations

import pytest

from harness.judge import normalise_answer

ANSWERED = [
    # existence and counts
    ("Is there traffic in your lane?", "There is no traffic in my lane.", "no"),
    ("Is there traffic in your lane?", "There's a van in my lane.", "yes"),
    ("Are there any pedestrians crossing?", "None.", "no"),
    ("Are there any pedestrians crossing?", "Two pedestrians are crossing.", "yes"),
    (
        "Are there vehicles in the oncoming lane?",
        "There are 0 vehicles in the oncoming lane.",
        "no",
    ),
    ("Are there any trucks?", "I count zero trucks.", "no"),
    ("Is there anything in the intersection?", "The intersection is completely empty.", "no"),
    ("Is anyone waiting at the bus stop?", "There isn't anyone at the bus stop.", "no"),
    ("Is any lane free?", "None of the three lanes is free.", "no"),
    ("Is there more than one car ahead?", "One.", "no"),
    ("Is there at least one free parking space?", "There are two free spaces.", "yes"),
    ("Are both lanes open?", "Both.", "yes"),
    ("Are all the lanes blocked?", "Two of the three lanes are blocked.", "no"),
    # no X is Y
    ("Is any vehicle stopped at the crossing?", "No vehicle is stopped at the crossing.", "no"),
    ("Is the crosswalk empty?", "No pedestrians are on the crosswalk.", "yes"),
    # first and second person
    ("Should you stop?", "I should not stop, as the road is clear.", "no"),
    ("Can you overtake the cyclist?", "I can overtake the cyclist.", "yes"),
    ("Can you overtake the cyclist?", "Not at the moment, the oncoming lane is busy.", "no"),
    ("Are you positioned to turn right?", "I am not positioned to turn right.", "no"),
    ("Do we have the right of way?", "We don't.", "no"),
    # restated predicates
    (
        "Is the cyclist in a dedicated cycle lane?",
        "The cyclist is not in a dedicated cycle lane.",
        "no",
    ),
    ("Is the road clear to accelerate?", "The road is not clear as a van blocks it.", "no"),
    ("Is the traffic light green?", "The traffic light is red.", "no"),
    ("Is the speed limit 50 km/h?", "The speed limit is 30 km/h.", "no"),
    (
        "Is the cyclist riding on the sidewalk?",
        "The cyclist is riding on the road, not on the sidewalk.",
        "no",
    ),
    ("Is the left lane ending?", "The left lane ends in 200 meters.", "yes"),
]

# A careless reading would answer these, some the wrong way round: they stay null.
TRAPS = [
    ("Is there traffic in your lane?", "There is a car in the next lane."),  # another lane
    ("Is there a cyclist on the left lane?", "There is a cyclist on the right lane."),
    ("Are there any pedestrians crossing?", "Three pedestrians are waiting on the kerb."),
    ("Are all the lanes blocked?", "The left lane is blocked."),  # about one, not all
    ("Should we stop?", "The car behind us should keep its distance."),  # another subject
    ("Should we turn left?", "We should turn left if the arrow is green, otherwise go straight."),
    ("Is the lane clear?", "It is not true that the lane is clear."),  # double negative: skipped
    ("Is X a traffic sign or a road barrier?", "It is not a road barrier."),  # a choice
    ("Is the light green?", "The light might be green."),  # hedged
    ("Is there a traffic light ahead?", "The traffic light is missing."),
    ("Is there more than one pedestrian?", "There are pedestrians."),  # no count given
    # the three confusions the blind hold-out set found, now null
    ("Is the truck turning left?", "The truck turns right at the junction."),
    ("Is the pedestrian signal showing the walking figure?", "The signal shows the red hand."),
    ("Is the right lane closed?", "The left lane isn't closed; the right lane is."),
    ("Do you need to slow down?", "The car ahead needs to slow down."),
]


@pytest.mark.parametrize(("question", "reply", "expected"), ANSWERED)
def test_a_statement_answers_the_question_it_restates(
    question: str, reply: str, expected: str
) -> None:
    assert normalise_answer(reply, "yes_no", question) == expected


@pytest.mark.parametrize(("question", "reply"), TRAPS)
def test_statements_about_something_else_answer_nothing(question: str, reply: str) -> None:
    assert normalise_answer(reply, "yes_no", question) is None


def test_without_the_question_a_statement_answers_nothing() -> None:
    assert normalise_answer("There is no traffic in my lane.", "yes_no") is None
