"""World layout: poses along maneuvers, agent placement and projection."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.render import RenderSettings
from harness.render._layout import (
    agent_pose,
    control_layout,
    ego_pose,
    placements,
    road_geometry,
)
from harness.render._projection import box_of, project
from scenarios import Agent, get_scenario


def test_camera_distances_are_to_the_near_face() -> None:
    scene = get_scenario("obstacle_ahead").sample("obstacle=barrier", 0, 0)
    geometry = road_geometry(scene)
    for distance in (1.0, 5.0, 25.0):
        barrier = Agent("obstacle", "barrier", "ahead_in_lane", distance)
        place = placements(replace(scene, agents=(barrier,)), geometry)[0]
        _, depth = box_of(place.corners(), ego_pose(scene, geometry), RenderSettings())
        assert depth == pytest.approx(distance, abs=1e-6)


def test_stop_line_and_box_follow_the_distance_to_the_junction() -> None:
    scene = get_scenario("right_turn").sample("control=light_red", 2, 0)
    geometry = road_geometry(scene)
    assert geometry.stop_line_y == scene.ego.distance_to_junction_m
    assert geometry.box is not None
    assert geometry.box[1] - geometry.box[0] == pytest.approx(2 * geometry.half_width)
    heads = control_layout(scene, geometry).heads
    assert len(heads) == 2 and all(y > 0 for _, y, _ in heads)


@pytest.mark.parametrize(("maneuver", "final_yaw"), [("right_turn", -90.0), ("left_turn", 90.0)])
def test_turns_end_heading_into_the_exit(maneuver: str, final_yaw: float) -> None:
    scenario = "right_turn" if maneuver == "right_turn" else "unprotected_left"
    scene = get_scenario(scenario).sample(None, 1, 0)
    scene = replace(scene, ego=replace(scene.ego, speed_mps=5.0))
    geometry = road_geometry(scene)
    start = ego_pose(scene, geometry, 0.0)
    end = ego_pose(scene, geometry, 20.0)
    assert start.y == pytest.approx(0.0)
    assert end.yaw_deg == pytest.approx(final_yaw)
    assert (end.x - start.x) * final_yaw < 0  # right turn moves right, left turn left


@pytest.mark.parametrize("maneuver", ["lane_change_left", "lane_change_right"])
def test_lane_change_moves_one_lane_over(maneuver: str) -> None:
    scene = get_scenario("cyclist_lane_change").sample(f"maneuver={maneuver}", 0, 0)
    geometry = road_geometry(scene)
    start, end = ego_pose(scene, geometry, 0.0), ego_pose(scene, geometry, 10.0)
    side = 1 if maneuver == "lane_change_right" else -1
    assert (end.x - start.x) * side > 0.85 * geometry.lane_width
    assert start.yaw_deg * side < 0  # already steering towards the target lane
    assert end.yaw_deg == 0


def test_crosswalk_pedestrians_stand_on_the_destination_crosswalk() -> None:
    for index in range(30):
        scene = get_scenario("pedestrian_crossing").sample("pedestrians=present", index, 0)
        geometry = road_geometry(scene)
        arm = {"right_turn": "east", "left_turn": "west", "straight": "north"}[scene.maneuver]
        cx, cy = geometry.crosswalk_centre(arm)
        for agent in scene.agents:
            pose = agent_pose(scene, geometry, agent)
            along = abs(pose.y - cy) if arm in ("east", "west") else abs(pose.x - cx)
            across = abs(pose.x - cx) if arm in ("east", "west") else abs(pose.y - cy)
            assert along <= geometry.half_width and across < 0.01


def test_moving_agents_move_along_their_heading() -> None:
    scene = get_scenario("unprotected_left").sample(None, 3, 0)
    geometry = road_geometry(scene)
    oncoming = scene.agents[0]
    p0 = agent_pose(scene, geometry, oncoming, 0.0)
    p1 = agent_pose(scene, geometry, oncoming, 1.0)
    assert p0.y - p1.y == pytest.approx(oncoming.speed_mps)
    assert p0.x == pytest.approx(p1.x)
    assert p0.x < 0  # the oncoming lane is left of the centre line


def test_projection_centre_and_edges() -> None:
    settings = RenderSettings()
    scene = get_scenario("obstacle_ahead").sample(None, 0, 0)
    pose = ego_pose(scene, road_geometry(scene))
    uv, depth = project([(pose.x, 10.0, 1.4), (pose.x + 10.0, 10.0, 1.4)], pose, settings)
    assert uv[0] == pytest.approx((400.0, 225.0))
    assert uv[1][0] == pytest.approx(800.0)  # FOV 90: 45 degrees right is the edge
    assert depth.tolist() == pytest.approx([10.0, 10.0])
