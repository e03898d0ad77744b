"""Pinhole projection of world points into the ego camera, for frame annotations."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from harness.render._base import RenderSettings
from harness.render._layout import Pose

DEFAULT_CAMERA_X_M = 1.5
"""Scene distances are measured from a camera at this mount; others shift the view."""


def camera_position(pose: Pose, settings: RenderSettings) -> tuple[float, float, float]:
    """World position of the camera for the ego reference pose ``pose``."""
    fx, fy = pose.forward()
    shift = settings.camera_x_m - DEFAULT_CAMERA_X_M
    return pose.x + fx * shift, pose.y + fy * shift, settings.camera_z_m


def project(
    points: Sequence[tuple[float, float, float]], pose: Pose, settings: RenderSettings
) -> tuple[np.ndarray, np.ndarray]:
    """(pixel (u, v) per point, depth along the view axis per point)."""
    pts = np.asarray(points, np.float64)
    cx, cy, cz = camera_position(pose, settings)
    a = math.radians(pose.yaw_deg)
    forward = np.array([-math.sin(a), math.cos(a)])
    right = np.array([math.cos(a), math.sin(a)])
    d = pts[:, :2] - np.array([cx, cy])
    depth = d @ forward
    lateral = d @ right
    up = pts[:, 2] - cz
    f = settings.focal_px
    with np.errstate(divide="ignore", invalid="ignore"):
        u = settings.width / 2 + f * lateral / depth
        v = settings.height / 2 - f * up / depth
    return np.stack([u, v], 1), depth


def box_of(
    points: Sequence[tuple[float, float, float]], pose: Pose, settings: RenderSettings
) -> tuple[tuple[int, int, int, int] | None, float]:
    """Clipped pixel bounds of a 3D point set (None when out of view) and its min depth."""
    uv, depth = project(points, pose, settings)
    near = depth > 0.05
    nearest = float(depth.min())
    if not near.any():
        return None, nearest
    if not near.all():  # partly behind the camera: it reaches the image border
        uv = uv[near]
    left, top = np.floor(uv.min(axis=0))
    right, bottom = np.ceil(uv.max(axis=0))
    box = (
        int(max(left, 0)),
        int(max(top, 0)),
        int(min(right, settings.width)),
        int(min(bottom, settings.height)),
    )
    if box[0] >= box[2] or box[1] >= box[3]:
        return None, nearest
    return box, nearest
