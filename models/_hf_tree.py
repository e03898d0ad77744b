"""Reply trees from a transformers model (the search and its soundness: models._reply_tree).

Next-token probabilities are those ``TransformersModel.generate`` samples from: the
checkpoint's repetition penalty (on every prompt and reply token, as transformers applies
it), its suppressed tokens (``begin_suppress_tokens`` at the first reply token only), then
``softmax(logits / T)`` and top-p (temperature 0: all mass on the most likely token). A
reply ends at any of the generation config's ``eos_token_id`` (one id or a list). Branch
texts are decoded as ``generate`` decodes replies: ``batch_decode(skip_special_tokens=True)``
then :func:`models._chat.clean_reply` (surrounding whitespace stripped), so a sampled reply
can be looked up among the branches.

Each expansion re-encodes the prompt (images included) with its prefix appended: the
prefixes of one query popped together are grouped by length, and each group goes through
one forward pass, ``batch_size`` rows at a time. Reusing the prompt's KV cache across
expansions is future work. Generation-config settings that change what ``generate``
samples and that are not modelled here (``no_repeat_ngram_size``, ``min_new_tokens``...)
fail the query's tree with a message naming them, rather than give unsound bounds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drivecert import UsageError
from models._chat import clean_reply
from models._hf_answers import extend_rows, next_token_probabilities
from models._reply_tree import Prefix, merge, search
from models._tree_types import ReplyTree, TreeBudget
from models._types import Decoding, ModelQuery

if TYPE_CHECKING:
    from models._hf import TransformersModel

#: Generation-config settings whose effect on sampling the tree does not reproduce.
UNMODELLED = (
    "no_repeat_ngram_size",
    "min_length",
    "min_new_tokens",
    "bad_words_ids",
    "sequence_bias",
    "forced_bos_token_id",
    "forced_eos_token_id",
    "exponential_decay_length_penalty",
    "min_p",
    "typical_p",
    "epsilon_cutoff",
    "eta_cutoff",
)


@dataclass(frozen=True)
class Rules:
    """What the checkpoint's generation config adds to the decoding, read at each call."""

    suppressed: tuple[int, ...]
    first_suppressed: tuple[int, ...]
    eos: frozenset[int]
    penalty: float
    unmodelled: tuple[str, ...]

    @classmethod
    def read(cls, model: Any) -> Rules:
        """The rules of a transformers model's ``generation_config``."""
        from models._hf import _eos_ids

        config = model.generation_config
        suppressed = {int(t) for t in config.suppress_tokens or ()}
        begin = {int(t) for t in config.begin_suppress_tokens or ()}
        return cls(
            tuple(sorted(suppressed)),
            tuple(sorted(suppressed | begin)),
            frozenset(_eos_ids(model)),
            float(config.repetition_penalty or 1.0),
            _unmodelled(config),
        )


