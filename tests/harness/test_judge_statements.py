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
    # the asker's "you": a question about I / we, answered to the asker
    ("Should I brake?", "You should brake now; the car in front has stopped.", "yes"),
    ("Should I turn left now?", "You shouldn't turn left yet; there is oncoming traffic.", "no"),
    ("Are we allowed to turn left here?", "We aren't allowed to turn left here.", "no"),
    # a short answer first, whatever the explanation says of another time
    ("Should you speed up?", "I shouldn't; the light is about to turn red.", "no"),
    # advice to do what rules the asked action out
    ("Should we proceed?", "We must wait.", "no"),
    ("Should we proceed?", "We need to wait for the cross traffic to clear.", "no"),
    ("Should you change lanes?", "I'd stay in my lane; the van is in my blind spot.", "no"),
    ("Should you stop?", "No need, the road is clear.", "no"),
    ("Should the car stop for the school bus?", "The car must stop for the school bus.", "yes"),
    # a denied statement, a state that has changed, a predicate about us
    ("Is the lane clear?", "It is not true that the lane is clear.", "no"),
    ("Is the lane clear?", "It is not the case that the lane is blocked; it's clear.", "yes"),
    ("Is the light red?", "The light isn't red anymore; it has turned green.", "no"),
    ("Are you blocked by any vehicle?", "No vehicle is blocking us.", "no"),
    ("Is the parking bay empty?", "No car is parked in the bay, so it's empty.", "yes"),
    # absence and counts in other words
    ("Is there a deer near the road?", "I can't see any deer near the road.", "no"),
    ("Is there a vehicle double-parked ahead?", "Not that I can see; the lane is clear.", "no"),
    ("Is any truck in the right lane?", "No truck is in the right lane; only a sedan.", "no"),
    ("Are there any cars waiting at the light?", '{"count": 0}', "no"),
    ("Are there any cars waiting at the light?", '{"count": 3}', "yes"),
    (
        "Are there pedestrians waiting to cross?",
        "A couple of pedestrians are waiting to cross.",
        "yes",
    ),
    ("Are there cyclists on the road?", "A group of four cyclists is riding on the road.", "yes"),
    ("Are there multiple lanes in your direction?", "Three lanes go in my direction.", "yes"),
    ("Are there multiple lanes in your direction?", "There is one lane in my direction.", "no"),
    (
        "Are there more than two lanes in your direction?",
        "There are only two lanes in my direction.",
        "no",
    ),
    (
        "Are there pedestrians on both sides?",
        "Only on the left side; the right one is empty.",
        "no",
    ),
    ("Is the road wet?", "It is.", "yes"),
    ("Is it raining?", "It isn't.", "no"),
    ("Can we turn right?", "We can't.", "no"),
    # a driver's commentary, in the question's own words
    ("Are you going to stop?", "I am going to stop because the light is red.", "yes"),
    ("Are you going to stop?", "I am not going to stop as the light is green.", "no"),
    ("Will you turn left?", "I will not turn left; I am going straight.", "no"),
    ("Do you have the right of way?", "I have the right of way.", "yes"),
    ("Do you need to give way?", "I need to give way to the traffic on the roundabout.", "yes"),
    ("Should you be accelerating?", "I should not be accelerating as the lights are red.", "no"),
    ("Is the traffic light green?", "It is red.", "no"),
    ("Is it raining?", "It is not raining.", "no"),
]

# A careless reading would answer these, some the wrong way round: they stay null.
TRAPS = [
    ("Is there traffic in your lane?", "There is a car in the next lane."),  # another lane
    ("Is there a cyclist on the left lane?", "There is a cyclist on the right lane."),
    ("Are there any pedestrians crossing?", "Three pedestrians are waiting on the kerb."),
    ("Are all the lanes blocked?", "The left lane is blocked."),  # about one, not all
    ("Should we stop?", "The car behind us should keep its distance."),  # another subject
    ("Should we turn left?", "We should turn left if the arrow is green, otherwise go straight."),
    ("Is the lane clear?", "It is not true that the lane might be clear."),  # hedged inside
    ("Is X a traffic sign or a road barrier?", "It is not a road barrier."),  # a choice
    ("Is the light green?", "The light might be green."),  # hedged
    ("Is there a traffic light ahead?", "The traffic light is missing."),
    ("Is there more than one pedestrian?", "There are pedestrians."),  # no count given
    # the three confusions the blind hold-out set found, now null
    ("Is the truck turning left?", "The truck turns right at the junction."),
    ("Is the pedestrian signal showing the walking figure?", "The signal shows the red hand."),
    ("Is the right lane closed?", "The left lane isn't closed; the right lane is."),
    ("Do you need to slow down?", "The car ahead needs to slow down."),
    # the readings added for the real-world set, and where they must stop
    ("Should you brake?", "You should always brake gently in the rain."),  # "you" is generic
    ("Can we proceed?", "We can wait."),  # waiting is possible; so may going be
    ("Should we proceed?", "We should wait and then go."),  # both actions
    ("Should we stop?", "No need to slow down."),  # another action
    ("Are you blocked by any vehicle?", "The truck is blocking the cyclist."),  # not us
    ("Are there pedestrians crossing?", "Two pedestrians are no longer crossing."),
    ("Should you wait?", "I should wait no longer."),
    ("Is the crosswalk empty?", "No pedestrians are on the crosswalk, only a cyclist."),
    ("Are there multiple lanes?", "There is a lane."),  # how many is not said
    ("Should the car stop?", "The school bus must stop."),  # another subject
    # what the probe set (judge_adversarial_probe.jsonl) found, now null
    ("Are we blocked?", "The car ahead of us is blocked by a bus."),  # another car
    ("Are we safe?", "The cyclist next to us isn't safe."),
    ("Is there a truck?", "No cars, only trucks."),  # cars are not trucks
    ("Is there a truck?", "I can't see any cars, only a large truck."),
    ("Is there a pedestrian?", '{"pedestrians": 0, "cars": 4, "count": 4}'),
    ("Is there a pedestrian?", "I can't see any pedestrians because the windshield is fogged."),
    ("Should the car yield?", "The car must have priority here."),
    ("Should the car stop?", "The car must have stopped already; it's stationary."),
    ("Should the car stop?", "The car must either stop or turn right."),
    ("Is the light red?", "It's not true that the light is green."),  # not green is not red
    ("Is the lane clear?", "It is not the case that the lane is clear or blocked."),
    ("Should we proceed?", "We should stop worrying, the road is clear."),
    ("Should we stop?", "We should proceed with caution, slowing to a stop at the line."),
    ("Is the road wet?", "It is — well, it was earlier. Now it looks completely dry."),
    ("Is the lane clear?", "I'm not sure it is true that the lane is clear."),
    ("Do you need to stop?", "I need not stop."),  # a simple present with a negation
    ("Do you see a pedestrian?", "I see a pedestrian sign, not a pedestrian."),
    ("Do you have the right of way?", "I have to wait for the bus."),  # not its words
    ("Is the road clear?", "It is not clear from this angle."),  # "it is not clear": a hedge
    ("Is the light green?", "The car is red; it is green."),  # "it" after the first clause
    ("Will you turn left?", "I was going to turn left."),  # another time than the question's
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
