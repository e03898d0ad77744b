"""``brightness``: an over-exposed frame (the value channel raised, hue and saturation kept)."""

from __future__ import annotations

import cv2
import numpy as np

from harness.perturb._ops import at, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

LIFT = (0.1, 0.2, 0.3, 0.4, 0.5)  # added to HSV value, as a fraction of full scale


def brightness(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """HSV value + ``LIFT`` (saturating at white)."""
    del rng
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    value = hsv[..., 2]
    hsv[..., 2] = u8(cv2.addWeighted(value, 1.0, value, 0.0, 255 * at(LIFT, severity)))
    return u8(cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB))


PERTURBATIONS.register(
    "brightness",
    Perturbation("brightness", "over-exposure: brighter, washed out", brightness, seeded=False),
)
