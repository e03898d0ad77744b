"""Contact sheet of every camera corruption: docs/corruptions.png.

Renders one embedded-renderer frame (a clear-noon right turn at a red light) and lays
out the clean frame, then each corruption at severities 1, 3 and 5, one row each.

    .venv/bin/python scripts/corruption_sheet.py [--out docs/corruptions.png]
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np

from drivecert import write_atomic
from harness.perturb import corruption_names, perturb, reference_frame
from harness.render._sheet import contact_sheet

SEVERITIES = (1, 3, 5)
TILE_WIDTH = 296


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/corruptions.png"))
    args = parser.parse_args()
    clean, seed = reference_frame()
    blank = np.full_like(clean, 24)  # the sheet's background: the clean row has one tile
    images, labels = [clean, blank, blank], ["clean", "", ""]
    for name in corruption_names():
        for severity in SEVERITIES:
            images.append(perturb(clean, name, severity, seed))
            labels.append(f"{name}, severity {severity}")
    sheet = contact_sheet(images, labels, columns=len(SEVERITIES), tile_width=TILE_WIDTH)
    buffer = io.BytesIO()
    sheet.save(buffer, "PNG", optimize=True)
    path = write_atomic(args.out, buffer.getvalue())
    print(f"{path}: {sheet.size[0]}x{sheet.size[1]}, {len(buffer.getvalue()) / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
