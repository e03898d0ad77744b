"""Weather effects as meshes: sky dome, rain streaks, puddles and headlight pools.

Rain and puddles are random but seeded from the scene (and frame), so they are the
same on every run. Rain lives in camera space: streaks fill the view frustum from 0.8 m
to 30 m, about one pixel wide at any depth, slanted by the wind.
"""

from __future__ import annotations

import math

import numpy as np

from harness.render._atmosphere import Atmosphere
from harness.render._layout import RoadGeometry
from harness.render._mesh import Mesh

SKY_RADIUS_M = 380.0
RAIN_NEAR_M, RAIN_FAR_M = 0.8, 30.0
STREAK_LENGTH_M = 0.55


def sky_dome(atm: Atmosphere, fog_at_sky: float, segments: int = 24) -> Mesh:
    """A hemisphere around the camera, horizon to zenith, already seen through the fog."""
    rings = np.radians(np.array([-20.0, 0.0, 6.0, 20.0, 45.0, 90.0]))
    mix = np.array([0.0, 0.0, 0.25, 0.6, 0.9, 1.0])
    horizon, zenith, fog = (np.array(c) for c in (atm.sky_horizon, atm.sky_zenith, atm.fog_color))
    ring_colours = horizon + (zenith - horizon) * mix[:, None]
    ring_colours = ring_colours + (fog - ring_colours) * fog_at_sky
    az = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    pos = (
        np.array(
            [
                [math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)]
                for e in rings
                for a in az
            ]
        )
        * SKY_RADIUS_M
    )
    colours = np.repeat(np.clip(ring_colours, 0, 1), segments, axis=0)
    colours8 = np.concatenate([np.round(colours * 255), np.full((len(pos), 1), 255)], 1)
    tris = []
    for r in range(len(rings) - 1):
        for k in range(segments):
            a, b = r * segments + k, r * segments + (k + 1) % segments
            tris += [(a, b + segments, b), (a, a + segments, b + segments)]  # faces inward
    normals = -pos / SKY_RADIUS_M
    return Mesh().add(
        pos.astype(np.float32),
        normals.astype(np.float32),
        colours8.astype(np.uint8),
        np.array(tris, np.uint32),
    )


def rain_streaks(
    atm: Atmosphere, rng: np.random.Generator, focal_px: float, tan_h: float, tan_v: float
) -> Mesh:
    """Rain in camera space (x right, y forward, z up; camera at the origin)."""
    n = atm.rain_streaks
    if n == 0:
        return Mesh()
    # uniform in volume: depth density ~ d^2 (inverse-CDF sampling)
    u = rng.random(n)
    depth = (RAIN_NEAR_M**3 + u * (RAIN_FAR_M**3 - RAIN_NEAR_M**3)) ** (1 / 3)
    x = (rng.random(n) * 2 - 1) * tan_h * depth
    z = (rng.random(n) * 2 - 1) * tan_v * depth
    slant = math.radians(atm.rain_slant_deg)
    length = STREAK_LENGTH_M * (0.7 + 0.6 * rng.random(n))
    dx, dz = math.sin(slant) * length, -math.cos(slant) * length
    half_w = np.maximum(depth / focal_px * 0.6, 0.002)  # ~1.2 px wide at any depth
    top = np.stack([x, depth, z], 1)
    bottom = np.stack([x + dx, depth, z + dz], 1)
    side = np.stack([half_w * math.cos(slant), np.zeros(n), half_w * math.sin(slant)], 1)
    corners = np.stack([top - side, top + side, bottom + side, bottom - side], 1)
    pos = corners.reshape(-1, 3).astype(np.float32)
    shade = 0.7 + 0.25 * atm.daylight
    alpha = np.repeat(np.clip(0.28 + 0.25 * rng.random(n), 0, 1), 4)
    colours = np.empty((4 * n, 4), np.uint8)
    colours[:, :3] = np.round(np.array([0.82, 0.85, 0.9]) * shade * 255).astype(np.uint8)
    colours[:, 3] = np.round(alpha * 255).astype(np.uint8)
    base = np.arange(n, dtype=np.uint32)[:, None] * 4
    tris = np.concatenate(
        [base + np.array([0, 2, 1]), base + np.array([0, 3, 2])]
    )  # facing the camera
    normals = np.tile(np.array([0, -1, 0], np.float32), (4 * n, 1))
    return Mesh().add(pos, normals, colours, tris)


def puddles(atm: Atmosphere, rng: np.random.Generator, geometry: RoadGeometry) -> Mesh:
    """Puddles on the ego road that mirror the sky colour (more with more deposits)."""
    mesh = Mesh()
    r, g, b = (c * 0.75 for c in atm.sky_horizon)
    colour = (r, g, b, 0.75)
    half = geometry.half_width
    for _ in range(atm.puddles):
        x = float(rng.uniform(-half + 0.6, half - 0.6))
        y = float(rng.uniform(3.0, 70.0))
        radius = float(rng.uniform(0.4, 1.3))
        stretch = float(rng.uniform(1.5, 3.0))  # along the road
        mesh.disc((x, y, 0.0), (radius, radius * stretch), colour, segments=14)
    return mesh


def headlight_pools() -> Mesh:
    """The ego's low-beam pools on the road ahead, in the ego's frame (additive)."""
    mesh = Mesh()
    mesh.light_pool((0.0, 9.0, 0.0), (2.6, 7.0), (0.34, 0.32, 0.26))
    mesh.light_pool((0.0, 16.0, 0.0), (4.0, 12.0), (0.16, 0.15, 0.12))
    return mesh
