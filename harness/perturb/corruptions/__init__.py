"""Corruptions; every module here registers itself in ``PERTURBATIONS``."""
