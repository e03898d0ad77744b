"""The model interface, its spec strings and the registry of backends.

A spec names a backend and a model: ``hf:Qwen/Qwen2-VL-7B-Instruct``, ``hf:/path/to/folder``,
``vllm:Qwen/Qwen2.5-VL-7B-Instruct``, ``openai:MODEL@http://127.0.0.1:8000/v1``,
``scripted:noisy?error=0.1``. Each backend is one module in ``models/backends`` that
registers a :class:`BackendKind`; nothing else lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from drivecert import Registry, UsageError
from models._tree_types import ReplyTree, TreeBudget
from models._types import AnswerDistribution, Decoding, ModelQuery, Response


@runtime_checkable
class ModelBackend(Protocol):
    """Answers batches of queries."""

    @property
    def model_id(self) -> str:
        """The model's name, e.g. Qwen/Qwen2-VL-7B-Instruct."""

    @property
    def revision(self) -> str:
        """The weights' revision (commit hash, content hash or server fingerprint)."""

    def generate(self, queries: Sequence[ModelQuery], decoding: Decoding) -> list[Response]:
        """One response per query, in order."""

    def close(self) -> None:
        """Free the model (GPU memory, connections)."""


@runtime_checkable
class DistributionBackend(ModelBackend, Protocol):
    """A backend that can also say how likely each answer is (see models._answer_tokens)."""

    def answer_distribution(
        self, queries: Sequence[ModelQuery], decoding: Decoding
    ) -> list[AnswerDistribution]:
        """One distribution per query, in order (a failed record for a query that fails)."""


@runtime_checkable
class TreeBackend(ModelBackend, Protocol):
    """A backend that can also explore its replies' tree (see models._reply_tree)."""

    def reply_tree(
        self, queries: Sequence[ModelQuery], decoding: Decoding, budget: TreeBudget
    ) -> list[ReplyTree]:
        """One tree per query, in order (a failed record for a query that fails)."""


@dataclass(frozen=True)
class LoadOptions:
    """How to load or reach a model.

    Attributes:
        batch_size: queries per forward pass (local backends).
        device: ``cpu``, ``cuda``, ``cuda:1``... (None: CUDA when available).
        concurrency: requests in flight at once (HTTP backend).
        timeout_s: per-request timeout (HTTP backend).
        retries: attempts after the first on 429, 5xx or timeouts (HTTP backend).
    """

    batch_size: int = 8
    device: str | None = None
    concurrency: int = 8
    timeout_s: float = 120.0
    retries: int = 5

    def __post_init__(self) -> None:
        for name in ("batch_size", "concurrency"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name}={getattr(self, name)} must be at least 1")
        if self.retries < 0:
            raise UsageError(f"retries={self.retries} must be 0 or more")


@dataclass(frozen=True)
class BackendKind:
    """One kind of backend: its spec prefix, the form of its specs, and how to open one.

    Attributes:
        prefix: the text before the first colon of a spec.
        form: the spec's form for messages, e.g. ``hf:ORG/NAME or hf:/path/to/folder``.
        open: builds a backend from the text after the colon.
        check: checks the text after the colon without loading anything (raises
            UsageError); None when only opening can tell.
        distributions: whether its backends have ``answer_distribution``.
        trees: whether its backends have ``reply_tree``.
    """

    prefix: str
    form: str
    open: Callable[[str, LoadOptions], ModelBackend]
    check: Callable[[str], object] | None = None
    distributions: bool = False
    trees: bool = False


BACKENDS: Registry[BackendKind] = Registry("model backend", BackendKind, discover="models.backends")


def spec_forms() -> str:
    """Every valid spec form, for error messages."""
    return "; ".join(BACKENDS.get(name).form for name in BACKENDS.names())


def check_spec(spec: str) -> BackendKind:
    """The backend a spec names, checked as far as possible without loading it.

    Raises:
        UsageError: one line listing the valid forms when the spec is not one of them, or
            naming the bad part of a spec its backend can check.
    """
    prefix, sep, rest = spec.partition(":")
    if not sep or not rest.strip() or prefix not in BACKENDS:
        raise UsageError(f"unknown model spec {spec!r}; valid forms: {spec_forms()}")
    kind = BACKENDS.get(prefix)
    if kind.check is not None:
        kind.check(rest.strip())
    return kind


def open_model(spec: str, options: LoadOptions | None = None) -> ModelBackend:
    """Open the model a spec names.

    Raises:
        UsageError: one line listing the valid forms when the spec is not one of them.
    """
    kind = check_spec(spec)
    return kind.open(spec.partition(":")[2].strip(), options or LoadOptions())


def answer_distributions(
    model: ModelBackend, queries: Sequence[ModelQuery], decoding: Decoding
) -> list[AnswerDistribution]:
    """``model.answer_distribution(queries, decoding)``, for a backend that has it.

    Raises:
        UsageError: one line naming the backends that have it, when ``model`` does not.
    """
    if not isinstance(model, DistributionBackend):
        raise _unable(model, "give answer probabilities", lambda kind: kind.distributions)
    return model.answer_distribution(queries, decoding)


def reply_trees(
    model: ModelBackend, queries: Sequence[ModelQuery], decoding: Decoding, budget: TreeBudget
) -> list[ReplyTree]:
    """``model.reply_tree(queries, decoding, budget)``, for a backend that has it.

    Raises:
        UsageError: one line naming the backends that have it, when ``model`` does not.
    """
    if not isinstance(model, TreeBackend):
        raise _unable(model, "explore its reply tree", lambda kind: kind.trees)
    return model.reply_tree(queries, decoding, budget)


def _unable(model: ModelBackend, what: str, can: Callable[[BackendKind], bool]) -> UsageError:
    """The one-line refusal of ``model`` for ``what``, naming the backends that ``can``."""
    able = [BACKENDS.get(n).prefix for n in BACKENDS.names() if can(BACKENDS.get(n))]
    return UsageError(
        f"model {model.model_id} cannot {what}; backends that can: "
        f"{', '.join(f'{name}:' for name in able)}"
    )
