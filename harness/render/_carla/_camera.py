"""The ego camera in CARLA: where it is, its pixels, and boxes of the actors it sees.

Boxes are projected like the embedded renderer's: a pinhole camera with the run's field
of view, CARLA's camera frame (x forward, y right, z up) mapped to pixels as
u = f y / x + w / 2 and v = -f z / x + h / 2, clipped to the image.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from harness.render._base import ObjectBox, RenderSettings


def camera_transform(carla: Any, ego: Any, settings: RenderSettings) -> Any:
    """The camera's world transform: mounted on the ego at (camera_x_m, 0, camera_z_m)."""
    mount = ego.transform(carla.Location(x=settings.camera_x_m, z=settings.camera_z_m))
    return carla.Transform(carla.Location(x=mount.x, y=mount.y, z=mount.z), ego.rotation)


def camera_mount(carla: Any, settings: RenderSettings) -> Any:
    """The camera's transform relative to the ego (for ``attach_to``)."""
    return carla.Transform(carla.Location(x=settings.camera_x_m, z=settings.camera_z_m))


def rgb(image: Any) -> NDArray[np.uint8]:
    """An image's BGRA bytes as an (h, w, 3) RGB array."""
    pixels = np.frombuffer(bytes(image.raw_data), dtype=np.uint8)
    bgra = pixels.reshape((int(image.height), int(image.width), 4))
    return np.ascontiguousarray(bgra[:, :, 2::-1])


def project_box(
    vertices: Sequence[Any], camera: Any, settings: RenderSettings
) -> tuple[tuple[int, int, int, int] | None, float]:
    """(pixel box, depth) of a 3-D box's world vertices seen from ``camera``; the box is None
    when it is behind the camera or out of the image."""
    inverse = np.array(camera.get_inverse_matrix(), dtype=np.float64)
    points = np.array([[v.x, v.y, v.z, 1.0] for v in vertices], dtype=np.float64)
    local = points @ inverse.T  # x forward, y right, z up
    depth = float(np.sqrt((local[:, :3] ** 2).sum(axis=1)).min())
    front = local[local[:, 0] > 0.1]
    if front.size == 0:
        return None, depth
    focal = settings.width / (2.0 * math.tan(math.radians(settings.fov_deg) / 2.0))
    u = focal * front[:, 1] / front[:, 0] + settings.width / 2.0
    v = -focal * front[:, 2] / front[:, 0] + settings.height / 2.0
    left, right = max(0.0, u.min()), min(settings.width - 1.0, u.max())
    top, bottom = max(0.0, v.min()), min(settings.height - 1.0, v.max())
    if left >= right or top >= bottom:
        return None, depth
    return (int(left), int(top), math.ceil(right), math.ceil(bottom)), depth


def object_boxes(
    actors: Sequence[tuple[str, str, Any]], camera: Any, settings: RenderSettings
) -> tuple[ObjectBox, ...]:
    """An ObjectBox per (id, kind, actor)."""
    boxes = []
    for object_id, kind, actor in actors:
        vertices = actor.bounding_box.get_world_vertices(actor.get_transform())
        box, depth = project_box(vertices, camera, settings)
        boxes.append(ObjectBox(object_id, kind, box, depth))
    return tuple(boxes)
