"""``lens_obstacle``: dirt or a leaf on the lens, a dark out-of-focus blot over part of the view."""

from __future__ import annotations

import numpy as np

from harness.perturb._ops import at, blend, filled, soft_blobs, upscaled
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

RADIUS = (0.12, 0.18, 0.26, 0.36, 0.5)  # main blot radius, fraction of the frame's height
DIRT = (46, 40, 34)
OPACITY = 0.93


def lens_obstacle(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """One large soft blot (centred away from the edges) and three small ones beside it."""
    radius = at(RADIUS, severity)
    main = soft_blobs(rng, image, 1, radius, softness=0.35, margin=0.4, jitter=0.15)
    specks = soft_blobs(rng, image, 3, radius * 0.3, softness=0.5, margin=0.15)
    blot = np.minimum(np.maximum(main * np.float32(1.3), specks), 1.0) * np.float32(OPACITY)
    return blend(image, filled(image, DIRT), upscaled(blot, image))


PERTURBATIONS.register(
    "lens_obstacle", Perturbation("lens_obstacle", "a dark blot on the lens", lens_obstacle)
)
