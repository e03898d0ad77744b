"""Low-poly traffic participants: fit their AGENT_SHAPES box, colours, lamps, determinism."""

import numpy as np
import pytest

from drivecert import DrivecertError
from harness.render import _agents
from harness.render._agents import AgentModel, agent_model
from harness.render._mesh import Mesh
from scenarios import AGENT_KINDS, AGENT_SHAPES

VEHICLES = [k for k in AGENT_KINDS if AGENT_SHAPES[k][0] == "vehicle"]
TOLERANCE = 0.01


def combined(model: AgentModel) -> Mesh:
    return Mesh().extend(model.lit).extend(model.glow)


def colour_set(mesh: Mesh) -> set[tuple[int, ...]]:
    return {tuple(c) for c in mesh.arrays()[2].tolist()}


@pytest.mark.parametrize("variant", [0, 1, 5, 23])
@pytest.mark.parametrize("kind", AGENT_KINDS)
def test_model_fits_and_fills_its_agent_box(kind: str, variant: int) -> None:
    _, length, width, height, _ = AGENT_SHAPES[kind]
    model = agent_model(kind, variant)
    assert not model.lit.is_empty
    lo, hi = combined(model).bounds()
    box_lo = np.array([-width / 2, -length / 2, 0.0])
    box_hi = np.array([width / 2, length / 2, height])
    assert np.all(lo >= box_lo - TOLERANCE), (lo, box_lo)
    assert np.all(hi <= box_hi + TOLERANCE), (hi, box_hi)
    fill = (hi - lo) / (box_hi - box_lo)
    assert np.all(fill >= 0.7), fill


@pytest.mark.parametrize("kind", AGENT_KINDS)
def test_triangles_wind_counter_clockwise_around_their_normals(kind: str) -> None:
    pos, nrm, _, tris = combined(agent_model(kind, 0)).arrays()
    cross = np.cross(pos[tris[:, 1]] - pos[tris[:, 0]], pos[tris[:, 2]] - pos[tris[:, 0]])
    assert np.all(np.einsum("ij,ij->i", cross, nrm[tris[:, 0]]) >= -1e-9)


@pytest.mark.parametrize(("kind", "count"), [("car", 8), ("pedestrian", 6)])
def test_variants_give_different_colours(kind: str, count: int) -> None:
    palettes = [frozenset(colour_set(agent_model(kind, v).lit)) for v in range(count)]
    assert len(set(palettes)) == count


def test_variant_wraps_around_the_palette() -> None:
    assert agent_model("car", 3) is agent_model("car", 3 + 8)


@pytest.mark.parametrize("kind", AGENT_KINDS)
def test_same_kind_and_variant_builds_identical_meshes(kind: str) -> None:
    def arrays() -> list[np.ndarray]:
        model = agent_model(kind, 2)
        return [a.copy() for mesh in (model.lit, model.glow) for a in mesh.arrays()]

    first = arrays()
    _agents._cached.cache_clear()  # build afresh
    again = arrays()
    assert len(first) == len(again)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_unknown_kind_names_the_valid_kinds() -> None:
    with pytest.raises(DrivecertError) as info:
        agent_model("tram", 0)
    message = str(info.value)
    assert "\n" not in message
    assert "tram" in message
    for kind in AGENT_KINDS:
        assert kind in message


@pytest.mark.parametrize("kind", VEHICLES)
def test_vehicles_have_red_tail_lights_behind_and_bright_lamps_in_front(kind: str) -> None:
    glow = agent_model(kind, 0).glow
    assert not glow.is_empty
    pos, _, col, _ = glow.arrays()
    rgb = col[:, :3].astype(int)
    red = (rgb[:, 0] > 200) & (rgb[:, 1] < 60) & (rgb[:, 2] < 60)
    bright = np.all(rgb > 190, axis=1)
    assert red.any() and np.all(pos[red, 1] < 0)
    assert bright.any() and np.all(pos[bright, 1] > 0)


@pytest.mark.parametrize("variant", range(8))
def test_pedestrian_colours_stand_out_from_asphalt_grey(variant: int) -> None:
    model = agent_model("pedestrian", variant)
    for colour in colour_set(model.lit):
        r, g, b = colour[:3]
        neutral = max(r, g, b) - min(r, g, b) < 25
        assert not (neutral and 45 <= (r + g + b) / 3 <= 120), colour


def test_pedestrian_looks_human() -> None:
    pos, _, col, _ = agent_model("pedestrian", 0).lit.arrays()
    skin = np.all(col[:, :3] == np.round(np.array(_agents.PEOPLE[0][2]) * 255), axis=1)
    assert pos[skin, 2].max() > 1.6  # a face at the top
    assert pos[skin, 2].min() < 1.0  # hands hanging at the sides
