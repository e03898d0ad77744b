"""Low-poly models of traffic participants, built with :class:`~harness.render._mesh.Mesh`.

Frame: metres, x right, y forward (the agent faces +y), z up, origin at the centre of the
footprint on the ground. Every model fits the box ``scenarios.AGENT_SHAPES[kind]`` gives
(width along x, length along y, height along z) and fills most of it, so projected
bounding boxes are honest. Emissive parts (lamps, reflectors, signs) are a separate mesh
the renderer draws unlit at full brightness.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from drivecert import DrivecertError, did_you_mean
from harness.render._mesh import Color, Mesh, Vec3
from scenarios import AGENT_KINDS

__all__ = ["AgentModel", "agent_model"]

BLACK: Color = (0.04, 0.04, 0.045)
TYRE: Color = (0.06, 0.06, 0.06)
HUB: Color = (0.6, 0.6, 0.62)
DARK: Color = (0.16, 0.16, 0.17)
WHITE: Color = (0.93, 0.93, 0.91)
GLASS: Color = (0.13, 0.17, 0.24)
HEADLIGHT: Color = (1.0, 0.95, 0.8)
TAIL: Color = (0.95, 0.05, 0.04)
AMBER: Color = (1.0, 0.62, 0.08)
RIDER_SKIN: Color = (0.85, 0.65, 0.5)

CAR_PAINTS: tuple[Color, ...] = (
    (0.92, 0.92, 0.9),  # white
    (0.05, 0.05, 0.06),  # black
    (0.66, 0.68, 0.7),  # silver
    (0.72, 0.06, 0.06),  # red
    (0.1, 0.23, 0.62),  # blue
    (0.33, 0.34, 0.36),  # dark grey
    (0.1, 0.36, 0.2),  # green
    (0.8, 0.73, 0.56),  # beige
)
TRUCK_LIVERIES: tuple[tuple[Color, Color], ...] = (  # cab, cargo box
    ((0.92, 0.92, 0.9), (0.86, 0.86, 0.84)),
    ((0.72, 0.08, 0.07), (0.8, 0.8, 0.8)),
    ((0.1, 0.25, 0.6), (0.92, 0.92, 0.9)),
    ((0.95, 0.72, 0.1), (0.2, 0.38, 0.25)),
)
BUS_LIVERIES: tuple[tuple[Color, Color], ...] = (  # body, skirt
    ((0.78, 0.08, 0.08), (0.18, 0.18, 0.18)),
    ((0.92, 0.92, 0.9), (0.1, 0.3, 0.65)),
    ((0.95, 0.75, 0.1), (0.2, 0.2, 0.2)),
    ((0.15, 0.5, 0.3), (0.9, 0.9, 0.88)),
)
RIDER_COLOURS: tuple[tuple[Color, Color, Color], ...] = (  # machine/helmet, jacket, trousers
    ((0.75, 0.07, 0.07), (0.12, 0.12, 0.14), (0.15, 0.22, 0.45)),
    ((0.1, 0.25, 0.65), (0.85, 0.4, 0.05), (0.1, 0.1, 0.12)),
    ((0.9, 0.9, 0.88), (0.1, 0.4, 0.7), (0.08, 0.08, 0.1)),
    ((0.2, 0.55, 0.2), (0.85, 0.15, 0.15), (0.2, 0.25, 0.4)),
)
PEOPLE: tuple[
    tuple[Color, Color, Color, Color, Color], ...
] = (  # shirt, trousers, skin, hair, shoes
    ((0.8, 0.12, 0.1), (0.15, 0.25, 0.5), (0.93, 0.76, 0.62), (0.3, 0.18, 0.08), WHITE),
    ((0.95, 0.8, 0.15), (0.1, 0.12, 0.32), (0.78, 0.55, 0.38), (0.05, 0.04, 0.03), BLACK),
    ((0.93, 0.93, 0.9), (0.06, 0.06, 0.07), (0.45, 0.3, 0.2), (0.05, 0.04, 0.03), (0.4, 0.25, 0.1)),
    ((0.15, 0.55, 0.25), (0.7, 0.6, 0.4), (0.93, 0.76, 0.62), (0.85, 0.7, 0.35), (0.3, 0.2, 0.1)),
    ((1.0, 0.5, 0.05), (0.1, 0.2, 0.55), (0.78, 0.55, 0.38), (0.2, 0.12, 0.05), WHITE),
    ((0.45, 0.7, 0.95), (0.4, 0.27, 0.15), (0.6, 0.42, 0.3), (0.62, 0.62, 0.6), BLACK),
    ((0.5, 0.2, 0.6), (0.25, 0.35, 0.62), (0.93, 0.76, 0.62), (0.55, 0.2, 0.08), WHITE),
    ((0.95, 0.5, 0.65), (0.9, 0.9, 0.86), (0.85, 0.65, 0.5), (0.1, 0.07, 0.05), (0.6, 0.1, 0.1)),
)
BARRIER_COLOURS: tuple[Color, ...] = ((0.85, 0.06, 0.05), (1.0, 0.45, 0.02))
CONE_COLOURS: tuple[Color, ...] = ((1.0, 0.42, 0.04), (0.95, 0.26, 0.04))


@dataclass(frozen=True)
class AgentModel:
    """The meshes of one traffic participant, in the agent's own frame.

    Models are cached and shared: treat both meshes as read-only (copy them with
    ``Mesh().extend(model.lit)`` before changing anything).

    Attributes:
        lit: normally lit parts.
        glow: emissive parts drawn unlit at full brightness (lamps, reflectors, signs);
            empty for pedestrians.
    """

    lit: Mesh
    glow: Mesh


def agent_model(kind: str, variant: int) -> AgentModel:
    """The model of one kind of traffic participant in one colour variant.

    Args:
        kind: one of ``scenarios.AGENT_KINDS``.
        variant: any non-negative int; picks colours from the kind's palette (modulo its size).

    Returns:
        A cached, shared :class:`AgentModel`; do not mutate its meshes.

    Raises:
        DrivecertError: ``kind`` is not a known agent kind.
    """
    if kind not in _KINDS:
        raise DrivecertError(
            f"unknown agent kind {kind!r}{did_you_mean(kind, AGENT_KINDS)};"
            f" valid kinds: {', '.join(AGENT_KINDS)}"
        )
    return _cached(kind, variant % _KINDS[kind][1])


@functools.lru_cache(maxsize=64)  # every (kind, palette entry) fits
def _cached(kind: str, variant: int) -> AgentModel:
    lit, glow = Mesh(), Mesh()
    _KINDS[kind][0](lit, glow, variant)
    return AgentModel(lit=lit, glow=glow)


def _limb(
    m: Mesh, a: Vec3, b: Vec3, thick: float, color: Color, extra: float = 0.0, depth: float = 0.0
) -> None:
    """A bar ``thick`` wide (``depth`` deep, default square) from ``a`` to ``b``.

    It is lengthened by ``extra`` at each end so joints close up.
    """
    dx, dy, dz = b[0] - a[0], b[1] - a[1], b[2] - a[2]
    horiz = math.hypot(dx, dy)
    length = math.sqrt(horiz * horiz + dz * dz) + 2 * extra
    yaw = math.degrees(math.atan2(-dx, dy)) if horiz > 1e-9 else 0.0
    pitch = math.degrees(math.atan2(dz, horiz))
    centre = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2)
    m.box(centre, (thick, length, depth or thick), color, yaw_deg=yaw, pitch_deg=pitch)


def _wheel(m: Mesh, x: float, y: float, radius: float, width: float) -> None:
    """A tyre (cylinder along x) standing on the ground with a slightly proud grey hub."""
    m.cylinder((x, y, radius), radius, width, TYRE, axis="x", segments=14)
    m.cylinder((x, y, radius), radius * 0.45, width + 0.01, HUB, axis="x", segments=10)


def _arched_body(
    m: Mesh,
    width: float,
    ys: tuple[float, float],
    zs: tuple[float, float, float],
    arches: Sequence[float],
    half: float,
    color: Color,
) -> None:
    """A box body from ``ys[0]`` to ``ys[1]`` with dark wheel arches cut into its lower band.

    ``zs`` is (bottom, arch top, top); ``arches`` are wheel positions along y.
    """
    (y0, y1), (z0, za, z1) = ys, zs
    m.box((0, (y0 + y1) / 2, (za + z1) / 2), (width, y1 - y0, z1 - za), color)
    edges = [y0, *[v for a in sorted(arches) for v in (a - half, a + half)], y1]
    for lo, hi in zip(edges[::2], edges[1::2], strict=True):
        m.box((0, (lo + hi) / 2, (z0 + za) / 2), (width, hi - lo, za - z0), color)
    for a in arches:
        m.box((0, a, (z0 + za) / 2), (width * 0.7, 2 * half, za - z0), BLACK)


def _pane_yz(m: Mesh, a: tuple[float, float], b: tuple[float, float], width: float) -> None:
    """A thin window across x on the slanted face from (y, z) ``a`` to ``b``, 1 cm proud.

    The face's outside is on the right when walking from ``a`` to ``b`` in the y-z plane.
    """
    dy, dz = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dy, dz)
    ny, nz = dz / length * 0.02, -dy / length * 0.02
    centre = (0.0, (a[0] + b[0]) / 2 + ny, (a[1] + b[1]) / 2 + nz)
    pitch = math.degrees(math.atan2(dz, dy))
    m.box(centre, (width, length * 0.84, 0.02), GLASS, pitch_deg=pitch)


def _lamps(m: Mesh, xs: Sequence[float], y: float, z: float, size: Vec3, color: Color) -> None:
    for x in xs:
        m.box((x, y, z), size, color)


def _car(m: Mesh, glow: Mesh, variant: int) -> None:
    paint = CAR_PAINTS[variant]
    for x in (-0.775, 0.775):
        for y in (-1.42, 1.38):
            _wheel(m, x, y, 0.33, 0.22)
    _arched_body(m, 1.78, (-2.15, 2.15), (0.3, 0.7, 0.92), (-1.42, 1.38), 0.42, paint)
    cabin = Mesh().prism(((-1.45, 0.92), (-1.15, 1.48), (0.05, 1.48), (0.75, 0.92)), 1.5, paint)
    m.extend(cabin, yaw_deg=90)  # profile (y, z) extruded across x
    _pane_yz(m, (0.75, 0.92), (0.05, 1.48), 1.34)  # windscreen
    _pane_yz(m, (-1.15, 1.48), (-1.45, 0.92), 1.34)  # rear window
    for x in (-0.755, 0.755):  # side windows either side of the B pillar
        m.box((x, 0.0, 1.19), (0.02, 0.95, 0.4), GLASS)
        m.box((x, -0.87, 1.19), (0.02, 0.7, 0.4), GLASS)
    for s in (-1, 1):
        m.box((0, 2.19 * s, 0.45), (1.8, 0.1, 0.22), DARK)  # bumpers
        m.box((0, 2.243 * s, 0.45), (0.42, 0.012, 0.11), WHITE)  # number plates
    m.box((0, 2.16, 0.76), (0.6, 0.02, 0.12), BLACK)  # grille
    _lamps(glow, (-0.6, 0.6), 2.165, 0.78, (0.34, 0.03, 0.13), HEADLIGHT)
    _lamps(glow, (-0.66, 0.66), -2.165, 0.8, (0.3, 0.03, 0.13), TAIL)


def _truck(m: Mesh, glow: Mesh, variant: int) -> None:
    cab, cargo = TRUCK_LIVERIES[variant]
    for y in (2.9, -2.0, -3.1):
        for x in (-1.09, 1.09):
            _wheel(m, x, y, 0.5, 0.3)
    m.box((0, 0, 0.75), (1.0, 7.8, 0.4), DARK)  # chassis
    m.box((0, 2.92, 1.8), (2.4, 2.04, 2.4), cab)  # cab, z 0.6..3.0
    m.box((0, 3.955, 2.35), (2.1, 0.03, 0.9), GLASS)  # windscreen
    for x in (-1.21, 1.21):
        m.box((x, 3.45, 2.35), (0.02, 0.8, 0.7), GLASS)
    m.box((0, 3.95, 1.2), (1.4, 0.02, 0.5), DARK)  # grille
    m.box((0, 3.95, 0.62), (2.44, 0.1, 0.3), DARK)  # bumper
    m.box((0, -1.1, 2.175), (2.5, 5.72, 2.45), cargo)  # cargo box, y -3.96..1.76
    m.box((0, -3.965, 2.175), (0.04, 0.02, 2.35), DARK)  # rear door seam
    m.box((0, -3.9, 0.68), (2.3, 0.1, 0.14), DARK)  # underrun bar
    _lamps(glow, (-0.95, 0.95), 3.965, 0.95, (0.36, 0.03, 0.18), HEADLIGHT)
    _lamps(glow, (-1.0, 1.0), -3.975, 1.1, (0.34, 0.03, 0.18), TAIL)
    _lamps(glow, (-1.18, 1.18), 3.965, 2.92, (0.1, 0.03, 0.06), AMBER)  # cab markers


def _bus(m: Mesh, glow: Mesh, variant: int) -> None:
    body, skirt = BUS_LIVERIES[variant]
    for y in (3.6, -3.4):
        for x in (-1.12, 1.12):
            _wheel(m, x, y, 0.5, 0.3)
    _arched_body(m, 2.5, (-5.95, 5.95), (0.3, 1.05, 3.1), (3.6, -3.4), 0.62, body)
    m.box((0, 0, 0.55), (2.52, 11.0, 0.14), skirt)  # stripe along the sides
    m.box((0, -0.5, 3.15), (1.5, 3.5, 0.1), DARK)  # roof unit, top at 3.2
    for y in (-5.2 + 1.25 * i for i in range(8)):  # side windows, pillars between
        m.box((0, y, 2.05), (2.52, 1.1, 1.05), GLASS)
    m.box((1.255, 5.1, 1.5), (0.01, 1.0, 2.2), GLASS)  # front door on the right
    m.box((0, 5.955, 1.9), (2.3, 0.03, 1.5), GLASS)  # windscreen
    m.box((0, -5.955, 2.2), (2.0, 0.03, 0.9), GLASS)  # rear window
    for y in (-5.965, 5.965):
        m.box((0, y, 0.45), (2.5, 0.07, 0.25), DARK)  # bumpers
    glow.box((0, 5.965, 2.88), (1.9, 0.03, 0.3), AMBER)  # destination sign
    _lamps(glow, (-0.95, 0.95), 5.97, 0.75, (0.34, 0.03, 0.14), HEADLIGHT)
    _lamps(glow, (-1.0, 1.0), -5.97, 0.85, (0.2, 0.03, 0.3), TAIL)


def _rider(m: Mesh, pose: Sequence[Vec3], jacket: Color, trousers: Color) -> None:
    """A seated rider symmetric about x = 0.

    ``pose`` is hip, shoulder, grip, knee (each for the +x side), right foot and left foot.
    """
    hip, shoulder, grip, knee, *feet = pose
    _limb(m, (0, hip[1], hip[2]), (0, shoulder[1], shoulder[2]), 0.36, jacket, depth=0.22)
    for s in (-1, 1):
        h, sh, g, k = ((s * p[0], p[1], p[2]) for p in (hip, shoulder, grip, knee))
        _limb(m, sh, g, 0.085, jacket, extra=0.03)  # arm
        m.box(g, (0.07, 0.08, 0.07), RIDER_SKIN)  # hand
        foot = feet[0] if s > 0 else feet[1]
        _limb(m, h, k, 0.13, trousers, extra=0.04)  # thigh
        _limb(m, k, foot, 0.11, trousers, extra=0.02)  # shin
        m.box((foot[0], foot[1] + 0.05, foot[2]), (0.09, 0.22, 0.08), BLACK)  # shoe


def _motorcycle(m: Mesh, glow: Mesh, variant: int) -> None:
    paint, jacket, trousers = RIDER_COLOURS[variant]
    for y in (-0.75, 0.75):
        m.cylinder((0, y, 0.3), 0.3, 0.13, TYRE, axis="x", segments=14)
        m.cylinder((0, y, 0.3), 0.13, 0.15, HUB, axis="x", segments=10)
    m.box((0, 0.0, 0.43), (0.3, 0.6, 0.32), DARK)  # engine
    m.box((0.17, -0.45, 0.32), (0.08, 0.7, 0.08), HUB)  # exhaust
    m.box((0, 0.25, 0.76), (0.32, 0.55, 0.22), paint)  # tank
    m.box((0, -0.3, 0.7), (0.28, 0.6, 0.1), BLACK)  # seat
    m.box((0, -0.72, 0.72), (0.2, 0.4, 0.08), paint)  # tail
    m.box((0, 0.75, 0.64), (0.16, 0.36, 0.05), paint)  # front mudguard
    for x in (-0.07, 0.07):
        _limb(m, (x, 0.75, 0.3), (x, 0.56, 0.98), 0.05, HUB)  # fork
    m.cylinder((0, 0.56, 0.98), 0.02, 0.72, BLACK, axis="x")  # handlebar
    m.box((0, 0.66, 0.86), (0.22, 0.1, 0.2), paint)  # headlight housing
    glow.cylinder((0, 0.72, 0.86), 0.08, 0.04, HEADLIGHT, axis="y")
    glow.box((0, -0.93, 0.74), (0.12, 0.03, 0.05), TAIL)
    pose = ((0.13, -0.3, 0.8), (0.2, -0.02, 1.16), (0.3, 0.54, 0.98), (0.2, 0.12, 0.7))
    _rider(m, (*pose, (0.2, -0.05, 0.3), (-0.2, -0.05, 0.3)), jacket, trousers)
    m.box((0, 0.03, 1.27), (0.26, 0.3, 0.25), paint)  # helmet, top at 1.395
    m.box((0, 0.185, 1.27), (0.2, 0.02, 0.09), BLACK)  # visor


def _ring(m: Mesh, y: float, z: float, radius: float, color: Color, segments: int = 16) -> None:
    """A thin tyre in the y-z plane made of short bars."""
    seg = 2 * radius * math.sin(math.pi / segments) + 0.01
    for i in range(segments):
        a = 2 * math.pi * i / segments
        centre = (0.0, y + radius * math.cos(a), z + radius * math.sin(a))
        m.box(centre, (0.035, seg, 0.035), color, pitch_deg=math.degrees(a) + 90)


def _cyclist(m: Mesh, glow: Mesh, variant: int) -> None:
    paint, jacket, trousers = RIDER_COLOURS[variant]
    r, hub = 0.34, 0.36
    for y in (-0.52, 0.52):
        _ring(m, y, hub, r, TYRE)
        m.cylinder((0, y, hub), 0.04, 0.08, HUB, axis="x", segments=8)
        for spoke in (0, 60, 120):
            m.box((0, y, hub), (0.008, 2 * r, 0.008), HUB, pitch_deg=spoke)
    rear, front, bb = (0.0, -0.52, hub), (0.0, 0.52, hub), (0.0, -0.05, 0.3)
    seat, head, head_low = (0.0, -0.2, 0.85), (0.0, 0.38, 0.88), (0.0, 0.42, 0.72)
    for a, b in ((seat, bb), (seat, head), (head_low, bb), (bb, rear), (seat, rear)):
        _limb(m, a, b, 0.04, paint)
    _limb(m, head_low, front, 0.03, paint)  # fork
    _limb(m, head_low, (0, 0.36, 0.99), 0.035, DARK)  # steerer and stem
    m.cylinder((0, 0.36, 0.99), 0.018, 0.5, BLACK, axis="x")  # handlebar
    _limb(m, seat, (0, -0.24, 0.95), 0.03, DARK)  # seat post
    m.box((0, -0.22, 0.96), (0.12, 0.26, 0.05), BLACK)  # saddle
    m.box((0, -0.05, 0.3), (0.3, 0.05, 0.04), DARK)  # crank
    pose = ((0.1, -0.22, 1.0), (0.18, 0.14, 1.38), (0.22, 0.36, 0.99), (0.13, 0.16, 0.72))
    _rider(m, (*pose, (0.16, 0.05, 0.33), (-0.16, -0.15, 0.25)), jacket, trousers)
    m.box((0, 0.25, 1.49), (0.17, 0.2, 0.2), RIDER_SKIN)  # head
    m.box((0, 0.22, 1.6), (0.22, 0.3, 0.1), paint)  # helmet, top at 1.65
    glow.box((0, 0.41, 0.94), (0.07, 0.04, 0.05), HEADLIGHT)  # lamp on the handlebar
    glow.box((0, -0.27, 0.86), (0.04, 0.02, 0.05), TAIL)  # rear light on the seat post


def _pedestrian(m: Mesh, glow: Mesh, variant: int) -> None:
    shirt, trousers, skin, hair, shoes = PEOPLE[variant]
    m.box((0, 0.01, 1.625), (0.17, 0.2, 0.21), skin)  # head, z 1.52..1.73
    m.box((0, -0.005, 1.725), (0.18, 0.2, 0.05), hair)  # top at 1.75
    m.box((0, -0.08, 1.64), (0.18, 0.06, 0.16), hair)
    m.box((0, 0, 1.49), (0.08, 0.08, 0.08), skin)  # neck
    torso = ((-0.16, 0.93), (-0.2, 1.42), (-0.15, 1.47), (0.15, 1.47), (0.2, 1.42), (0.16, 0.93))
    m.prism(torso, 0.22, shirt)
    m.box((0, 0, 0.9), (0.32, 0.2, 0.1), trousers)  # hips
    for s in (-1, 1):  # right leg (+x) forward, right arm back
        fwd = 0.1 * s
        knee, ankle = (0.1 * s, fwd * 0.45, 0.5), (0.1 * s, fwd * 0.9, 0.1)
        _limb(m, (0.1 * s, 0, 0.92), knee, 0.14, trousers, extra=0.03)
        _limb(m, knee, ankle, 0.11, trousers, extra=0.03)
        m.box((0.1 * s, fwd + 0.02, 0.04), (0.1, 0.25, 0.08), shoes)
        elbow, wrist = (0.235 * s, -0.04 * s, 1.14), (0.245 * s, -0.1 * s, 0.88)
        _limb(m, (0.22 * s, 0, 1.42), elbow, 0.09, shirt, extra=0.03)
        _limb(m, elbow, wrist, 0.08, skin, extra=0.02)
        m.box((0.245 * s, -0.105 * s, 0.82), (0.06, 0.08, 0.1), skin)  # hand


def _barrier(m: Mesh, glow: Mesh, variant: int) -> None:
    red = BARRIER_COLOURS[variant]
    for x in (-1.0, 1.0):
        m.box((x, 0, 0.04), (0.12, 0.6, 0.08), DARK)  # foot
        m.box((x, 0, 0.48), (0.07, 0.07, 0.88), WHITE)  # post
    for z, h in ((0.82, 0.2), (0.46, 0.16)):
        for i in range(8):  # boards of alternating red and white blocks
            m.box((-1.05 + 0.3 * i, 0, z), (0.3, 0.04, h), red if i % 2 == 0 else WHITE)
    for y in (-0.025, 0.025):  # reflective strip along the top board, both faces
        glow.box((0, y, 0.82), (2.4, 0.01, 0.05), (1.0, 0.92, 0.75))
    glow.box((1.0, 0, 0.95), (0.12, 0.08, 0.1), AMBER)  # warning lamp, top at 1.0


def _cones(m: Mesh, glow: Mesh, variant: int) -> None:
    orange = CONE_COLOURS[variant]
    steps = 11
    for x in (-0.75, -0.25, 0.25, 0.75):
        m.box((x, 0, 0.02), (0.38, 0.38, 0.04), BLACK)  # base
        for i in range(steps):
            h = 0.66 / steps
            radius = 0.15 - 0.115 * i / (steps - 1)
            band = i in (4, 7)
            (glow if band else m).cylinder(
                (x, 0, 0.04 + h * (i + 0.5)), radius, h, WHITE if band else orange, segments=12
            )


_KINDS: dict[str, tuple[Callable[[Mesh, Mesh, int], None], int]] = {  # builder, palette size
    "car": (_car, len(CAR_PAINTS)),
    "truck": (_truck, len(TRUCK_LIVERIES)),
    "bus": (_bus, len(BUS_LIVERIES)),
    "motorcycle": (_motorcycle, len(RIDER_COLOURS)),
    "cyclist": (_cyclist, len(RIDER_COLOURS)),
    "pedestrian": (_pedestrian, len(PEOPLE)),
    "barrier": (_barrier, len(BARRIER_COLOURS)),
    "cones": (_cones, len(CONE_COLOURS)),
}
