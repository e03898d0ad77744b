"""One real frame to try corruptions on (the benchmark, the contact sheet, the tests)."""

from __future__ import annotations

from harness.perturb._perturbation import Image

SCENARIO = "right_turn"
CONDITION = "weather=ClearNoon,control=light_red"


def reference_frame(width: int = 800, height: int = 450) -> tuple[Image, int]:
    """A clear-noon right turn at a red light from the embedded renderer, and its scene seed.

    Opens a renderer (about a second), renders one frame and closes it.
    """
    from harness.render import RenderSettings, open_renderer
    from scenarios import get_scenario

    scene = get_scenario(SCENARIO).sample(CONDITION, 0, 0)
    renderer = open_renderer("embedded", RenderSettings(width=width, height=height))
    try:
        return renderer.render(scene)[0].image, scene.scene_seed
    finally:
        renderer.close()
