"""The scheduler: samples in order per cell, stops per cell, answers after a stop dropped."""

from __future__ import annotations

import numpy as np
import pytest

from drivecert import DrivecertError
from harness.run import Observation, Scheduler, build_config, make_plan


def plan_of(**settings):
    base = {"scenario": "right_turn", "model": "scripted:oracle"}
    return make_plan(build_config(base, settings, "test"))


def drive(scheduler: Scheduler, outcome, batch_size: int, lookahead: int = 1) -> list[tuple]:
    """Run the scheduler with `lookahead` batches in flight; returns the kept observations."""
    kept: list[tuple] = []
    in_flight = []
    while True:
        while len(in_flight) < lookahead:
            batch = scheduler.next_batch(batch_size)
            if not batch:
                break
            in_flight.append(batch)
        if not in_flight:
            return kept
        batch = in_flight.pop(0)
        observations = [
            Observation(
                scheduler.cell_of(task.condition, q).cell.index,
                task.sample,
                False,
                outcome(task.condition, q, task.sample),
            )
            for task in batch
            for q in task.questions
        ]
        for obs, keep in zip(observations, scheduler.observe(observations), strict=True):
            if keep:
                kept.append((obs.cell, obs.sample, obs.event))


def bernoulli(rates: dict[str, float]):
    def outcome(condition: int, question: str, sample: int) -> bool:
        rng = np.random.default_rng([condition, sample, len(question)])
        return bool(rng.random() < rates.get(question, 0.1))

    return outcome


def test_fixed_n_asks_every_question_of_every_sample_once() -> None:
    plan = plan_of(conditions="weather=ClearNoon;weather=HardRainNoon", n_max=7)
    scheduler = Scheduler(plan)
    kept = drive(scheduler, bernoulli({}), batch_size=3)
    assert len(kept) == 2 * len(plan.questions) * 7
    assert len(set((c, s) for c, s, _ in kept)) == len(kept)
    assert all(state.stopped == "n_max" and state.n == 7 for state in scheduler.cells)
    assert scheduler.finished


@pytest.mark.parametrize("lookahead", [1, 2, 3])
def test_sequential_results_do_not_depend_on_batch_size(lookahead: int) -> None:
    rates = {"stop_needed": 0.9, "building_blocks": 0.02, "right_turn_possible": 0.45}
    settings = {"conditions": "weather=ClearNoon;weather=HardRainNoon", "sequential": True}
    reference = drive(Scheduler(plan_of(**settings)), bernoulli(rates), batch_size=1)
    for batch_size in (2, 8, 32):
        other = drive(Scheduler(plan_of(**settings)), bernoulli(rates), batch_size, lookahead)
        assert sorted(other) == sorted(reference)


def test_each_cell_stops_on_its_own_and_keeps_its_samples_in_order() -> None:
    rates = {"stop_needed": 0.95, "building_blocks": 0.0, "right_turn_possible": 0.5}
    scheduler = Scheduler(plan_of(conditions="weather=ClearNoon", sequential=True, n_max=60))
    kept = drive(scheduler, bernoulli(rates), batch_size=8, lookahead=2)
    by_cell: dict[int, list[int]] = {}
    for cell, sample, _ in kept:
        by_cell.setdefault(cell, []).append(sample)
    for samples in by_cell.values():
        assert samples == list(range(len(samples)))
    stops = {s.cell.question: (s.stopped, s.n) for s in scheduler.cells}
    assert stops["stop_needed"][0] == "decided" and stops["building_blocks"][0] == "decided"
    assert stops["stop_needed"][1] < 60
    # a stopped perception cell keeps the samples of the decisions resting on it
    resting = ("stop_needed", "right_turn_possible", "action")
    assert stops["building_blocks"][1] == max(stops[q][1] for q in resting)


