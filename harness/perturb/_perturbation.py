"""Camera corruptions as an extension point: a clean frame in, a corrupted frame out.

Each corruption is one file in ``harness/perturb/corruptions/`` that registers a
:class:`Perturbation` in :data:`PERTURBATIONS`; nothing else lists them. The set follows
DriveBench (arXiv 2501.04003): lighting, weather, lens, motion, sensor and transmission
corruptions at severities 1..5, plus two "no image" controls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from drivecert import DrivecertError, Registry, UsageError, derive_seed, did_you_mean
from scenarios import CORRUPTION, NO_CORRUPTION, SEVERITY, Condition, observation

Image = NDArray[np.uint8]
"""An (height, width, 3) uint8 RGB frame."""

SEVERITIES = range(1, 6)


@dataclass(frozen=True)
class Perturbation:
    """One registered corruption.

    Attributes:
        name: the registry name (``--corruption``), e.g. ``fog``.
        summary: one line on what it simulates.
        apply: ``(image, severity, rng) -> image``; returns a new array of the same shape
            and dtype and never writes to ``image`` (which :func:`perturb` passes read-only).
        seeded: whether ``apply`` draws from ``rng`` (False: the same for every seed).
    """

    name: str
    summary: str
    apply: Callable[[Image, int, np.random.Generator], Image]
    seeded: bool = True


PERTURBATIONS: Registry[Perturbation] = Registry(
    "corruption", Perturbation, discover="harness.perturb.corruptions"
)
"""Corruptions by name; each module of ``harness.perturb.corruptions`` registers one."""


def corruption_names() -> list[str]:
    """Every registered corruption, sorted (``none`` is not one of them)."""
    return PERTURBATIONS.names()


@dataclass(frozen=True)
class Corruption:
    """A corruption at a severity: what a corrupted frame records beside its pixels.

    Attributes:
        name: a registered corruption, or ``none`` for the clean frame.
        severity: 1 (mild) to 5 (severe); the no-image controls accept and ignore it.
    """

    name: str = NO_CORRUPTION
    severity: int = 1

    def __post_init__(self) -> None:
        if self.name != NO_CORRUPTION and self.name not in PERTURBATIONS:
            valid = ", ".join([NO_CORRUPTION, *corruption_names()])
            raise UsageError(
                f"unknown corruption {self.name!r}"
                f"{did_you_mean(self.name, corruption_names())}; valid: {valid}"
            )
        if isinstance(self.severity, bool) or self.severity not in SEVERITIES:
            raise UsageError(f"corruption severity {self.severity!r} is out of range; use 1..5")

    def apply(self, image: Image, seed: int) -> Image:
        """The corrupted frame; the same (image, seed) gives the same bytes.

        The corruption's generator is seeded by ``derive_seed(seed, name, severity)``.
        ``none`` returns ``image`` itself.

        Raises:
            UsageError: when ``image`` is not an (height, width, 3) uint8 array.
        """
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise UsageError(
                f"a corruption takes an (height, width, 3) uint8 RGB image, got shape "
                f"{image.shape} of {image.dtype}"
            )
        if self.name == NO_CORRUPTION:
            return image
        frozen = image.view()
        frozen.flags.writeable = False  # a corruption that writes to its input fails loudly
        rng = np.random.default_rng(derive_seed(seed, self.name, self.severity))
        out = PERTURBATIONS.get(self.name).apply(frozen, self.severity, rng)
        if out.shape != image.shape or out.dtype != np.uint8 or np.may_share_memory(out, image):
            raise DrivecertError(
                f"corruption {self.name!r} must return a new {image.shape} uint8 image, got "
                f"{out.shape} of {out.dtype}"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def corruption_of(condition: Condition) -> Corruption:
    """The camera corruption a condition fixes (``corruption=fog,severity=3``; ``none``
    for a clean condition).

    Raises:
        UsageError: one line naming an unknown corruption and the valid ones.
    """
    values = observation(condition)
    return Corruption(values.get(CORRUPTION, NO_CORRUPTION), int(values.get(SEVERITY, "1")))


def perturb(image: Image, name: str, severity: int, seed: int) -> Image:
    """``image`` under corruption ``name`` at ``severity`` (1..5), deterministic in ``seed``.

    Args:
        image: an (height, width, 3) uint8 RGB frame; it is not modified.
        name: a name from :func:`corruption_names`, or ``none`` (returns ``image``).
        severity: 1 (mild) to 5 (severe).
        seed: any integer; the same seed gives the same bytes.

    Raises:
        UsageError: one line naming an unknown corruption (with the valid ones), a severity
            outside 1..5, or an image that is not HxWx3 uint8.
    """
    return Corruption(name, severity).apply(image, seed)
