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
from typing import TYPE_CHECKING, Any

from models._chat import clean_reply
from models._hf_answers import extend_rows, generated_probabilities
from models._hf_rules import Rules
from models._reply_tree import Prefix, merge, search
from models._tree_types import ReplyTree, TreeBudget
from models._types import Decoding, ModelQuery

if TYPE_CHECKING:
    from models._hf import TransformersModel


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

        rules.refuse_unmodelled()
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
        return generated_probabilities(self.model.model, batch, decoding, rules, first)
