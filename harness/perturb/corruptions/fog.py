"""``fog``: patchy haze that blends the scene toward a grey-white airlight."""

from __future__ import annotations

import numpy as np

from harness.perturb._ops import at, blend, filled, smooth_noise, upscaled
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

DENSITY = (0.3, 0.45, 0.6, 0.72, 0.84)  # mean share of airlight in each pixel
AIRLIGHT = (206, 210, 214)


def fog(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """Blend toward ``AIRLIGHT`` by ``DENSITY`` modulated +-35% by low-frequency noise."""
    density = at(DENSITY, severity)
    weight = np.float32(density * 0.65) + np.float32(density * 0.7) * smooth_noise(rng, image, 4)
    return blend(image, filled(image, AIRLIGHT), upscaled(np.minimum(weight, 0.97), image))


PERTURBATIONS.register("fog", Perturbation("fog", "patchy haze toward grey-white", fog))
