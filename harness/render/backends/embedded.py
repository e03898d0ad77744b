"""``embedded``: the Panda3D offscreen renderer (no server)."""

from harness.render._base import RENDERERS
from harness.render._embedded import EmbeddedRenderer

RENDERERS.register("embedded", EmbeddedRenderer)