class TreeReader:
    """Builds reply trees on a loaded :class:`TransformersModel`."""

    def __init__(self, model: TransformersModel) -> None:
        self.model = model

    def read(
        self, queries: Sequence[ModelQuery], decoding: Decoding, budget: TreeBudget
    ) -> list[ReplyTree]:
        """One tree per query; a query that fails gets a failed tree."""
        rules = Rules.read(self.model.model)
        return [self._one(query, decoding, budget, rules) for query in queries]

    def _one(
        self, query: ModelQuery, decoding: Decoding, budget: TreeBudget, rules: Rules
    ) -> ReplyTree:
        where = (self.model.model_id, self.model.revision)
        while True:
            began = time.perf_counter()
            try:
                return self._tree(query, decoding, budget, rules, began)
            except Exception as error:
                if type(error).__name__ == "OutOfMemoryError" and self.model.batch_size > 1:
                    self.model._out_of_memory()  # halve the batch and try again
                    continue
                spent = time.perf_counter() - began
                return ReplyTree.failure(*where, decoding, error, spent)

    def _tree(
        self,
        query: ModelQuery,
        decoding: Decoding,
        budget: TreeBudget,
        rules: Rules,
        began: float,
    ) -> ReplyTree:
        import torch

        if rules.unmodelled:
            raise UsageError(
                f"the checkpoint's generation config sets {', '.join(rules.unmodelled)}, which "
                "reply trees do not model; unset them in model.generation_config"
            )
        inputs = self.model.prepare([query], decoding)

        def next_tokens(prefixes: Sequence[Prefix]) -> list[Mapping[int, float]]:
            out: list[Mapping[int, float]] = [{} for _ in prefixes]
            lengths = sorted({len(p) for p in prefixes})
            step = self.model.batch_size
            for length in lengths:
                rows = [i for i, p in enumerate(prefixes) if len(p) == length]
                for start in range(0, len(rows), step):
                    chunk = rows[start : start + step]
                    batch = extend_rows(inputs, [prefixes[i] for i in chunk], torch)
                    probabilities = self._probabilities(batch, decoding, rules, length == 0)
                    for row, i in enumerate(chunk):
                        tokens = torch.nonzero(probabilities[row]).flatten()
                        chances = probabilities[row, tokens].tolist()
                        out[i] = dict(zip(tokens.tolist(), chances, strict=True))
            return out

        found = search(
            next_tokens,
            eos=rules.eos,
            max_new_tokens=decoding.max_new_tokens,
            budget=budget,
            batch=self.model.batch_size,
        )
        sequences = sorted({leaf.tokens for leaf in found.leaves})
        decoded = (  # batch_decode([]) is not []
            self.model.processor.batch_decode(
                [list(s) for s in sequences], skip_special_tokens=True
            )
            if sequences
            else []
        )
        texts = {s: clean_reply(text) for s, text in zip(sequences, decoded, strict=True)}
        branches, unexplored = merge(found.leaves, texts.__getitem__, budget.branches)
        where = (self.model.model_id, self.model.revision, decoding.to_dict())
        spent = time.perf_counter() - began
        return ReplyTree(branches, unexplored, found.expanded, *where, spent)

    def _probabilities(self, batch: Any, decoding: Decoding, rules: Rules, first: bool) -> Any:
        """Next-token probabilities of each row of ``batch`` (one forward pass)."""
        import torch

        with torch.inference_mode():
            logits = self.model.model(**batch).logits[:, -1, :]
        if rules.penalty != 1.0:
            logits = _penalised(logits, batch, rules.penalty, torch)
        suppressed = rules.first_suppressed if first else rules.suppressed
        return next_token_probabilities(logits, decoding, suppressed)


def _penalised(logits: Any, batch: Any, penalty: float, torch: Any) -> Any:
    """transformers' repetition penalty: every token present in a row's (unpadded) input
    has its logit divided by ``penalty`` when positive, multiplied when negative."""
    ids = batch["input_ids"]
    mask = batch.get("attention_mask")
    seen = torch.zeros(logits.shape[0], logits.shape[1] + 1, dtype=torch.bool, device=ids.device)
    if mask is not None:
        ids = ids.masked_fill(mask == 0, logits.shape[1])  # padding marks the extra column
    seen.scatter_(1, ids.clamp(max=logits.shape[1]), True)
    seen = seen[:, : logits.shape[1]].to(logits.device)
    penalised = torch.where(logits < 0, logits * penalty, logits / penalty)
    return torch.where(seen, penalised, logits)


def _unmodelled(config: Any) -> tuple[str, ...]:
    """The :data:`UNMODELLED` settings ``config`` sets to other than their defaults."""
    from transformers import GenerationConfig

    default = GenerationConfig()  # type: ignore[no-untyped-call]
    return tuple(
        name
        for name in UNMODELLED
        if getattr(config, name, None) not in (None, getattr(default, name, None))
    )
