"""``dark``: a low-light frame (a gamma curve and lower gain, plus sensor noise)."""

from __future__ import annotations

import cv2
import numpy as np

from harness.perturb._ops import at, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

GAMMA = (1.3, 1.6, 1.9, 2.2, 2.6)
GAIN = (0.75, 0.6, 0.47, 0.36, 0.27)
NOISE = (3, 5, 7, 9, 11)  # half-width of the uniform sensor noise, in grey levels


def dark(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """``255 * gain * (x / 255) ** gamma`` through a lookup table, plus uniform noise."""
    levels = np.arange(256, dtype=np.float64) / 255.0
    curve = 255.0 * at(GAIN, severity) * levels ** at(GAMMA, severity)
    out = cv2.LUT(image, np.round(curve).astype(np.uint8))
    half = at(NOISE, severity)
    uniform = np.frombuffer(rng.bytes(image.size), np.uint8).reshape(image.shape)
    noise = cv2.LUT(uniform, (np.arange(256) * (2 * half + 1) // 256).astype(np.uint8))
    return u8(cv2.addWeighted(out, 1.0, noise, 1.0, -half))  # saturates once, at the end


PERTURBATIONS.register("dark", Perturbation("dark", "low light with sensor noise", dark))
