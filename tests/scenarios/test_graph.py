"""Graph primitives: nodes, labelled edges, neighbour queries, union, subgraph."""

import pytest

from drivecert import DrivecertError
from scenarios import Graph


def small_graph() -> Graph:
    g = Graph()
    g.add_node("four_way", "road_layout", junction=True)
    g.add_node("straight_road", "road_layout", junction=False)
    g.add_node("right_turn", "maneuver")
    g.add_node("straight", "maneuver")
    g.add_edge("four_way", "right_turn", "permits")
    g.add_edge("four_way", "straight", "permits")
    g.add_edge("straight_road", "straight", "permits")
    return g


def test_nodes_filter_by_label_and_attribute() -> None:
    g = small_graph()
    assert g.ids("road_layout") == ["four_way", "straight_road"]
    assert g.ids("road_layout", junction=True) == ["four_way"]
    assert g.node("four_way")["junction"] is True
    assert len(g) == 4


def test_neighbours_follow_direction_and_labels() -> None:
    g = small_graph()
    assert [n.id for n in g.neighbours("four_way", "permits")] == ["right_turn", "straight"]
    assert [n.id for n in g.neighbours("straight", "permits", direction="in")] == [
        "four_way",
        "straight_road",
    ]
    assert g.neighbours("four_way", "blocks") == []
    assert [n.id for n in g.neighbours("straight", direction="both", node_label="road_layout")] == [
        "four_way",
        "straight_road",
    ]
    assert g.has_edge("four_way", "right_turn", "permits")
    assert not g.has_edge("straight_road", "right_turn")


def test_union_merges_and_rejects_conflicts() -> None:
    g = small_graph()
    h = Graph()
    h.add_node("right_turn", "maneuver")
    h.add_node("t_junction", "road_layout", junction=True)
    h.add_edge("t_junction", "right_turn", "permits")
    merged = g.union(h)
    assert [n.id for n in merged.neighbours("right_turn", "permits", direction="in")] == [
        "four_way",
        "t_junction",
    ]
    assert len(g) == 4  # inputs untouched
    clash = Graph()
    clash.add_node("right_turn", "weather")
    with pytest.raises(DrivecertError, match="already exists"):
        g.union(clash)


def test_bad_edges_and_unknown_nodes_are_errors() -> None:
    g = small_graph()
    with pytest.raises(DrivecertError, match="no node 'nowhere'"):
        g.add_edge("four_way", "nowhere", "permits")
    with pytest.raises(DrivecertError, match="no node 'ghost'"):
        g.node("ghost")


def test_subgraph_keeps_induced_edges() -> None:
    sub = small_graph().subgraph(["four_way", "right_turn"])
    assert sub.ids() == ["four_way", "right_turn"]
    assert [(e.src, e.dst) for e in sub.edges()] == [("four_way", "right_turn")]
