"""``color_quant``: too few colour levels (each channel posterised to fewer bits)."""

from __future__ import annotations

import cv2
import numpy as np

from harness.perturb._ops import at, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

BITS = (5, 4, 3, 2, 1)  # bits kept per channel


def color_quant(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """Each channel rounded to ``2 ** bits`` levels spread evenly over 0..255 (1 bit: 0 or 255)."""
    del rng
    top = (1 << at(BITS, severity)) - 1
    levels = np.round(np.round(np.arange(256) * top / 255) * 255 / top)
    return u8(cv2.LUT(image, levels.astype(np.uint8)))


PERTURBATIONS.register(
    "color_quant",
    Perturbation("color_quant", "posterised: few colour levels", color_quant, seeded=False),
)
