"""Camera corruptions: deterministic, damage rising with severity, the no-image controls."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from drivecert import UsageError
from harness.perturb import PERTURBATIONS, Corruption, corruption_names, perturb

Image = NDArray[np.uint8]
NO_IMAGE = ("camera_crash", "frame_lost")
BLURS = ("motion_blur", "zoom_blur")
NAMES = corruption_names()
GRADED = [n for n in NAMES if n not in NO_IMAGE]


def mean_abs_diff(a: Image, b: Image) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def sharpness(image: Image) -> float:
    """Variance of the Laplacian of the grey image."""
    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def test_every_drivebench_corruption_is_registered() -> None:
    assert set(NAMES) == {
        "brightness", "dark", "saturate", "fog", "snow", "rain", "water_splash",
        "lens_obstacle", "motion_blur", "zoom_blur", "bit_error", "color_quant",
        "low_resolution", "jpeg", "camera_crash", "frame_lost",
    }  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_bytes_and_seeded_ones_vary(name: str, frame: Image) -> None:
    first = perturb(frame, name, 3, seed=11)
    assert first.tobytes() == perturb(frame, name, 3, seed=11).tobytes()
    other = perturb(frame, name, 3, seed=12)
    assert (first.tobytes() != other.tobytes()) == PERTURBATIONS.get(name).seeded


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", GRADED)
def test_damage_rises_strictly_with_severity(name: str, seed: int, frame: Image) -> None:
    outs = [perturb(frame, name, severity, seed) for severity in range(1, 6)]
    if name in BLURS:
        scores = [sharpness(frame)] + [sharpness(out) for out in outs]
        assert all(a > b for a, b in itertools.pairwise(scores)), scores
    else:
        scores = [mean_abs_diff(out, frame) for out in outs]
        assert scores[0] > 0.25, scores  # visible at severity 1
        assert all(a < b for a, b in itertools.pairwise(scores)), scores


@pytest.mark.parametrize("name", NO_IMAGE)
def test_no_image_controls_carry_no_scene(name: str, frame: Image) -> None:
    outs = {
        perturb(frame, name, severity, seed).tobytes() for severity in (1, 5) for seed in (0, 9)
    }
    assert len(outs) == 1
    out = perturb(frame, name, 2, 0)
    assert (out == out.flat[0]).all()
    assert out.flat[0] == (0 if name == "camera_crash" else 128)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [(450, 800), (37, 53)])
def test_shape_and_dtype_kept_and_input_untouched(
    name: str, size: tuple[int, int], frame: Image
) -> None:
    image = np.ascontiguousarray(frame[: size[0], : size[1]])
    before = image.copy()
    out = perturb(image, name, 5, 3)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert not np.may_share_memory(out, image)
    assert np.array_equal(image, before)


def test_none_is_the_clean_frame(frame: Image) -> None:
    assert perturb(frame, "none", 4, 0) is frame
    assert Corruption().name == "none"


@pytest.mark.parametrize(
    ("name", "severity", "message"),
    [
        ("foggy", 1, "unknown corruption 'foggy' (did you mean 'fog'?); valid: none, bit_error"),
        ("fog", 0, "corruption severity 0 is out of range; use 1..5"),
        ("fog", 6, "corruption severity 6 is out of range; use 1..5"),
        ("fog", True, "out of range"),
    ],
)
def test_bad_name_or_severity_is_one_line(
    name: str, severity: int, message: str, frame: Image
) -> None:
    with pytest.raises(UsageError) as error:
        perturb(frame, name, severity, 0)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_non_rgb_image_is_refused(frame: Image) -> None:
    with pytest.raises(UsageError, match="uint8 RGB"):
        perturb(frame[..., 0], "fog", 1, 0)
    with pytest.raises(UsageError, match="uint8 RGB"):
        perturb(frame.astype(np.float32), "fog", 1, 0)
