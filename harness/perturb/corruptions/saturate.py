"""``saturate``: over-saturated colour (each pixel pushed away from its own grey)."""

from __future__ import annotations

import cv2
import numpy as np

from harness.perturb._ops import at, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

FACTOR = (1.6, 2.2, 3.0, 4.0, 5.5)


def saturate(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """``grey + factor * (x - grey)``: greys stay grey, colours grow vivid and clip."""
    del rng
    grey = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    factor = at(FACTOR, severity)
    return u8(cv2.addWeighted(image, factor, grey, 1.0 - factor, 0.0))


PERTURBATIONS.register(
    "saturate", Perturbation("saturate", "over-saturated colour", saturate, seeded=False)
)
