"""``low_resolution``: a low-resolution sensor, its frame scaled back up to size."""

from __future__ import annotations

import cv2
import numpy as np

from harness.perturb._ops import at, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

FACTOR = (2, 3, 4, 6, 8)  # downscaling factor


def low_resolution(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """Area-averaged down by ``FACTOR``, bilinear back up."""
    del rng
    height, width = image.shape[:2]
    factor = at(FACTOR, severity)
    small = cv2.resize(
        image, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA
    )
    return u8(cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR))


PERTURBATIONS.register(
    "low_resolution",
    Perturbation("low_resolution", "low-resolution sensor", low_resolution, seeded=False),
)
