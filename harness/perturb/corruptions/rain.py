"""``rain``: falling rain, bright slanted streaks over a dimmed, hazier scene."""

from __future__ import annotations

import cv2
import numpy as np

from harness.perturb._ops import at, draw_streaks, filled, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

DROPS = (350, 700, 1100, 1600, 2200)  # streaks in an 800x450 frame
LENGTH = (12, 16, 20, 25, 30)  # streak length in pixels of a 450-pixel-high frame
HAZE = (0.06, 0.1, 0.14, 0.18, 0.22)  # share of grey haze over the scene
HAZE_COLOUR = (120, 124, 130)
STREAK_COLOUR = (215, 220, 228)
STREAK_OPACITY = 0.7


def rain(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """Haze, then antialiased streaks at a common wind angle (+-20 degrees) with jitter,
    laid over at ``STREAK_OPACITY``."""
    height, width = image.shape[:2]
    haze = at(HAZE, severity)
    hazy = u8(cv2.addWeighted(image, 1.0 - haze, filled(image, HAZE_COLOUR), haze, 0.0))
    streaked = hazy.copy()
    count = round(at(DROPS, severity) * height * width / (800 * 450))
    length = at(LENGTH, severity) * height / 450
    wind = rng.uniform(-20.0, 20.0)
    draw_streaks(streaked, rng, count, length, wind, 1, STREAK_COLOUR)
    return u8(cv2.addWeighted(hazy, 1.0 - STREAK_OPACITY, streaked, STREAK_OPACITY, 0.0))


PERTURBATIONS.register("rain", Perturbation("rain", "rain streaks and haze", rain))
