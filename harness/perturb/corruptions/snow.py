"""``snow``: falling snowflakes, near and far, over a scene whitened by snow haze."""

from __future__ import annotations

import cv2
import numpy as np

from harness.perturb._ops import at, blend, draw_streaks, filled, upscaled
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

FAR = (500, 900, 1400, 2000, 2700)  # small flakes in an 800x450 frame
NEAR = (30, 60, 100, 150, 210)  # large, close, out-of-focus flakes
WHITENING = (0.08, 0.14, 0.2, 0.26, 0.32)  # share of white haze over the scene
SNOW = (238, 240, 245)


def snow(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """White haze and a flake layer drawn at half size: short falling streaks of small
    flakes and blurred large ones."""
    height, width = image.shape[:2]
    whitening = at(WHITENING, severity)
    area = height * width / (800 * 450)
    size = max(1, round(height / 900))  # pixels of the half-size layer per 2 of an 800x450 one
    wind = rng.uniform(-25.0, 25.0)
    far = np.zeros((max(1, height // 2), max(1, width // 2)), np.uint8)
    draw_streaks(far, rng, round(at(FAR, severity) * area), 1.5 * size, wind, size)
    near = np.zeros_like(far)
    draw_streaks(near, rng, round(at(NEAR, severity) * area), 2 * size, wind, 3 * size)
    near = cv2.GaussianBlur(near, (0, 0), 1.2 * size)  # out of focus
    flakes = cv2.max(far, cv2.convertScaleAbs(near, alpha=1.6)).astype(np.float32)
    flakes *= np.float32(0.95 / 255)
    # haze and flakes in one pass: white share w + (1 - w) * flake
    weight = np.float32(whitening) + np.float32(1.0 - whitening) * flakes
    return blend(image, filled(image, SNOW), upscaled(weight, image))


PERTURBATIONS.register("snow", Perturbation("snow", "snowfall and white haze", snow))
