"""drivecert core: the pieces every layer shares (errors, seeding, registries).

The four layers (``scenarios``, ``models``, ``analysis`` and ``harness`` on top) import
from here and from nothing else below them.
"""

from drivecert._errors import DrivecertError, UsageError
from drivecert._registry import Registry, did_you_mean
from drivecert._seeding import derive_seed

__version__ = "0.1.0"

__all__ = ["DrivecertError", "Registry", "UsageError", "__version__", "derive_seed", "did_you_mean"]
