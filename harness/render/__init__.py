"""Renderers: scene graphs to camera frames (embedded Panda3D by default, CARLA on a GPU box).

Adding a renderer is one module in ``harness.render.backends`` that calls
``RENDERERS.register(name, RendererKind(name, summary, open))``.
"""

from harness.render._base import (
    RENDERERS,
    Frame,
    ObjectBox,
    Renderer,
    RendererKind,
    RendererUnavailable,
    RenderSettings,
    frame_times,
    open_renderer,
)

__all__ = [
    "RENDERERS",
    "Frame",
    "ObjectBox",
    "RenderSettings",
    "Renderer",
    "RendererKind",
    "RendererUnavailable",
    "frame_times",
    "open_renderer",
]
