"""Low-poly triangle meshes built with numpy, independent of any graphics library.

A :class:`Mesh` is flat-shaded triangles with per-vertex normals and colours, in metres,
in a right-handed Z-up frame (x right, y forward, z up; Panda3D's and, with y flipped,
CARLA's). Builders append primitives; renderers turn the arrays into their own geometry.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Color = tuple[float, float, float] | tuple[float, float, float, float]
Vec3 = tuple[float, float, float]

VERTEX_DTYPE = np.dtype([("position", "<f4", 3), ("normal", "<f4", 3), ("color", "u1", 4)])
"""Interleaved vertex layout shared with the renderers (28 bytes per vertex)."""

# Unit cube faces: (normal, four corners counter-clockwise seen from outside).
_CUBE_FACES = (
    ((1, 0, 0), ((1, -1, -1), (1, 1, -1), (1, 1, 1), (1, -1, 1))),
    ((-1, 0, 0), ((-1, 1, -1), (-1, -1, -1), (-1, -1, 1), (-1, 1, 1))),
    ((0, 1, 0), ((1, 1, -1), (-1, 1, -1), (-1, 1, 1), (1, 1, 1))),
    ((0, -1, 0), ((-1, -1, -1), (1, -1, -1), (1, -1, 1), (-1, -1, 1))),
    ((0, 0, 1), ((-1, -1, 1), (1, -1, 1), (1, 1, 1), (-1, 1, 1))),
    ((0, 0, -1), ((-1, 1, -1), (1, 1, -1), (1, -1, -1), (-1, -1, -1))),
)
_CUBE_POS = np.array([c for _, corners in _CUBE_FACES for c in corners], np.float32) / 2
_CUBE_NRM = np.repeat(np.array([n for n, _ in _CUBE_FACES], np.float32), 4, axis=0)
_QUAD_TRIS = np.array([[0, 1, 2], [0, 2, 3]], np.uint32)


def rgba(color: Color) -> NDArray[np.uint8]:
    """A colour with components in [0, 1] as four bytes (alpha defaults to 1)."""
    values = (*color, 1.0) if len(color) == 3 else color
    return np.clip(np.round(np.asarray(values, np.float64) * 255), 0, 255).astype(np.uint8)


def yaw_matrix(yaw_deg: float) -> NDArray[np.float32]:
    """Rotation about +z by ``yaw_deg`` (counter-clockwise seen from above)."""
    a = np.radians(yaw_deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], np.float32)


_AXIS_FROM_Z = {
    "z": np.eye(3, dtype=np.float32),
    "x": np.array([[0, 0, 1], [0, 1, 0], [-1, 0, 0]], np.float32),  # z -> x
    "y": np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]], np.float32),  # z -> y
}


def _ring(segments: int, rx: float, ry: float) -> NDArray[np.float32]:
    """``segments`` points on an ellipse of radii (rx, ry) in the z = 0 plane."""
    angles = np.linspace(0, 2 * np.pi, segments, endpoint=False, dtype=np.float32)
    ring = np.stack([np.cos(angles) * rx, np.sin(angles) * ry, np.zeros_like(angles)], 1)
    return ring.astype(np.float32)


@dataclass
class Mesh:
    """Triangles with per-vertex positions, normals and colours.

    Attributes:
        positions: (N, 3) float32 vertex positions in metres.
        normals: (N, 3) float32 unit normals.
        colors: (N, 4) uint8 RGBA.
        triangles: (M, 3) uint32 vertex indices, counter-clockwise from the front.
    """

    positions: list[NDArray[np.float32]] = field(default_factory=list)
    normals: list[NDArray[np.float32]] = field(default_factory=list)
    colors: list[NDArray[np.uint8]] = field(default_factory=list)
    triangles: list[NDArray[np.uint32]] = field(default_factory=list)
    _count: int = 0

    @property
    def vertex_count(self) -> int:
        """Number of vertices so far."""
        return self._count

    @property
    def is_empty(self) -> bool:
        """Whether nothing has been added."""
        return self._count == 0

    def add(
        self,
        positions: NDArray[np.float32],
        normals: NDArray[np.float32],
        color: Color | NDArray[np.uint8],
        triangles: NDArray[np.uint32],
    ) -> Mesh:
        """Append raw triangles (one colour, or one colour per vertex)."""
        n = len(positions)
        col = np.asarray(color)
        colors = (
            np.broadcast_to(rgba(tuple(col.tolist())), (n, 4))
            if col.ndim == 1
            else col.astype(np.uint8)
        )
        self.positions.append(np.asarray(positions, np.float32))
        self.normals.append(np.asarray(normals, np.float32))
        self.colors.append(np.ascontiguousarray(colors, np.uint8))
        self.triangles.append(np.asarray(triangles, np.uint32) + self._count)
        self._count += n
        return self

    def box(
        self, center: Vec3, size: Vec3, color: Color, yaw_deg: float = 0.0, pitch_deg: float = 0.0
    ) -> Mesh:
        """An axis-aligned box of ``size`` (x, y, z) at ``center``, turned by yaw then pitch."""
        rot = yaw_matrix(yaw_deg)
        if pitch_deg:
            a = np.radians(pitch_deg)
            pitch = np.array(
                [[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]], np.float32
            )
            rot = (rot @ pitch).astype(np.float32)
        pos = ((_CUBE_POS * np.asarray(size, np.float32)) @ rot.T).astype(np.float32)
        pos += np.asarray(center, np.float32)
        tris = (np.arange(6, dtype=np.uint32)[:, None, None] * 4 + _QUAD_TRIS).reshape(-1, 3)
        return self.add(pos, _CUBE_NRM @ rot.T, color, tris)

    def quad(self, corners: Sequence[Vec3], color: Color) -> Mesh:
        """A flat quad from four corners, counter-clockwise seen from its front."""
        pos = np.asarray(corners, np.float32)
        normal = np.cross(pos[1] - pos[0], pos[2] - pos[0])
        normal /= np.linalg.norm(normal) or 1.0
        return self.add(pos, np.tile(normal, (4, 1)), color, _QUAD_TRIS)

    def ground(
        self, x0: float, x1: float, y0: float, y1: float, z: float, color: Color, tile: float = 40.0
    ) -> Mesh:
        """A horizontal rectangle facing up, split into tiles of at most ``tile`` metres.

        Tiling keeps per-vertex lighting and software rasterisers accurate on long roads.
        """
        xs = np.linspace(x0, x1, max(1, math.ceil((x1 - x0) / tile)) + 1)
        ys = np.linspace(y0, y1, max(1, math.ceil((y1 - y0) / tile)) + 1)
        for xa, xb in itertools.pairwise(xs):
            for ya, yb in itertools.pairwise(ys):
                corners = ((xa, ya, z), (xb, ya, z), (xb, yb, z), (xa, yb, z))
                self.quad(corners, color)
        return self

    def cylinder(
        self,
        center: Vec3,
        radius: float,
        length: float,
        color: Color,
        axis: str = "z",
        segments: int = 10,
    ) -> Mesh:
        """A capped cylinder centred at ``center`` along ``axis`` (``x``, ``y`` or ``z``)."""
        ring = _ring(segments, radius, radius)
        half = np.array([0, 0, length / 2], np.float32)
        side_pos = np.concatenate([ring - half, ring + half])
        side_nrm = np.concatenate([ring, ring]) / radius
        k = np.arange(segments, dtype=np.uint32)
        k1 = (k + 1) % segments
        side_tris = np.concatenate(
            [np.stack([k, k1, k1 + segments], 1), np.stack([k, k1 + segments, k + segments], 1)]
        )
        cap_pos = np.concatenate([ring - half, ring + half])
        cap_nrm = np.repeat(np.array([[0, 0, -1], [0, 0, 1]], np.float32), segments, axis=0)
        fan = np.arange(1, segments - 1, dtype=np.uint32)
        bottom = np.stack([np.zeros_like(fan), fan + 1, fan], 1)
        top = np.stack([np.zeros_like(fan), fan, fan + 1], 1) + segments
        cap_tris = np.concatenate([bottom, top]) + 2 * segments
        rot = _AXIS_FROM_Z[axis]
        pos = np.concatenate([side_pos, cap_pos]) @ rot.T + np.asarray(center, np.float32)
        nrm = np.concatenate([side_nrm, cap_nrm]) @ rot.T
        return self.add(pos, nrm, color, np.concatenate([side_tris, cap_tris]))

    def disc(
        self,
        center: Vec3,
        radius: float | tuple[float, float],
        color: Color,
        segments: int = 16,
    ) -> Mesh:
        """A flat horizontal disc (or ellipse, with x and y radii) facing up."""
        fill = rgba(color)
        return self._fan(center, radius, fill, fill, segments)

    def light_pool(
        self, center: Vec3, radii: tuple[float, float], color: Color, segments: int = 18
    ) -> Mesh:
        """An elliptical pool of light, ``color`` at the centre fading to black at the rim.

        Meant for additive blending (black adds nothing).
        """
        return self._fan(center, radii, rgba(color), rgba((0.0, 0.0, 0.0)), segments)

    def _fan(
        self,
        center: Vec3,
        radius: float | tuple[float, float],
        middle: NDArray[np.uint8],
        rim: NDArray[np.uint8],
        segments: int,
    ) -> Mesh:
        """A horizontal triangle fan facing up, colours blending from middle to rim."""
        rx, ry = (radius, radius) if isinstance(radius, (int, float)) else radius
        pos = np.concatenate([np.zeros((1, 3), np.float32), _ring(segments, rx, ry)])
        pos += np.asarray(center, np.float32)
        colors = np.tile(rim, (segments + 1, 1))
        colors[0] = middle
        k = np.arange(segments, dtype=np.uint32)
        tris = np.stack([np.zeros_like(k), k + 1, (k + 1) % segments + 1], 1)
        nrm = np.tile(np.array([0, 0, 1], np.float32), (segments + 1, 1))
        return self.add(pos, nrm, colors, tris)

    def prism(self, outline: Sequence[tuple[float, float]], depth: float, color: Color) -> Mesh:
        """A convex outline in the x-z plane, extruded ``depth`` along y (sign faces)."""
        pts = np.asarray(outline, np.float32)
        n = len(pts)
        front = np.stack([pts[:, 0], np.full(n, -depth / 2), pts[:, 1]], 1)
        back = front + np.array([0, depth, 0], np.float32)
        fan = np.arange(1, n - 1, dtype=np.uint32)
        self.add(
            front,
            np.tile(np.array([0, -1, 0], np.float32), (n, 1)),
            color,
            np.stack([np.zeros_like(fan), fan + 1, fan], 1),
        )
        self.add(
            back,
            np.tile(np.array([0, 1, 0], np.float32), (n, 1)),
            color,
            np.stack([np.zeros_like(fan), fan, fan + 1], 1),
        )
        for i in range(n):
            j = (i + 1) % n
            self.quad((front[i], front[j], back[j], back[i]), color)
        return self

    def extend(self, other: Mesh, offset: Vec3 = (0.0, 0.0, 0.0), yaw_deg: float = 0.0) -> Mesh:
        """Append ``other`` turned by ``yaw_deg`` about z and moved by ``offset``."""
        if other.is_empty:
            return self
        pos, nrm, col, tris = other.arrays()
        rot = yaw_matrix(yaw_deg)
        return self.add(pos @ rot.T + np.asarray(offset, np.float32), nrm @ rot.T, col, tris)

    def arrays(
        self,
    ) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.uint8], NDArray[np.uint32]]:
        """(positions, normals, colours, triangles) as contiguous arrays."""
        if self.is_empty:
            return (
                np.zeros((0, 3), np.float32),
                np.zeros((0, 3), np.float32),
                np.zeros((0, 4), np.uint8),
                np.zeros((0, 3), np.uint32),
            )
        return (
            np.concatenate(self.positions),
            np.concatenate(self.normals),
            np.concatenate(self.colors),
            np.concatenate(self.triangles),
        )

    def vertices(self) -> NDArray[np.void]:
        """The interleaved vertex buffer (:data:`VERTEX_DTYPE`)."""
        pos, nrm, col, _ = self.arrays()
        out = np.empty(len(pos), VERTEX_DTYPE)
        out["position"], out["normal"], out["color"] = pos, nrm, col
        return out

    def bounds(self) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """(min corner, max corner) of all vertices."""
        pos = self.arrays()[0]
        return pos.min(axis=0), pos.max(axis=0)
