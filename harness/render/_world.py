"""The static world around the ego: roads, junctions, sidewalks, buildings, lamps, controls.

Meshes are built in junction-local coordinates (junction centre at the origin, the ego
approaching along +y from the south arm) or, for a straight road, in world coordinates;
the renderer moves them into place. Results are cached per road shape, so a sweep of
thousands of scenes builds each shape once.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache

from harness.render._layout import (
    BUILDING_SETBACK_M,
    CROSSWALK_FAR_M,
    CROSSWALK_NEAR_M,
    HEAD_SIZE_M,
    JUNCTION_SHOULDER_M,
    LAMP_OFFSETS_Z,
    LAMP_RADIUS_M,
    SIDEWALK_M,
    SIGN_RADIUS_M,
    STOP_LINE_TO_BOX_M,
    STRAIGHT_SHOULDER_M,
)
from harness.render._mesh import Mesh

ASPHALT = (0.25, 0.25, 0.26)
SIDEWALK = (0.58, 0.57, 0.55)
KERB = (0.7, 0.7, 0.68)
VERGE = (0.33, 0.36, 0.28)
WHITE = (0.88, 0.88, 0.85)
YELLOW = (0.9, 0.72, 0.15)
POLE = (0.3, 0.31, 0.33)
WINDOW = (0.16, 0.2, 0.26)
LIT_WINDOW = (0.85, 0.7, 0.45)
LAMP_HEAD = (0.75, 0.75, 0.72)
LAMP_GLOW = (1.0, 0.9, 0.65)
POOL = (0.42, 0.36, 0.22)
FACADES = (
    (0.62, 0.5, 0.42),
    (0.72, 0.68, 0.6),
    (0.5, 0.52, 0.56),
    (0.66, 0.42, 0.34),
    (0.8, 0.76, 0.66),
    (0.45, 0.47, 0.42),
)
LIGHT_ON = {"red": (1.0, 0.08, 0.05), "yellow": (1.0, 0.72, 0.05), "green": (0.1, 1.0, 0.45)}
LIGHT_OFF = {"red": (0.22, 0.05, 0.04), "yellow": (0.22, 0.17, 0.04), "green": (0.04, 0.18, 0.08)}
STOP_RED = (0.78, 0.06, 0.06)

ARM_LENGTH_M = 220.0
STRAIGHT_FROM_M, STRAIGHT_TO_M = -40.0, 420.0
LAMP_SPACING_M = 28.0
ARM_YAW = {"south": 0.0, "east": 90.0, "north": 180.0, "west": 270.0}
EXIT_ARM = {"right": "east", "straight": "north", "left": "west"}


@dataclass
class WorldMeshes:
    """Static geometry split by how it is drawn.

    Attributes:
        ground: asphalt, sidewalks and verges (darkened when wet).
        markings: paint on the road (drawn over the ground).
        structures: buildings, poles, signs, signal housings (lit normally).
        glow: emissive parts that are always lit (active signal lamps).
        night_glow: emissive parts lit only at night (lamp heads, windows).
        day_only: parts drawn only by day (unlit lamp heads).
        night_pools: additive light pools under street lamps at night.
    """

    ground: Mesh = field(default_factory=Mesh)
    markings: Mesh = field(default_factory=Mesh)
    structures: Mesh = field(default_factory=Mesh)
    glow: Mesh = field(default_factory=Mesh)
    night_glow: Mesh = field(default_factory=Mesh)
    day_only: Mesh = field(default_factory=Mesh)
    night_pools: Mesh = field(default_factory=Mesh)

    def merge(self, other: WorldMeshes, yaw_deg: float = 0.0) -> None:
        """Append every group of ``other``, turned by ``yaw_deg`` about the origin."""
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name), yaw_deg=yaw_deg)


def _dashes(
    m: Mesh, x: float, y0: float, y1: float, dash: float, gap: float, width: float = 0.15
) -> None:
    y = y0
    while y < y1:
        m.ground(x - width / 2, x + width / 2, y, min(y + dash, y1), 0.0, WHITE)
        y += dash + gap


def _road_markings(m: Mesh, lanes: int, width: float, y0: float, y1: float) -> None:
    """Centre line, lane dividers and edge lines of a road running along y."""
    half = lanes * width
    for x in (-0.12, 0.12):
        m.ground(x - 0.06, x + 0.06, y0, y1, 0.0, YELLOW)
    for side in (-1, 1):
        for i in range(1, lanes):
            _dashes(m, side * i * width, y0, y1, 3.0, 6.0)
        x = side * (half - 0.1)
        m.ground(x - 0.07, x + 0.07, y0, y1, 0.0, WHITE)


def _lamps(
    w: WorldMeshes, x: float, y0: float, y1: float, facing: float, rng: random.Random
) -> None:
    """Street lamps on a sidewalk at ``x``, leaning over the road (``facing`` = -1 or 1)."""
    y = y1 - rng.uniform(4.0, 10.0)
    while y > y0:
        w.structures.cylinder((x, y, 3.5), 0.09, 7.0, POLE, segments=6)
        w.structures.box((x + facing * 0.9, y, 7.0), (1.8, 0.12, 0.12), POLE)
        head = ((x + facing * 1.7, y, 6.9), (0.7, 0.35, 0.18))
        w.day_only.box(*head, LAMP_HEAD)
        w.night_glow.box(*head, LAMP_GLOW)
        w.night_pools.light_pool((x + facing * 2.6, y, 0.0), (6.5, 6.5), POOL)
        y -= LAMP_SPACING_M


def _building_row(
    w: WorldMeshes, x_near: float, side: int, y0: float, y1: float, rng: random.Random
) -> None:
    """Buildings from y1 down to y0, fronts at ``x_near``, extending away on ``side``."""
    y = y1
    while y > y0:
        length = rng.uniform(10.0, 24.0)
        depth = rng.uniform(10.0, 16.0)
        floors = rng.randint(2, 7)
        height = floors * 3.2 + 1.0
        x_mid = x_near + side * depth / 2
        y_mid = y - length / 2
        w.structures.box((x_mid, y_mid, height / 2), (depth, length, height), rng.choice(FACADES))
        front = x_near - side * 0.03
        for floor in range(floors):
            z = 1.0 + floor * 3.2 + 1.5
            size = (0.08, length - 1.6, 1.3)
            if rng.random() < 0.2:
                w.night_glow.box((front, y_mid, z), size, LIT_WINDOW)
            else:
                w.structures.box((front, y_mid, z), size, WINDOW)
        y -= length + rng.uniform(2.0, 6.0)


def _road_strip(
    w: WorldMeshes, lanes: int, width: float, shoulder: float, y0: float, y1: float, seed: int
) -> None:
    """A road along y from y0 to y1 with sidewalks, verges, lamps and buildings."""
    rng = random.Random(seed)
    half = lanes * width
    kerb = half + shoulder
    w.ground.ground(-kerb, kerb, y0, y1, 0.0, ASPHALT)
    for side in (-1, 1):
        x_in, x_out = side * kerb, side * (kerb + SIDEWALK_M)
        lo, hi = min(x_in, x_out), max(x_in, x_out)
        w.ground.box(((lo + hi) / 2, (y0 + y1) / 2, 0.075), (hi - lo, y1 - y0, 0.15), SIDEWALK)
        w.ground.box((x_in + side * 0.1, (y0 + y1) / 2, 0.08), (0.2, y1 - y0, 0.16), KERB)
        _lamps(w, x_in + side * 0.5, y0 + 2, y1, -side, rng)
        start = y1 - (2.0 if side > 0 else 18.0)
        _building_row(w, side * (kerb + SIDEWALK_M + BUILDING_SETBACK_M), side, y0, start, rng)
    _road_markings(w.markings, lanes, width, y0, y1)


@lru_cache(maxsize=32)
def straight_road(lanes: int, width: float) -> WorldMeshes:
    """A straight road in world coordinates (the ego near y = 0)."""
    w = WorldMeshes()
    w.ground.ground(-400, 400, STRAIGHT_FROM_M, STRAIGHT_TO_M, -0.02, VERGE)
    _road_strip(w, lanes, width, STRAIGHT_SHOULDER_M, STRAIGHT_FROM_M, STRAIGHT_TO_M, seed=lanes)
    return w


def _arm(lanes: int, width: float, seed: int, blocked: bool) -> WorldMeshes:
    """One junction arm in local coordinates: traffic enters the box going +y at y = -R."""
    half = lanes * width
    kerb = half + JUNCTION_SHOULDER_M
    length = half + CROSSWALK_FAR_M + 0.5 if blocked else ARM_LENGTH_M
    w = WorldMeshes()
    _road_strip(w, lanes, width, JUNCTION_SHOULDER_M, -length, -kerb, seed)
    stop_y = -half - STOP_LINE_TO_BOX_M
    w.markings.ground(0.0, half, stop_y - 0.25, stop_y + 0.25, 0.0, WHITE)
    stripe = -half + 0.35
    while stripe < half - 0.3:
        w.markings.ground(
            stripe, stripe + 0.5, -half - CROSSWALK_FAR_M, -half - CROSSWALK_NEAR_M, 0.0, WHITE
        )
        stripe += 1.0
    if blocked:  # a building right behind the crosswalk closes the route
        size = (2 * kerb + 2 * SIDEWALK_M + 16, 12.0, 14.0)
        w.structures.box((0.0, -length - 6.0, 7.0), size, FACADES[3])
    return w


def _close_side(w: WorldMeshes, lanes: int, width: float) -> None:
    """The far side of a T-junction: sidewalk and a row of buildings across the route."""
    kerb = lanes * width + JUNCTION_SHOULDER_M
    w.ground.box(
        (0.0, kerb + SIDEWALK_M / 2, 0.075), (2 * kerb + 2 * SIDEWALK_M, SIDEWALK_M, 0.15), SIDEWALK
    )
    rng = random.Random(99)
    x = -3 * kerb
    while x < 3 * kerb:
        length = rng.uniform(10.0, 16.0)
        height = rng.randint(3, 6) * 3.2 + 1.0
        y = kerb + SIDEWALK_M + BUILDING_SETBACK_M + 6.0
        w.structures.box(
            (x + length / 2, y, height / 2), (length, 12.0, height), rng.choice(FACADES)
        )
        for floor in range(int(height // 3.2)):
            z = 2.5 + floor * 3.2
            w.structures.box((x + length / 2, y - 6.03, z), (length - 1.6, 0.08, 1.3), WINDOW)
        x += length + 0.5


@lru_cache(maxsize=64)
def junction(layout: str, lanes: int, width: float, blocked: tuple[str, ...]) -> WorldMeshes:
    """A 4-way or T junction in junction-local coordinates (centre at the origin)."""
    kerb = lanes * width + JUNCTION_SHOULDER_M
    w = WorldMeshes()
    w.ground.ground(-400, 400, -ARM_LENGTH_M, ARM_LENGTH_M, -0.02, VERGE)
    w.ground.ground(-kerb, kerb, -kerb, kerb, 0.0, ASPHALT)
    arms = ["south", "east", "west"] + (["north"] if layout == "four_way" else [])
    closed = {EXIT_ARM[e] for e in blocked}
    for index, arm in enumerate(arms):
        w.merge(_arm(lanes, width, seed=17 * index + lanes, blocked=arm in closed), ARM_YAW[arm])
    if layout == "t_junction":
        _close_side(w, lanes, width)
    return w


@lru_cache(maxsize=32)
def control_meshes(
    kind: str,
    state: str | None,
    heads: tuple[tuple[float, float, float], ...],
    sign: tuple[float, float, float] | None,
    pole_x: float,
) -> WorldMeshes:
    """Signal heads (with the lit lamp) or a stop sign, in world coordinates."""
    w = WorldMeshes()
    for x, y, z in heads:
        if z > 4.0:  # overhead head on a mast arm from a kerb pole
            w.structures.cylinder((pole_x, y, (z + 0.8) / 2), 0.12, z + 0.8, POLE, segments=8)
            w.structures.box(
                ((pole_x + x) / 2, y, z + 0.7), (abs(pole_x - x) + 0.3, 0.14, 0.14), POLE
            )
        else:
            w.structures.cylinder((x, y + 0.05, z / 2), 0.09, z, POLE, segments=8)
        w.structures.box((x, y, z), HEAD_SIZE_M, (0.06, 0.06, 0.06))
        for colour, dz in LAMP_OFFSETS_Z.items():
            lamp = ((x, y - 0.17, z + dz), LAMP_RADIUS_M, 0.04)
            if colour == state:
                w.glow.cylinder(*lamp, LIGHT_ON[colour], axis="y", segments=12)
            else:
                w.structures.cylinder(*lamp, LIGHT_OFF[colour], axis="y", segments=12)
    if sign is not None:
        x, y, z = sign
        w.structures.cylinder((x, y + 0.05, z / 2), 0.04, z, POLE, segments=6)
        face = Mesh().prism(_octagon(SIGN_RADIUS_M, x, z), 0.03, (0.95, 0.95, 0.95))
        face.extend(Mesh().prism(_octagon(0.36, x, z), 0.03, STOP_RED), offset=(0.0, -0.02, 0.0))
        # the word STOP as four white blocks: legible as a stop sign at a glance
        for k in range(4):
            face.box((x - 0.18 + 0.12 * k, -0.04, z), (0.08, 0.01, 0.14), (1.0, 1.0, 1.0))
        w.glow.extend(face, offset=(0.0, y, 0.0))  # retroreflective: visible in headlights
    return w


def _octagon(radius: float, cx: float, cz: float) -> list[tuple[float, float]]:
    return [
        (
            cx + radius * math.cos(math.radians(22.5 + 45 * k)),
            cz + radius * math.sin(math.radians(22.5 + 45 * k)),
        )
        for k in range(8)
    ]
