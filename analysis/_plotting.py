"""What every figure shares: style, colours, text helpers and reproducible saving."""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from analysis._certificate import Certificate
from analysis._verdicts import ANY
from drivecert import UsageError, write_atomic

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType


Floats = NDArray[np.float64]
Key = tuple[str, str, str, str]  # (scenario, model, question, condition)

DPI = 150
#: Okabe-Ito colours (colour-blind safe), one per model in sorted order.
MODEL_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: Marker shape (and fill) per decision.
DECISION_MARKERS = {"safe": ("o", True), "undecided": ("D", False), "unsafe": ("^", True)}
EMPTY_COLOUR = "#e6e6e6"
THRESHOLD_COLOUR = "#b2182b"
STYLE: dict[RcKeyType, Any] = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "pdf.fonttype": 42,  # TrueType in the PDF: editable text, accepted by publishers
    "savefig.dpi": DPI,
}


@contextmanager
def figure_style() -> Iterator[None]:
    """Fixed rc settings while a figure is built and saved (independent of matplotlibrc)."""
    with mpl.rc_context(STYLE):
        yield


def save_figure(figure: Figure, out_dir: Path, name: str) -> list[Path]:
    """Save ``figure`` as ``name``.png (150 dpi) and ``name``.pdf, reproducibly; free it."""
    png, pdf = io.BytesIO(), io.BytesIO()
    with figure_style():
        figure.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        figure.savefig(
            pdf, format="pdf", metadata={"Creator": None, "Producer": None, "CreationDate": None}
        )
    figure.clear()
    return [
        write_atomic(out_dir / f"{name}.png", png.getvalue()),
        write_atomic(out_dir / f"{name}.pdf", pdf.getvalue()),
    ]


def pretty_spec(label: str) -> str:
    """``P(unsafe) <= 0.3`` -> ``P(unsafe) ≤ 0.3`` for figure text."""
    return label.replace("<=", "≤").replace(">=", "≥")


def confidence_text(certificates: Sequence[Certificate]) -> str:
    """``95% family-wise confidence`` from the certificates' delta, naming approximate methods.

    E.g. ``95% family-wise confidence (approximate: Wilson)`` for Wilson certificates.
    """
    deltas = sorted({c.delta for c in certificates})
    if len(deltas) != 1:
        text = "family-wise confidence " + ", ".join(f"{100 * (1 - d):g}%" for d in deltas)
    else:
        text = f"{round(100 * (1 - deltas[0]), 6):g}% family-wise confidence"
    approximate = sorted({c.method for c in certificates if c.approximate})
    if approximate:
        text += f" (approximate: {', '.join(m.capitalize() for m in approximate)})"
    return text


def cell_parts(scenario: str, question: str, condition: str) -> list[str]:
    """What names a cell in a figure: scenario, question (left out when ``any``: the verdicts
    had no question column) and condition."""
    return [scenario, condition] if question == ANY else [scenario, question, condition]


def wrap_label(text: str, width: int = 12) -> str:
    """Break a long label after ``_``, ``-``, ``,`` or a space into lines of about ``width``."""
    tokens = re.findall(r"[^_\-,\s]+[_\-,\s]?|[_\-,\s]", text)
    lines: list[str] = []
    for token in tokens:
        if lines and len(lines[-1]) + len(token.rstrip()) <= width:
            lines[-1] += token
        else:
            lines.append(token)
    return "\n".join(line.rstrip() for line in lines)


def wrap_name(text: str, width: int) -> str:
    """Wrap a long name (a model id or spec) into lines of at most ``width`` characters.

    Breaks after ``/ ? & : = , _ -`` or a space where it can, and inside a run of
    characters longer than ``width`` where it must, so no line overflows its panel.
    """
    width = max(width, 4)
    tokens = re.findall(r"[^/?&:=,_\-\s]*[/?&:=,_\-\s]?", text)
    lines: list[str] = [""]
    for token in filter(None, tokens):
        while len(token) > width:  # a run with no break: cut it
            room = width - len(lines[-1])
            if room <= 0:
                lines.append("")
                continue
            lines[-1] += token[:room]
            token = token[room:]
            lines.append("")
        if len(lines[-1]) + len(token.rstrip()) > width and lines[-1]:
            lines.append("")
        lines[-1] += token
    return "\n".join(line.rstrip() for line in lines if line.strip())


def set_title(figure: Figure, *lines: str) -> None:
    """A figure title, each line wrapped to the figure's width."""
    chars = max(30, int(figure.get_figwidth() * 12.5))  # ~ characters per line at 10 pt
    wrapped = [textwrap.fill(line, chars, break_on_hyphens=False) for line in lines]
    figure.suptitle("\n".join(wrapped))


def round_up(value: float, decimals: int = 2) -> float:
    """Round an upper bound up (never understate it)."""
    scale = 10.0**decimals
    return math.ceil(value * scale - 1e-9) / scale


def text_colour(rgba: tuple[float, float, float, float]) -> str:
    luminance = 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2]
    return "black" if luminance > 0.45 else "white"


def check_certificates(certificates: Sequence[Certificate]) -> None:
    if not certificates:
        raise UsageError("no certificates to plot; certify a verdicts table first")
