"""``bit_error``: bit errors in a compressed video stream, runs of wrong macroblocks.

An error corrupts a macroblock and the ones decoded after it along the row: each run
shows the content of a displaced block with a colour cast, half of them flattened to
their mean colour (only the DC coefficient survived).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from harness.perturb._ops import at, u8
from harness.perturb._perturbation import PERTURBATIONS, Image, Perturbation

BLOCK = 16  # macroblock size in pixels
ERROR_RATE = (0.005, 0.012, 0.025, 0.045, 0.075)  # share of macroblocks that start a run
RUN = (4, 6, 8, 10, 12)  # longest run in macroblocks
SHIFT = 3  # largest displacement of the copied block, in macroblocks
CAST = 45.0  # spread of the colour cast, grey levels


def _runs(rng: np.random.Generator, rows: int, cols: int, severity: int) -> NDArray[np.int32]:
    """A run id (from 1) per macroblock; 0 for intact blocks."""
    ids = np.zeros((rows, cols), np.int32)
    count = max(1, round(at(ERROR_RATE, severity) * rows * cols))
    starts = rng.choice(rows * cols, count, replace=False)
    longest = at(RUN, severity)
    lengths = rng.integers(longest // 2, longest + 1, count)
    for run, (start, length) in enumerate(zip(starts, lengths, strict=True), start=1):
        row, col = divmod(int(start), cols)
        ids[row, col : col + length] = run
    return ids


def bit_error(image: Image, severity: int, rng: np.random.Generator) -> Image:
    """Runs of macroblocks replaced by displaced, colour-cast (and half of them flat) copies."""
    height, width = image.shape[:2]
    rows, cols = -(-height // BLOCK), -(-width // BLOCK)
    pad = (0, rows * BLOCK - height, 0, cols * BLOCK - width)
    padded = u8(cv2.copyMakeBorder(image, *pad, cv2.BORDER_REFLECT))
    blocks = padded.reshape(rows, BLOCK, cols, BLOCK, 3)  # a view: writes go to padded
    runs = _runs(rng, rows, cols, severity)
    row, col = np.nonzero(runs)
    ids = runs[row, col]
    count = int(runs.max()) + 1
    # Per run: a displacement in blocks, a colour cast, flattened or not.
    shift = rng.integers(-SHIFT, SHIFT + 1, (count, 2))[ids]
    cast = rng.normal(0.0, CAST, (count, 3))[ids]
    flat = (rng.random(count) < 0.5)[ids]
    patches = blocks[
        np.clip(row + shift[:, 0], 0, rows - 1), :, np.clip(col + shift[:, 1], 0, cols - 1)
    ]
    tall = patches.reshape(-1, BLOCK, 3)  # the patches stacked, one image for OpenCV
    means = cv2.resize(tall, (1, len(patches)), interpolation=cv2.INTER_AREA)
    patches[flat] = means[flat][:, None]
    up, down = (
        np.broadcast_to(np.clip(c, 0, 255).astype(np.uint8)[:, None, None], patches.shape)
        for c in (cast, -cast)
    )
    tall = u8(cv2.subtract(cv2.add(tall, up.reshape(tall.shape)), down.reshape(tall.shape)))
    blocks[row, :, col] = tall.reshape(patches.shape)
    return padded[:height, :width].copy()


PERTURBATIONS.register(
    "bit_error", Perturbation("bit_error", "transmission bit errors: broken blocks", bit_error)
)