def test_a_perception_cell_answers_every_scene_its_decisions_count() -> None:
    """Perception decided early (never wrong), a decision runs to n_max: every decision
    sample has its perception answer on the same scene, whatever the batching."""
    rates = {"light_red": 0.0, "pedestrian_on_crosswalk": 0.0, "building_blocks": 0.0}
    rates |= {"stop_needed": 0.5, "right_turn_possible": 0.0, "action": 0.0}
    settings = {"conditions": "weather=ClearNoon", "sequential": True, "n_max": 80}
    results = []
    for batch_size, lookahead in ((1, 1), (8, 3)):
        scheduler = Scheduler(plan_of(**settings))
        kept = drive(scheduler, bernoulli(rates), batch_size, lookahead)
        samples: dict[str, set[int]] = {}
        for cell, sample, _ in kept:
            samples.setdefault(scheduler.cells[cell].cell.question, set()).add(sample)
        for perception in ("light_red", "pedestrian_on_crosswalk", "building_blocks"):
            assert samples["stop_needed"] <= samples[perception]
        assert len(samples["action"]) < len(samples["stop_needed"])  # action stopped early
        state = {s.cell.question: s for s in scheduler.cells}
        assert state["light_red"].stopped == "decided" and state["light_red"].n == len(
            samples["stop_needed"]
        )
        results.append(sorted(kept))
    assert results[0] == results[1]


def test_replay_rebuilds_the_same_state_and_refuses_rows_past_a_stop() -> None:
    rates = {"stop_needed": 0.9}
    settings = {"conditions": "weather=ClearNoon;weather=HardRainNoon", "sequential": True}
    first = Scheduler(plan_of(**settings))
    kept = drive(first, bernoulli(rates), batch_size=4)
    again = Scheduler(plan_of(**settings))
    again.replay([Observation(c, s, False, e) for c, s, e in sorted(kept)])
    assert [(s.n, s.events, s.stopped) for s in again.cells] == [
        (s.n, s.events, s.stopped) for s in first.cells
    ]
    assert again.finished
    extra = Scheduler(plan_of(**settings))
    stream = [Observation(c, s, False, e) for c, s, e in sorted(kept)]
    stopped_cell = next(s for s in first.cells if s.stopped == "decided")
    stream.append(Observation(stopped_cell.cell.index, stopped_cell.next_sample, False, True))
    with pytest.raises(DrivecertError, match="after that cell stopped"):
        extra.replay(stream)


def test_failed_samples_are_counted_apart_and_use_an_index() -> None:
    scheduler = Scheduler(plan_of(conditions="weather=ClearNoon", questions="action", n_max=5))
    batch = scheduler.next_batch(5)
    observations = [
        Observation(0, task.sample, task.sample == 2, None if task.sample == 2 else False)
        for task in batch
    ]
    assert scheduler.observe(observations) == [True] * 5
    state = scheduler.cells[0]
    assert (state.n, state.failed, state.stopped) == (4, 1, "n_max")


def test_out_of_order_or_repeated_samples_are_refused() -> None:
    scheduler = Scheduler(plan_of(conditions="weather=ClearNoon", questions="action"))
    scheduler.observe([Observation(0, 0, False, False)])
    with pytest.raises(DrivecertError, match="arrived twice"):
        scheduler.observe([Observation(0, 0, False, False)])
    with pytest.raises(DrivecertError, match="expected sample 1"):
        scheduler.observe([Observation(0, 3, False, False)])


def test_a_perception_question_is_not_kept_for_a_decision_that_cannot_be_attributed() -> None:
    """stop_needed rests on three perception questions; asked with only one of them, it can
    never be attributed, so that one stops on its own."""
    plan = plan_of(conditions="weather=ClearNoon", questions="stop_needed,light_red")
    assert plan.feeds() == {"light_red": ()}
    rates = {"stop_needed": 0.5, "light_red": 0.0}
    scheduler = Scheduler(
        plan_of(
            conditions="weather=ClearNoon",
            questions="stop_needed,light_red",
            sequential=True,
            n_max=80,
        )
    )
    drive(scheduler, bernoulli(rates), batch_size=4)
    state = {s.cell.question: s for s in scheduler.cells}
    assert state["light_red"].stopped == "decided" and state["light_red"].n < state["stop_needed"].n
