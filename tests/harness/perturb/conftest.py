"""One real frame from the embedded renderer, rendered once per test process."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from harness.perturb import reference_frame


@pytest.fixture(scope="session")
def frame() -> NDArray[np.uint8]:
    image, _ = reference_frame(800, 450)
    image.flags.writeable = False  # a corruption that writes to it fails the test
    return image
