"""Camera corruptions of rendered frames (DriveBench's set): fog, rain, blur, JPEG, ...

Adding one is one module in ``harness.perturb.corruptions`` that calls
``PERTURBATIONS.register(name, Perturbation(name, summary, apply))``.
"""

from harness.perturb._perturbation import (
    NO_CORRUPTION,
    PERTURBATIONS,
    SEVERITIES,
    Corruption,
    Image,
    Perturbation,
    corruption_names,
    perturb,
)
from harness.perturb._reference import reference_frame

__all__ = [
    "NO_CORRUPTION",
    "PERTURBATIONS",
    "SEVERITIES",
    "Corruption",
    "Image",
    "Perturbation",
    "corruption_names",
    "perturb",
    "reference_frame",
]
