"""``carla``: scenes realised in a CARLA 0.9.15/0.9.16 server (the client is imported lazily)."""

from typing import Any

from harness.render._base import RENDERERS, RendererKind, RenderSettings


def _open(settings: RenderSettings) -> Any:
    from harness.render._carla._renderer import open_carla

    return open_carla(settings)


RENDERERS.register(
    "carla",
    RendererKind(
        "carla",
        "a CARLA server (scripts/start_carla.sh); the scene graph on a real map",
        _open,
    ),
)
