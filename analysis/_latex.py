"""Plain text as LaTeX: escaping, and notes with their symbols typeset as math."""

from __future__ import annotations

DAGGER = "†"

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped (``right_turn`` -> ``right\\_turn``)."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def latex_note(note: str) -> str:
    """A plain-text note as LaTeX: escaped, with delta, <=, >= and the dagger as math."""
    text = latex_escape(note)
    for plain, math_text in (
        ("<=", r"$\le$"),
        (">=", r"$\ge$"),
        ("<", "$<$"),
        (">", "$>$"),
        ("|", r"$\mid$"),
        ("delta/K", r"$\delta/K$"),
        ("1 - delta", r"$1-\delta$"),
        (DAGGER, r"$^\dagger$"),
        ("–", "--"),
    ):
        text = text.replace(plain, math_text)
    return text
