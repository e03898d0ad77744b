"""``frame_lost``: the frame never arrives; a uniform mid-grey stands in (a "no image" control)."""

from __future__ import annotations

import numpy as np

from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

GREY = 128


def frame_lost(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """Uniform mid-grey; severity is accepted and ignored."""
    del severity, rng
    return np.full_like(image, GREY)


PERTURBATIONS.register(
    "frame_lost",
    Perturbation("frame_lost", "uniform grey frame: no image", frame_lost, seeded=False),
)
