"""The renderer interface: settings, frames and the one-verb ``Renderer`` protocol."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from drivecert import DrivecertError, Registry, UsageError
from scenarios import SceneGraph


class RendererUnavailable(DrivecertError):
    """The renderer cannot go on for any scene (a server lost for good, a map that cannot
    hold the scenario): the run stops, keeping what it stored, instead of failing every
    sample one by one."""


@dataclass(frozen=True)
class RenderSettings:
    """How frames are made (recorded in every run directory).

    Attributes:
        width, height: image size in pixels.
        fov_deg: horizontal field of view.
        camera_x_m, camera_z_m: camera mount on the ego, forward of its centre and above
            the ground (Lumos's set-up: 1.5 m, 1.4 m).
        backend: ``auto`` (headless GL, else software with a warning), ``gl`` or
            ``software``; the CARLA renderer ignores it.
        server_host, server_port, server_timeout_s: where a server renderer (CARLA)
            listens and how long a call may take; the embedded renderer ignores them.
        town: the map a server renderer loads (None: the scenario's default).
    """

    width: int = 800
    height: int = 450
    fov_deg: float = 90.0
    camera_x_m: float = 1.5
    camera_z_m: float = 1.4
    backend: str = "auto"
    server_host: str = "127.0.0.1"
    server_port: int = 2000
    server_timeout_s: float = 10.0
    town: str | None = None

    def __post_init__(self) -> None:
        if not (16 <= self.width <= 8192 and 16 <= self.height <= 8192):
            raise UsageError(
                f"image size {self.width}x{self.height} is out of range; use 16..8192 pixels"
            )
        if not 10.0 <= self.fov_deg <= 170.0:
            raise UsageError(f"field of view {self.fov_deg} is out of range; use 10..170")
        if self.backend not in ("auto", "gl", "software"):
            raise UsageError(f"unknown GL backend {self.backend!r}; valid: auto, gl, software")
        if not 1 <= self.server_port <= 65535 or self.server_timeout_s <= 0:
            raise UsageError(
                f"server {self.server_host}:{self.server_port} with timeout "
                f"{self.server_timeout_s} s: use a port in 1..65535 and a timeout above 0"
            )

    @property
    def vertical_fov_deg(self) -> float:
        """Vertical field of view for square pixels."""
        half = math.tan(math.radians(self.fov_deg) / 2) * self.height / self.width
        return math.degrees(2 * math.atan(half))

    @property
    def focal_px(self) -> float:
        """Focal length in pixels."""
        return self.width / 2 / math.tan(math.radians(self.fov_deg) / 2)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class ObjectBox:
    """Where an object of the scene graph appears in a frame.

    Attributes:
        id: agent id, or ``control`` / ``lamp`` for the traffic control and lit lamp.
        kind: agent kind or control kind.
        box: (left, top, right, bottom) pixel bounds clipped to the image, or None when
            the object is out of view.
        depth_m: distance from the camera to the object's nearest corner.
    """

    id: str
    kind: str
    box: tuple[int, int, int, int] | None
    depth_m: float


@dataclass(frozen=True)
class Frame:
    """One rendered camera image.

    Attributes:
        image: (height, width, 3) uint8 RGB, row 0 at the top.
        time_s: time along the maneuver.
        objects: projected boxes of the scene's agents and control.
        renderer: renderer name and backend, e.g. ``embedded/gl``.
        meta: backend details (e.g. the GL driver string).
    """

    image: NDArray[np.uint8]
    time_s: float
    objects: tuple[ObjectBox, ...] = ()
    renderer: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def to_pil(self) -> Image.Image:
        """The frame as an RGB PIL image (same pixels, so the same ``pixel_sha256``)."""
        image = Image.fromarray(self.image)
        return image if image.mode == "RGB" else image.convert("RGB")

    def object(self, object_id: str) -> ObjectBox:
        """The projected box of ``object_id``."""
        for item in self.objects:
            if item.id == object_id:
                return item
        raise KeyError(object_id)


@runtime_checkable
class Renderer(Protocol):
    """Turns a scene into camera frames. One instance per process, reused across scenes."""

    name: str
    settings: RenderSettings

    def render(self, scene: SceneGraph, times: Sequence[float] = (0.0,)) -> list[Frame]:
        """Frames of ``scene`` at each time (seconds along the maneuver)."""
        ...

    def close(self) -> None:
        """Release the graphics context."""
        ...


def frame_times(frames: int, dt: float) -> tuple[float, ...]:
    """``frames`` instants ``dt`` seconds apart starting at 0 (a temporal sequence)."""
    if frames < 1 or dt < 0:
        raise UsageError(f"a sequence needs frames >= 1 and dt >= 0, got {frames}, {dt}")
    return tuple(round(k * dt, 9) for k in range(frames))


@dataclass(frozen=True)
class RendererKind:
    """One kind of renderer: its name, what it is, and how to open one.

    Attributes:
        name: the registry name (``--renderer``), e.g. ``embedded``.
        summary: one line for listings, e.g. "Panda3D offscreen, no server".
        open: builds a renderer from settings; cheap (the graphics context starts on
            the first frame).
    """

    name: str
    summary: str
    open: Callable[[RenderSettings], Renderer]


RENDERERS: Registry[RendererKind] = Registry(
    "renderer", RendererKind, discover="harness.render.backends"
)
"""Renderer kinds by name; each module of ``harness.render.backends`` registers one."""


def open_renderer(name: str = "embedded", settings: RenderSettings | None = None) -> Renderer:
    """A renderer by registry name (``embedded``, later ``carla``).

    Raises:
        UsageError: for an unknown name, with close matches and the valid names.
    """
    renderer = RENDERERS.get(name).open(settings or RenderSettings())
    if not isinstance(renderer, Renderer):
        raise DrivecertError(f"renderer {name!r} does not implement Renderer")
    return renderer
