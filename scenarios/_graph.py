"""Graph primitives of the scenario language: labelled nodes, labelled edges, queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from drivecert import DrivecertError

Direction = Literal["out", "in", "both"]


@dataclass(frozen=True)
class Node:
    """A labelled node.

    Attributes:
        id: unique name in its graph, e.g. ``"right_turn"``.
        label: the node's type, e.g. ``"maneuver"``.
        attrs: read-only attributes, e.g. ``{"exit": "right"}``.
    """

    id: str
    label: str
    attrs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not self.id or not self.label:
            raise DrivecertError(f"a node needs an id and a label, got {self.id!r}/{self.label!r}")
        object.__setattr__(self, "attrs", MappingProxyType(dict(self.attrs)))

    def __getitem__(self, key: str) -> Any:
        return self.attrs[key]

    def __hash__(self) -> int:
        return hash((self.id, self.label))


@dataclass(frozen=True)
class Edge:
    """A labelled, directed edge ``src --label--> dst`` with optional attributes."""

    src: str
    dst: str
    label: str
    attrs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "attrs", MappingProxyType(dict(self.attrs)))

    def __hash__(self) -> int:
        return hash((self.src, self.dst, self.label))


class Graph:
    """A directed multigraph of labelled nodes and edges.

    Node order is insertion order, so every query returns nodes in a stable order (which
    keeps sampling over node sets deterministic).
    """

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._out: dict[str, list[Edge]] = {}
        self._in: dict[str, list[Edge]] = {}

    # construction -------------------------------------------------------------------
    def add_node(self, id: str, label: str, /, **attrs: Any) -> Node:
        """Add a node; re-adding an identical node is a no-op, a different one an error."""
        node = Node(id, label, attrs)
        existing = self._nodes.get(id)
        if existing is not None:
            if existing.label != label or dict(existing.attrs) != dict(node.attrs):
                raise DrivecertError(f"node {id!r} already exists with other label or attributes")
            return existing
        self._nodes[id] = node
        self._out[id] = []
        self._in[id] = []
        return node

    def add_edge(self, src: str, dst: str, label: str, /, **attrs: Any) -> Edge:
        """Add ``src --label--> dst``; both nodes must exist."""
        for end in (src, dst):
            if end not in self._nodes:
                raise DrivecertError(f"edge {src}-{label}->{dst}: no node {end!r}; add it first")
        edge = Edge(src, dst, label, attrs)
        if edge not in self._out[src]:
            self._out[src].append(edge)
            self._in[dst].append(edge)
        return edge

    def union(self, other: Graph) -> Graph:
        """A new graph holding the nodes and edges of both (shared ids must agree)."""
        merged = Graph()
        for graph in (self, other):
            for node in graph.nodes():
                merged.add_node(node.id, node.label, **node.attrs)
        for graph in (self, other):
            for edge in graph.edges():
                merged.add_edge(edge.src, edge.dst, edge.label, **edge.attrs)
        return merged

    # queries -------------------------------------------------------------------------
    def node(self, id: str) -> Node:
        """The node with this id; an unknown id names the valid ones of close labels."""
        try:
            return self._nodes[id]
        except KeyError:
            raise DrivecertError(
                f"no node {id!r} in graph; nodes: {', '.join(self._nodes)}"
            ) from None

    def __contains__(self, id: object) -> bool:
        return id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def nodes(self, label: str | None = None, **attrs: Any) -> list[Node]:
        """Nodes, optionally only those with ``label`` and matching attribute values."""
        return [
            n
            for n in self._nodes.values()
            if (label is None or n.label == label)
            and all(n.attrs.get(k) == v for k, v in attrs.items())
        ]

    def ids(self, label: str | None = None, **attrs: Any) -> list[str]:
        """Ids of :meth:`nodes` with the same filters."""
        return [n.id for n in self.nodes(label, **attrs)]

    def edges(self, label: str | None = None) -> Iterator[Edge]:
        """Every edge, optionally only those with ``label``."""
        for out in self._out.values():
            for edge in out:
                if label is None or edge.label == label:
                    yield edge

    def neighbours(
        self,
        id: str,
        edge_label: str | None = None,
        direction: Direction = "out",
        node_label: str | None = None,
    ) -> list[Node]:
        """Nodes one edge away from ``id``.

        Args:
            id: the node to start from.
            edge_label: follow only edges with this label.
            direction: ``"out"`` follows src->dst, ``"in"`` dst->src, ``"both"`` either.
            node_label: keep only neighbours with this label.
        """
        self.node(id)
        found: dict[str, Node] = {}
        if direction in ("out", "both"):
            for edge in self._out[id]:
                if edge_label is None or edge.label == edge_label:
                    found.setdefault(edge.dst, self._nodes[edge.dst])
        if direction in ("in", "both"):
            for edge in self._in[id]:
                if edge_label is None or edge.label == edge_label:
                    found.setdefault(edge.src, self._nodes[edge.src])
        return [n for n in found.values() if node_label is None or n.label == node_label]

    def has_edge(self, src: str, dst: str, label: str | None = None) -> bool:
        """Whether ``src --label--> dst`` exists (any label when ``label`` is None)."""
        return any(
            e.dst == dst and (label is None or e.label == label) for e in self._out.get(src, [])
        )

    def subgraph(self, ids: Iterable[str]) -> Graph:
        """The induced subgraph on ``ids``."""
        keep = list(dict.fromkeys(ids))
        sub = Graph()
        for id in keep:
            node = self.node(id)
            sub.add_node(node.id, node.label, **node.attrs)
        for edge in self.edges():
            if edge.src in sub and edge.dst in sub:
                sub.add_edge(edge.src, edge.dst, edge.label, **edge.attrs)
        return sub
