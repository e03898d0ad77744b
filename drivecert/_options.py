"""Option values read from spec strings (``scripted:noisy?error=0.1``)."""

from __future__ import annotations

from drivecert._errors import UsageError


def probability_option(name: str, text: str, where: str, hint: str = "") -> float:
    """``text`` as a probability in [0, 1].

    Raises:
        UsageError: ``name=text in where is not a probability in [0, 1]`` (then ``hint``).
    """
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        tail = f"; {hint}" if hint else ""
        raise UsageError(f"{name}={text!r} in {where} is not a probability in [0, 1]{tail}")
    return value
