"""Camera corruptions of rendered frames (DriveBench's set): fog, rain, blur, JPEG, ...

Adding one is one module in ``harness.perturb.corruptions`` that calls
``PERTURBATIONS.register(name, Perturbation(name, summary, apply))``.
"""

from harness.perturb._perturbation import (
    PERTURBATIONS,
    SEVERITIES,
    Corruption,
    Image,
    Perturbation,
    corruption_names,
    corruption_of,
    perturb,
)
from harness.perturb._reference import reference_frame
from scenarios import NO_CORRUPTION

__all__ = [
    "NO_CORRUPTION",
    "PERTURBATIONS",
    "SEVERITIES",
    "Corruption",
    "Image",
    "Perturbation",
    "corruption_names",
    "corruption_of",
    "perturb",
    "reference_frame",
]
