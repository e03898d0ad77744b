"""``zoom_blur``: fast forward motion, copies of the frame zoomed about its centre and averaged.

The blur streak at a distance r from the centre is ``r * log(zoom)`` pixels long, so
away from the centre nothing finer than two pixels survives: the copies are averaged at
half size and scaled up, and only a small disc round the centre, where the streaks are
shorter, is taken from the full-size average.
"""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np

from harness.perturb._ops import Mask, at, blend, f32, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

ZOOM = (1.06, 1.11, 1.16, 1.22, 1.30)  # the largest zoom averaged in
SPACING_PX = 2.0  # copies at most this far apart at the frame's edge


def _zoomed(image: Image, log_factor: float) -> Image:
    """``image`` zoomed in by ``exp(log_factor)`` about its centre (a centre crop, resized)."""
    height, width = image.shape[:2]
    factor = math.exp(log_factor)
    w, h = max(1, round(width / factor)), max(1, round(height / factor))
    x, y = (width - w) // 2, (height - h) // 2
    crop = image[y : y + h, x : x + w]
    return u8(cv2.resize(crop, (width, height), interpolation=cv2.INTER_LINEAR))


def _radial_blur(image: Image, log_zoom: float) -> Image:
    """The mean of ``2 ** k`` copies zoomed evenly (in log scale) over ``[1, zoom)``.

    Each step averages the running mean with itself zoomed by half the previous step
    (``zoom/2, zoom/4, ...`` in log scale), so ``k`` resizes make ``2 ** k`` copies;
    steps stop once neighbouring copies lie ``SPACING_PX`` apart at the frame's edge.
    """
    edge_px = log_zoom * max(image.shape[:2]) / 2  # how far the largest zoom moves an edge
    out, step = image, log_zoom / 2
    while True:
        out = u8(cv2.addWeighted(out, 0.5, _zoomed(out, step), 0.5, 0.0))
        if step / log_zoom * edge_px <= SPACING_PX:
            return out
        step /= 2


@lru_cache(maxsize=8)
def _centre(height: int, width: int, log_zoom: float) -> tuple[tuple[slice, slice], Mask]:
    """The box round the frame's centre where streaks are under three pixels long, and
    in it the weight of the full-size average: 1 under one pixel, 0 from three."""
    ys, xs = np.indices((height, width), np.float32)
    streak = np.hypot(xs - (width - 1) / 2, ys - (height - 1) / 2) * np.float32(log_zoom)
    weight = f32(np.clip((3.0 - streak) / 2.0, 0.0, 1.0))
    (top, left), (bottom, right) = np.argwhere(weight > 0).min(0), np.argwhere(weight > 0).max(0)
    box = (slice(int(top), int(bottom) + 1), slice(int(left), int(right) + 1))
    inner = np.ascontiguousarray(weight[box])
    inner.flags.writeable = False
    return box, inner


def zoom_blur(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """The mean of copies zoomed evenly (in log scale) from 1 to ``ZOOM``."""
    del rng
    height, width = image.shape[:2]
    log_zoom = math.log(at(ZOOM, severity))
    small = (max(1, width // 2), max(1, height // 2))
    half = u8(cv2.resize(image, small, interpolation=cv2.INTER_AREA))
    out = u8(cv2.resize(_radial_blur(half, log_zoom), (width, height)))
    box, weight = _centre(height, width, log_zoom)
    sharp = _radial_blur(np.ascontiguousarray(image[box]), log_zoom)  # the box is centred
    out[box] = blend(out[box], sharp, weight)
    return out


PERTURBATIONS.register(
    "zoom_blur",
    Perturbation("zoom_blur", "radial blur of fast forward motion", zoom_blur, seeded=False),
)
