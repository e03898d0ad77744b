"""``water_splash``: water drops on the lens, each a blurred, brighter patch of the scene."""

from __future__ import annotations

import cv2
import numpy as np

from harness.perturb._ops import at, blend, soft_blobs, u8, upscaled
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

DROPS = (3, 5, 8, 11, 15)
RADIUS = (0.07, 0.085, 0.1, 0.115, 0.13)  # mean drop radius, fraction of the frame's height
SHEEN = 18  # grey levels a drop adds


def water_splash(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """Drops (soft ellipses) showing a heavily blurred copy of the frame, a little lighter."""
    height, width = image.shape[:2]
    small = cv2.resize(
        image, (max(1, width // 8), max(1, height // 8)), interpolation=cv2.INTER_AREA
    )
    soft = cv2.GaussianBlur(small, (0, 0), 1.5)
    blurred = u8(cv2.resize(cv2.addWeighted(soft, 1.0, soft, 0.0, SHEEN), (width, height)))
    drops = soft_blobs(rng, image, at(DROPS, severity), at(RADIUS, severity), softness=0.3)
    return blend(image, blurred, upscaled(np.minimum(drops * np.float32(1.2), 0.95), image))


PERTURBATIONS.register(
    "water_splash", Perturbation("water_splash", "water drops on the lens", water_splash)
)
