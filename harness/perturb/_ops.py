"""Building blocks the corruptions share: severity tables, overlays, blobs and streaks.

Smooth random layers (fog density, drops, blots) are made at a quarter of the frame's
size and resized up once, which keeps every corruption within a few milliseconds for an
800x450 frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar

import cv2
import numpy as np
from numpy.typing import NDArray

from harness.perturb._perturbation import Image

T = TypeVar("T")
Mask = NDArray[np.float32]
"""An (height, width) float32 weight in [0, 1]."""

LOW = 4  # low-resolution layers are this many times smaller than the frame


def u8(array: NDArray[Any]) -> Image:
    """An OpenCV result typed as the uint8 frame it is (no copy)."""
    return np.asarray(array, np.uint8)


def f32(array: NDArray[Any]) -> Mask:
    """An OpenCV result typed as the float32 mask it is (no copy)."""
    return np.asarray(array, np.float32)


def at(table: Sequence[T], severity: int) -> T:
    """The entry of a five-entry severity table for ``severity`` (1..5)."""
    return table[severity - 1]


def blend(image: Image, layer: Image, weight: Mask) -> Image:
    """``image * (1 - weight) + layer * weight`` per pixel."""
    return u8(cv2.blendLinear(image, layer, 1.0 - weight, weight))


def filled(image: Image, colour: tuple[int, int, int]) -> Image:
    """A read-only frame of ``image``'s shape in one colour (cached per shape and colour)."""
    return _filled(image.shape, colour)


@lru_cache(maxsize=16)
def _filled(shape: tuple[int, ...], colour: tuple[int, int, int]) -> Image:
    out = np.empty(shape, np.uint8)
    out[...] = colour
    out.flags.writeable = False
    return out


def low_shape(image: Image) -> tuple[int, int]:
    """(height, width) of a low-resolution layer for ``image``."""
    return max(1, image.shape[0] // LOW), max(1, image.shape[1] // LOW)


def upscaled(mask: Mask, image: Image) -> Mask:
    """A low-resolution mask resized (bilinearly) to ``image``'s height and width."""
    height, width = image.shape[:2]
    return f32(cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR))


def smooth_noise(rng: np.random.Generator, image: Image, cells: int) -> Mask:
    """Low-resolution, low-frequency noise in [0, 1]: two octaves, ``cells`` across."""
    height, width = low_shape(image)
    out = np.zeros((height, width), np.float32)
    for octave, weight in ((cells, 0.65), (cells * 3, 0.35)):
        coarse = rng.random((max(2, octave * height // width), octave), dtype=np.float32)
        out += weight * cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(out, 0.0, 1.0, out=out)


def soft_blobs(
    rng: np.random.Generator,
    image: Image,
    count: int,
    radius: float,
    softness: float,
    margin: float = 0.0,
    jitter: float = 0.4,
) -> Mask:
    """A low-resolution mask of ``count`` random ellipses with blurred edges, in [0, 1].

    Args:
        rng: where the centres, radii and tilts come from.
        image: the frame the mask is for (its size).
        count: number of ellipses.
        radius: mean radius as a fraction of the frame's height.
        softness: edge blur as a fraction of the radius.
        margin: centres keep this fraction of the width and height from each edge.
        jitter: each semi-axis is ``radius`` times a factor in ``1 +- jitter``.
    """
    height, width = low_shape(image)
    small = np.zeros((height, width), np.float32)
    r = radius * height
    centres = rng.uniform(margin, 1.0 - margin, (count, 2)) * (width, height)
    axes = r * rng.uniform(1.0 - jitter, 1.0 + jitter, (count, 2))
    tilts = rng.uniform(0.0, 180.0, count)
    for (x, y), (a, b), tilt in zip(centres, axes, tilts, strict=True):
        cv2.ellipse(small, (int(x), int(y)), (max(1, int(a)), max(1, int(b))), tilt, 0, 360, 1, -1)
    return f32(cv2.GaussianBlur(small, (0, 0), max(0.5, softness * r)))


def draw_streaks(
    canvas: NDArray[np.uint8],
    rng: np.random.Generator,
    count: int,
    length: float,
    angle_deg: float,
    thickness: int,
    colour: int | tuple[int, int, int] = 255,
) -> None:
    """Draw ``count`` antialiased segments at random places onto ``canvas``, in place.

    Args:
        canvas: an image or a uint8 mask the caller owns.
        rng: where the positions, lengths and angle jitter come from.
        count: number of segments.
        length: mean length in pixels (0 draws dots of diameter ``thickness``).
        angle_deg: direction from the vertical, degrees (positive leans right).
        thickness: line width in pixels.
        colour: the colour drawn (a level for a mask).
    """
    height, width = canvas.shape[:2]
    starts = rng.random((count, 2)) * (width, height)
    lengths = length * rng.uniform(0.6, 1.4, count)
    angle = np.radians(angle_deg + rng.normal(0.0, 3.0, count))
    ends = starts + np.stack([np.sin(angle), np.cos(angle)], axis=1) * lengths[:, None]
    segments = np.stack([starts, ends], axis=1).round().astype(np.int32)
    cv2.polylines(canvas, list(segments), False, colour, thickness, cv2.LINE_AA)
