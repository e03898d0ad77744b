"""``camera_crash``: the camera delivers an all-black frame (a "no image" control)."""

from __future__ import annotations

import numpy as np

from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation


def camera_crash(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """All black; severity is accepted and ignored."""
    del severity, rng
    return np.zeros_like(image)


PERTURBATIONS.register(
    "camera_crash",
    Perturbation("camera_crash", "all-black frame: no image", camera_crash, seeded=False),
)
