"""``motion_blur``: the sideways smear of a camera turning with the car (a horizontal blur).

DriveBench draws the blur's angle at random. Here it is horizontal, the direction of a
car's yaw, and so deterministic: a fresh random angle at each severity made a longer
blur along the scene's many horizontal edges look sharper than a shorter tilted one,
so severity would not have ordered the damage.
"""

from __future__ import annotations

import cv2
import numpy as np

from harness.perturb._ops import at, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

LENGTH = (5, 9, 16, 28, 48)  # blur length in pixels of an 800-pixel-wide frame


def motion_blur(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """A centred horizontal box blur of ``LENGTH`` (scaled to the width); edges reflected."""
    del rng
    length = max(1, round(at(LENGTH, severity) * image.shape[1] / 800))
    return u8(cv2.blur(image, (length, 1), borderType=cv2.BORDER_REFLECT_101))


PERTURBATIONS.register(
    "motion_blur",
    Perturbation("motion_blur", "horizontal motion blur", motion_blur, seeded=False),
)
