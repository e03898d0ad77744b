"""Reply trees: the completed replies of a bounded search, and sound bounds from them.

A :class:`ReplyTree` holds replies whose probabilities under the decoding are known exactly
and the mass of every reply not completed (``unexplored``). For any event on reply texts,
its probability lies in ``[lower, lower + unexplored]`` (:meth:`ReplyTree.bounds`): the
completed replies in the event count for sure, and the unexplored mass may or may not be
in it. How the search runs is in :mod:`models._reply_tree`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from drivecert import UsageError, one_line
from models._types import Decoding, Status, check_known_fields, check_status

_TOLERANCE = 1e-6


@dataclass(frozen=True)
class TreeBudget:
    """How much a reply tree may cost.

    Attributes:
        tokens: model steps: each expanded prefix costs one (its next-token distribution).
        branches: the most completed replies kept, and the most children pushed per
            expansion (the most probable ones; the rest stay unexplored).
    """

    tokens: int = 256
    branches: int = 64

    def __post_init__(self) -> None:
        for name in ("tokens", "branches"):
            if getattr(self, name) < 1:
                raise UsageError(f"tree budget {name}={getattr(self, name)} must be at least 1")


@dataclass(frozen=True)
class ReplyBranch:
    """One completed reply.

    Attributes:
        text: the reply exactly as the backend's ``generate`` returns it for its tokens.
        probability: the product of its tokens' probabilities under the decoding (summed
            over the token sequences that give this text).
        finished: whether it ended with an end-of-sequence token (False: cut at
            ``max_new_tokens``; merged sequences: whether any of them ended so).
    """

    text: str
    probability: float
    finished: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"text": self.text, "probability": self.probability, "finished": self.finished}


@dataclass(frozen=True)
class ReplyTree:
    """A query's completed replies and the mass left unexplored.

    Like a :class:`Response`, a failed query gets a record with ``status="failed"`` and a
    one-line ``error``; it has no branches and ``unexplored == 1`` (its bounds are [0, 1]).

    Attributes:
        branches: completed replies, most probable first, each text once.
        unexplored: 1 - the branches' total probability: the mass of replies not completed.
        expanded: model steps spent.
        model, revision, decoding, latency_s, status, error: as in :class:`Response`.
    """

    branches: tuple[ReplyBranch, ...]
    unexplored: float
    expanded: int
    model: str
    revision: str
    decoding: Mapping[str, Any]
    latency_s: float
    status: Status = "ok"
    error: str | None = None

    def __post_init__(self) -> None:
        check_status(self.status, self.error, "reply tree", "ReplyTree.failure")
        if self.expanded < 0:
            raise UsageError(f"reply tree expanded={self.expanded} must be 0 or more")
        if not 0 <= self.unexplored <= 1:
            raise UsageError(f"reply tree unexplored={self.unexplored} must be in [0, 1]")
        chances = [b.probability for b in self.branches]
        if any(not 0 <= p <= 1 for p in chances):
            raise UsageError(f"reply tree branch probabilities {chances} must each be in [0, 1]")
        if chances != sorted(chances, reverse=True):
            raise UsageError("reply tree branches must be most probable first; sort them")
        if len({b.text for b in self.branches}) < len(self.branches):
            raise UsageError("reply tree branches repeat a text; merge equal texts")
        if abs(sum(chances) + self.unexplored - 1) > _TOLERANCE:
            raise UsageError(
                f"reply tree branches sum to {sum(chances)} and unexplored is "
                f"{self.unexplored}; together they must make 1"
            )

    @classmethod
    def failure(
        cls,
        model: str,
        revision: str,
        decoding: Decoding | Mapping[str, Any],
        error: str | BaseException,
        latency_s: float = 0.0,
        expanded: int = 0,
    ) -> ReplyTree:
        """A failed tree: no branches, everything unexplored, and ``error`` made one line."""
        settings = decoding.to_dict() if isinstance(decoding, Decoding) else dict(decoding)
        return cls(
            (), 1.0, expanded, model, revision, settings, latency_s, "failed", one_line(error)
        )

    @property
    def ok(self) -> bool:
        """Whether the model answered."""
        return self.status == "ok"

    def bounds(self, is_event: Callable[[str], bool]) -> tuple[float, float]:
        """Sound bounds on the probability that a reply is in the event.

        Returns:
            ``(lower, upper)``: the completed replies in the event, and that plus the
            unexplored mass, both clipped to [0, 1].
        """
        lower = sum(b.probability for b in self.branches if is_event(b.text))
        lower = min(max(lower, 0.0), 1.0)
        return lower, min(lower + self.unexplored, 1.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["branches"] = [b.to_dict() for b in self.branches]
        out["decoding"] = dict(self.decoding)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReplyTree:
        """Inverse of :meth:`to_dict`."""
        check_known_fields(cls, data, "reply tree")
        branches = tuple(ReplyBranch(**b) for b in data.get("branches", ()))
        return cls(**{**data, "branches": branches})
