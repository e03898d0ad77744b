"""Frames as small embedded images: a thumbnail per gallery item, a larger view on click.

Every image is a JPEG data URI (no file, no network), made once per frame and cached; the
report keeps each in one map by frame sha, so a frame shown under several questions costs
its bytes once.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

THUMB_SIZE = (240, 135)
FULL_WIDTH = 640
THUMB_QUALITY = 70
FULL_QUALITY = 70
FIGURE_COLOURS = 128


def data_uri(image: Image.Image, quality: int) -> str:
    """The image as a base64 JPEG data URI."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def palette_png(path: Path) -> str:
    """A PNG (a figure) as a data URI, re-encoded with a palette of FIGURE_COLOURS colours."""
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(FIGURE_COLOURS, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    reduced.save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass
class FrameImages:
    """Thumbnails and full-size views of a run's frames (``frames/<sha>.png``)."""

    frames_dir: Path
    _thumbs: dict[str, str] = field(default_factory=dict)
    _full: dict[str, str] = field(default_factory=dict)

    def thumb(self, sha: str) -> str | None:
        """A thumbnail data URI, or None when the frame file is missing or unreadable."""
        if sha not in self._thumbs:
            image = self._open(sha)
            if image is None:
                return None
            small = image.copy()
            small.thumbnail(THUMB_SIZE)
            self._thumbs[sha] = data_uri(small, THUMB_QUALITY)
        return self._thumbs[sha]

    def full(self, sha: str) -> str | None:
        """A larger view (at most FULL_WIDTH wide), or None when the frame is missing."""
        if sha not in self._full:
            image = self._open(sha)
            if image is None:
                return None
            if image.width > FULL_WIDTH:
                height = round(image.height * FULL_WIDTH / image.width)
                image = image.resize((FULL_WIDTH, height))
            self._full[sha] = data_uri(image, FULL_QUALITY)
        return self._full[sha]

    def full_map(self) -> dict[str, str]:
        """Every full-size view made so far, by frame sha."""
        return dict(self._full)

    def thumb_map(self) -> dict[str, str]:
        """Every thumbnail made so far, by frame sha."""
        return dict(self._thumbs)

    @property
    def full_bytes(self) -> int:
        """Characters of every full-size view made so far."""
        return sum(len(uri) for uri in self._full.values())

    def has_full(self, sha: str) -> bool:
        """Whether the full-size view of ``sha`` is made already."""
        return sha in self._full

    @property
    def full_count(self) -> int:
        """How many full-size views are made."""
        return len(self._full)

    def _open(self, sha: str) -> Image.Image | None:
        path = self.frames_dir / f"{sha}.png"
        try:
            with Image.open(path) as image:
                return image.convert("RGB")
        except (OSError, ValueError):
            return None
