"""``embedded``: the Panda3D offscreen renderer (no server)."""

from harness.render._base import RENDERERS, RendererKind
from harness.render._embedded import EmbeddedRenderer

RENDERERS.register(
    "embedded",
    RendererKind(
        "embedded",
        "Panda3D offscreen, no server (EGL: NVIDIA on a GPU box, else Mesa llvmpipe)",
        EmbeddedRenderer,
    ),
)
