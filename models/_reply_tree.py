"""Best-first search over reply prefixes: sound probability bounds for free-form replies.

After BEAVER (arXiv 2512.05439). Decoding defines a distribution over token sequences:
each next token is drawn from the model's next-token distribution after the prompt and
the tokens so far (temperature, top-p and suppressed tokens applied as ``generate``
applies them), and a reply ends at an end-of-sequence token or after ``max_new_tokens``.
:func:`search` explores that tree of prefixes without a model of its own; the backend
gives ``next_tokens``: for a batch of prefixes, each one's nonzero next-token probabilities.

The search:

1. A frontier (a heap keyed by probability) starts with the empty prefix at probability 1.
2. The most probable frontier prefixes, up to the backend's batch size and the budget's
   remaining ``tokens``, are popped and expanded in one ``next_tokens`` call; each costs
   one model step.
3. Each gets at most ``budget.branches`` children, its most probable next tokens of
   nonzero probability (with top-p most are exactly 0; greedy decoding leaves one, so the
   tree is a single path). A child's probability is its parent's times its token's. A child
   whose token ends the sequence, or whose length reaches ``max_new_tokens``, is a
   completed reply; any other goes onto the frontier.
4. Stop when the frontier is empty or the budget's ``tokens`` are spent.

:func:`merge` then decodes the completed replies, sums those with equal texts, and keeps
the ``budget.branches`` most probable texts.

Soundness. Every complete token sequence the decoding can produce has exactly one prefix
among: the kept completed replies, the dropped ones, the children left out at an
expansion, and the prefixes still on the frontier (each expansion partitions its parent's
mass among its children, kept or not). So the kept replies' probabilities are exact (the
chain rule) and disjoint, and everything else totals ``unexplored = 1 - sum(kept)``. For
any event on reply texts, P(event) >= the kept replies in it (``lower``), and
P(not event) >= the kept replies outside it, so P(event) <= ``lower + unexplored``. No
sampling is involved: the bounds hold with probability 1, up to floating-point rounding of
the model's probabilities.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from models._tree_types import ReplyBranch, TreeBudget

Prefix = tuple[int, ...]
#: A batch of prefixes -> for each, its next tokens of nonzero probability.
NextTokens = Callable[[Sequence[Prefix]], Sequence[Mapping[int, float]]]


@dataclass(frozen=True)
class Leaf:
    """A completed token sequence (its end-of-sequence token included when finished)."""

    tokens: Prefix
    probability: float
    finished: bool


@dataclass(frozen=True)
class Search:
    """What :func:`search` found: completed sequences and the model steps spent."""

    leaves: tuple[Leaf, ...]
    expanded: int


def search(
    next_tokens: NextTokens,
    *,
    eos: Collection[int],
    max_new_tokens: int,
    budget: TreeBudget,
    batch: int = 1,
) -> Search:
    """Best-first search of the reply tree (the algorithm is in the module docstring).

    Args:
        next_tokens: the backend's next-token probabilities for a batch of prefixes.
        eos: the tokens that end a reply.
        max_new_tokens: the longest reply, in tokens.
        budget: model steps and branches allowed.
        batch: the most prefixes expanded per ``next_tokens`` call.
    """
    order = itertools.count()  # ties pop in push order: the search is deterministic
    frontier: list[tuple[float, int, Prefix]] = [(-1.0, next(order), ())]
    leaves: list[Leaf] = []
    expanded = 0
    while frontier and expanded < budget.tokens:
        size = min(max(batch, 1), budget.tokens - expanded, len(frontier))
        popped = [heapq.heappop(frontier) for _ in range(size)]
        found = next_tokens([prefix for _, _, prefix in popped])
        expanded += size
        for (negative, _, prefix), options in zip(popped, found, strict=True):
            ranked = sorted(((p, t) for t, p in options.items() if p > 0), reverse=True)
            for p, token in ranked[: budget.branches]:
                child, chance = (*prefix, token), -negative * p
                if token in eos or len(child) >= max_new_tokens:
                    leaves.append(Leaf(child, chance, token in eos))
                else:
                    heapq.heappush(frontier, (-chance, next(order), child))
    return Search(tuple(leaves), expanded)


def merge(
    leaves: Sequence[Leaf], decode: Callable[[Prefix], str], branches: int
) -> tuple[tuple[ReplyBranch, ...], float]:
    """Completed sequences -> reply branches (equal texts summed, the ``branches`` most
    probable kept, most probable first) and the unexplored mass."""
    merged: dict[str, tuple[float, bool]] = {}
    for leaf in leaves:
        text = decode(leaf.tokens)
        total, finished = merged.get(text, (0.0, False))
        merged[text] = (total + leaf.probability, finished or leaf.finished)
    ranked = sorted(merged.items(), key=lambda item: (-item[1][0], item[0]))[:branches]
    kept = tuple(ReplyBranch(text, min(p, 1.0), done) for text, (p, done) in ranked)
    return kept, max(0.0, 1.0 - sum(b.probability for b in kept))
