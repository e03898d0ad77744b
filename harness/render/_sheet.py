"""Contact sheets: a grid of frames with their labels, to check a scenario at a glance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

LABEL_PX = 22


def contact_sheet(
    images: Sequence[NDArray[np.uint8]],
    labels: Sequence[str],
    columns: int = 4,
    tile_width: int = 400,
) -> Image.Image:
    """Tiles of ``images`` (scaled to ``tile_width``) in a grid, each captioned."""
    if not images:
        raise ValueError("a contact sheet needs at least one image")
    h, w = images[0].shape[:2]
    tile_h = round(h * tile_width / w)
    columns = max(1, min(columns, len(images)))
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * tile_width, rows * (tile_h + LABEL_PX)), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=14)
    for k, (image, label) in enumerate(zip(images, labels, strict=True)):
        x, y = (k % columns) * tile_width, (k // columns) * (tile_h + LABEL_PX)
        tile = Image.fromarray(image).resize((tile_width, tile_h), Image.Resampling.LANCZOS)
        sheet.paste(tile, (x, y + LABEL_PX))
        draw.text((x + 4, y + 3), label, fill=(235, 235, 235), font=font)
    return sheet
