"""``jpeg``: heavy JPEG compression (blocking and ringing)."""

from __future__ import annotations

import cv2
import numpy as np

from drivecert import DrivecertError
from harness.perturb._ops import at, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

QUALITY = (25, 18, 15, 10, 7)


def jpeg(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """Encoded at ``QUALITY`` and decoded again (OpenCV's libjpeg, 4:2:0 chroma)."""
    del rng
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)  # libjpeg's luma weights expect BGR order
    ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, at(QUALITY, severity)])
    if not ok:
        raise DrivecertError(f"OpenCV could not JPEG-encode a {image.shape} frame")
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if decoded is None:
        raise DrivecertError(f"OpenCV could not decode its own JPEG of a {image.shape} frame")
    return u8(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB))


PERTURBATIONS.register("jpeg", Perturbation("jpeg", "heavy JPEG compression", jpeg, seeded=False))
