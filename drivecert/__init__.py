"""drivecert core: the pieces every layer shares (errors, seeding, registries, the answer
vocabulary, the pixel hash and atomic file writes).

The four layers (``scenarios``, ``models``, ``analysis`` and ``harness`` on top) import
from here and from nothing else below them.
"""

from drivecert._answers import ACTION_CHOICES_TEXT, ACTION_OPTIONS, ANSWERS, AnswerKind
from drivecert._errors import DrivecertError, UsageError, one_line
from drivecert._files import atomic_text, publish, write_atomic
from drivecert._jsonl import json_lines
from drivecert._options import probability_option
from drivecert._pixels import pixel_sha256
from drivecert._registry import Registry, did_you_mean
from drivecert._seeding import derive_seed, derive_uniform

__version__ = "0.1.0"

__all__ = [
    "ACTION_CHOICES_TEXT",
    "ACTION_OPTIONS",
    "ANSWERS",
    "AnswerKind",
    "DrivecertError",
    "Registry",
    "UsageError",
    "__version__",
    "atomic_text",
    "derive_seed",
    "derive_uniform",
    "did_you_mean",
    "json_lines",
    "one_line",
    "pixel_sha256",
    "probability_option",
    "publish",
    "write_atomic",
]
