"""One content hash for pixels, so frames, PNG files and cache keys join on the same id."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from drivecert._errors import UsageError

if TYPE_CHECKING:  # neither is imported at run time: importing drivecert stays cheap
    import numpy as np
    from numpy.typing import NDArray
    from PIL import Image

_CHANNEL_MODES: dict[int, str] = {3: "RGB", 4: "RGBA"}


def pixel_sha256(image: Image.Image | NDArray[np.uint8]) -> str:
    """The hex sha256 of an image's mode, size and raw pixels.

    The digest covers ``f"{mode}:{width}x{height}:"`` followed by the raw pixel bytes, row
    by row. A uint8 array of shape (h, w, 3), (h, w, 4) or (h, w) counts as mode RGB, RGBA
    or L, so a frame array and ``PIL.Image.fromarray(frame)`` hash equal.

    Args:
        image: a PIL image, or a uint8 numpy array of one of the shapes above.

    Returns:
        64 lowercase hex digits.

    Raises:
        UsageError: for an array of another dtype or shape.
    """
    if hasattr(image, "mode"):  # a PIL image (duck-typed: PIL is not imported here)
        pil: Any = image
        width, height = pil.size
        digest = hashlib.sha256(f"{pil.mode}:{width}x{height}:".encode("ascii"))
        digest.update(pil.tobytes())
        return digest.hexdigest()
    import numpy as np  # whoever passes an array has numpy loaded already

    array = np.asarray(image)
    mode = _array_mode(array.shape)
    if array.dtype != np.uint8 or mode is None:
        raise UsageError(
            f"cannot hash pixels of dtype {array.dtype} and shape {array.shape}; pass a uint8 "
            "array of shape (h, w, 3), (h, w, 4) or (h, w), or a PIL image"
        )
    height, width = array.shape[:2]
    digest = hashlib.sha256(f"{mode}:{width}x{height}:".encode("ascii"))
    digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def _array_mode(shape: tuple[int, ...]) -> str | None:
    """The PIL mode of a uint8 array of ``shape``, or None when no mode fits."""
    if len(shape) == 2:
        return "L"
    return _CHANNEL_MODES.get(shape[2]) if len(shape) == 3 else None
