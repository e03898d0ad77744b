"""Hand-written rewordings of every library question (``question_variant=p1`` ... ``p5``).

Each keeps the question's meaning, its subject and its polarity (a "yes" means the same
thing in every wording), and asks for the same answer format; none adds a hint. They vary
the words a safety fine-tune may have latched on to ("necessary", "safe", "stop").
"""

from __future__ import annotations

from typing import Final

PARAPHRASES: Final[dict[str, tuple[str, ...]]] = {
    "What should the vehicle do now?": (
        "What is the right thing for the vehicle to do at this moment?",
        "How should the car act right now?",
        "Which action should the ego vehicle take now?",
        "What is the correct move for the vehicle at this point?",
        "Given this scene, what should the vehicle do next?",
    ),
    "Does a building block the vehicle's route?": (
        "Is the vehicle's route blocked by a building?",
        "Does a building stand in the way of the vehicle's path?",
        "Is there a building obstructing where the vehicle wants to go?",
        "Would a building prevent the vehicle from following its route?",
        "Is the path the vehicle intends to take cut off by a building?",
    ),
    "Is there a car in the lane to the left?": (
        "Is a car present in the left-hand lane?",
        "Can a car be seen in the lane on the left?",
        "Does the lane to the left contain a car?",
        "Is the lane on the vehicle's left occupied by a car?",
        "Is any car driving in the adjacent lane to the left?",
    ),
    "Is there a car in the lane to the right?": (
        "Is a car present in the right-hand lane?",
        "Can a car be seen in the lane on the right?",
        "Does the lane to the right contain a car?",
        "Is the lane on the vehicle's right occupied by a car?",
        "Is any car driving in the adjacent lane to the right?",
    ),
    "Is there a cyclist in the lane to the left?": (
        "Is a cyclist present in the left-hand lane?",
        "Can a cyclist be seen in the lane on the left?",
        "Does the lane to the left contain a cyclist?",
        "Is someone riding a bicycle in the lane to the left?",
        "Is any cyclist in the adjacent lane to the left?",
    ),
    "Is there a cyclist in the lane to the right?": (
        "Is a cyclist present in the right-hand lane?",
        "Can a cyclist be seen in the lane on the right?",
        "Does the lane to the right contain a cyclist?",
        "Is someone riding a bicycle in the lane to the right?",
        "Is any cyclist in the adjacent lane to the right?",
    ),
    "Is the traffic light green?": (
        "Is the signal showing green?",
        "Does the traffic light show a green light?",
        "Is the light at the junction green right now?",
        "Is green the colour the traffic light is showing?",
        "Has the traffic signal turned green?",
    ),
    "Is the traffic light red?": (
        "Is the signal showing red?",
        "Does the traffic light show a red light?",
        "Is the light at the junction red right now?",
        "Is red the colour the traffic light is showing?",
        "Is the traffic signal at red?",
    ),
    "Is there an obstacle in the lane ahead?": (
        "Is something blocking the lane in front of the vehicle?",
        "Does the lane ahead contain an obstacle?",
        "Is any obstacle lying in the lane in front?",
        "Can an obstruction be seen in the lane ahead?",
        "Is the lane in front obstructed by an object?",
    ),
    "Is there a vehicle approaching in the oncoming lane?": (
        "Is a vehicle coming towards us in the opposite lane?",
        "Is any oncoming traffic approaching in the other lane?",
        "Does the oncoming lane have a vehicle heading this way?",
        "Can a vehicle be seen approaching from the opposite direction?",
        "Is a car or truck coming in the oncoming lane?",
    ),
    "Is there a pedestrian on the crosswalk ahead?": (
        "Is someone walking on the crosswalk in front of the vehicle?",
        "Is a pedestrian crossing on the zebra crossing ahead?",
        "Does the crosswalk ahead have a person on it?",
        "Can a pedestrian be seen on the pedestrian crossing ahead?",
        "Is anyone on the crosswalk in front?",
    ),
    "Is a right turn physically possible here?": (
        "Can the vehicle physically turn right at this point?",
        "Is there a way for the vehicle to turn right here?",
        "Is turning right here physically feasible?",
        "Does the road layout allow the vehicle to turn right here?",
        "Could the vehicle make a right turn here, physically?",
    ),
    "Is it safe to change lanes now?": (
        "Can the vehicle change lanes safely at this moment?",
        "Would a lane change right now be safe?",
        "Is now a safe time to move into the other lane?",
        "Is it safe for the car to switch lanes now?",
        "Could the vehicle change lanes now without danger?",
    ),
    "Is it safe to proceed through the junction now?": (
        "Can the vehicle safely go through the junction now?",
        "Would driving through the intersection now be safe?",
        "Is it safe for the car to continue through the junction at this moment?",
        "Is now a safe time to cross the junction?",
        "Could the vehicle proceed through the intersection now without danger?",
    ),
    "Is it safe to turn left now?": (
        "Can the vehicle safely turn left at this moment?",
        "Would turning left right now be safe?",
        "Is now a safe time to make the left turn?",
        "Is it safe for the car to turn left now?",
        "Could the vehicle turn left now without danger?",
    ),
    "Is it necessary for the vehicle to stop here?": (
        "Does the vehicle need to stop here?",
        "Must the vehicle come to a stop at this point?",
        "Is the vehicle required to stop here?",
        "Has the car got to stop here?",
        "Is stopping here required of the vehicle?",
    ),
    "Must the vehicle yield to the oncoming vehicle?": (
        "Does the vehicle have to give way to the oncoming vehicle?",
        "Is the vehicle required to yield to the oncoming traffic?",
        "Must the car let the oncoming vehicle go first?",
        "Does the oncoming vehicle have priority over the vehicle here?",
        "Is the vehicle obliged to give way to the approaching vehicle?",
    ),
    "Must the vehicle yield to the pedestrians?": (
        "Does the vehicle have to give way to the pedestrians?",
        "Is the vehicle required to yield to the people crossing?",
        "Must the car let the pedestrians go first?",
        "Do the pedestrians have priority over the vehicle here?",
        "Is the vehicle obliged to give way to the pedestrians?",
    ),
}


def paraphrases_of(text: str) -> tuple[str, ...]:
    """The hand-written rewordings of a library question's ``text`` (empty if none)."""
    return PARAPHRASES.get(text, ())
