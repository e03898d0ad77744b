"""Answer distributions from a transformers model's logits (what is summed: models._answer_tokens).

One forward pass over a batch's prompts (images included) gives the next-token logits at
the answer position, right after the chat template's assistant prefix. They become
probabilities as ``generate`` would sample them: the checkpoint's suppressed tokens
removed, then ``softmax(logits / T)``, then top-p when set (temperature 0: all mass on the
most likely token). The most likely prefix tokens of each query (at most
``MAX_PREFIXES``, of mass at least ``MIN_PREFIX``) are then extended in one more pass per
query (the prompt repeated once per prefix, ``batch_size`` rows at a time, the prefix
appended) to read the second token.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from drivecert import AnswerKind
from models._answer_tokens import (
    MAX_PREFIXES,
    MIN_PREFIX,
    NO_MASS,
    Masses,
    TokenTable,
    answer_kind,
    empty,
    finish,
    record,
)
from models._hf_rules import Rules, penalised
from models._types import AnswerDistribution, Decoding, ModelQuery

if TYPE_CHECKING:
    from models._hf import TransformersModel


def next_token_probabilities(
    logits: Any, decoding: Decoding, suppressed: Sequence[int] = ()
) -> Any:
    """Rows of next-token logits -> float64 probabilities under the decoding's sampling."""
    import torch

    scores = logits.double().clone()
    if suppressed:
        scores[..., list(suppressed)] = -torch.inf
    if decoding.greedy:
        return torch.nn.functional.one_hot(scores.argmax(-1), scores.shape[-1]).double()
    probs = torch.softmax(scores / decoding.temperature, dim=-1)
    if decoding.top_p < 1:
        ordered, order = probs.sort(dim=-1, descending=True)
        before = ordered.cumsum(-1) - ordered  # the mass of the more likely tokens
        keep = before < decoding.top_p
        keep[..., 0] = True
        probs = torch.zeros_like(probs).scatter(-1, order, ordered * keep)
        probs = probs / probs.sum(-1, keepdim=True)
    return probs


def generated_probabilities(
    model: Any, inputs: Any, decoding: Decoding, rules: Rules, first: bool
) -> Any:
    """Probabilities of the token after each row of ``inputs`` as ``generate`` samples it
    (one forward pass): the checkpoint's repetition penalty, its suppressed tokens (those of
    the ``first`` reply token, or of a later one), then :func:`next_token_probabilities`."""
    import torch

    with torch.inference_mode():
        logits = model(**inputs).logits[:, -1, :]
    if rules.penalty != 1.0:
        logits = penalised(logits, inputs, rules.penalty, torch)
    suppressed = rules.first_suppressed if first else rules.suppressed
    return next_token_probabilities(logits, decoding, suppressed)


class AnswerReader:
    """Reads answer distributions off a loaded :class:`TransformersModel` (tables cached).

    The checkpoint's generation config is applied as ``generate`` applies it
    (:class:`models._hf_rules.Rules`: repetition penalty, suppressed tokens); a config
    setting that is not reproduced fails the queries, naming it.
    """

    def __init__(self, model: TransformersModel) -> None:
        self.model = model
        self._tables: dict[AnswerKind, TokenTable] = {}

    def table(self, kind: AnswerKind) -> TokenTable:
        """The kind's token table, built once from the tokenizer's token texts."""
        if kind not in self._tables:
            tokenizer = self.model.processor.tokenizer
            texts = (tokenizer.decode([i]) for i in range(len(tokenizer)))
            self._tables[kind] = TokenTable.build(texts, kind)
        return self._tables[kind]

    def next_probabilities(self, inputs: Any, decoding: Decoding, first: bool = True) -> Any:
        """Probabilities of the token after each row of ``inputs`` (one forward pass), the
        ``first`` reply token's or a later one's."""
        rules = Rules.read(self.model.model)
        rules.refuse_unmodelled()
        return generated_probabilities(self.model.model, inputs, decoding, rules, first)

    def read(self, queries: Sequence[ModelQuery], decoding: Decoding) -> list[AnswerDistribution]:
        """One distribution per query; a query that fails gets a failed record."""
        out: list[AnswerDistribution] = []
        step = self.model.batch_size
        for start in range(0, len(queries), step):
            out += self._chunk(queries[start : start + step], decoding)
        return out

    def _chunk(self, chunk: Sequence[ModelQuery], decoding: Decoding) -> list[AnswerDistribution]:
        began = time.perf_counter()
        kinds = [answer_kind(q) for q in chunk]
        known = [i for i, kind in enumerate(kinds) if kind is not None]
        masses: dict[int, Masses | BaseException] = {}
        rows: dict[int, Any] = {}
        try:
            if known:
                inputs = self.model.prepare([chunk[i] for i in known], decoding)
                first = self.next_probabilities(inputs, decoding)
                rows = {i: first[row] for row, i in enumerate(known)}
        except Exception as error:
            if len(known) > 1:  # one at a time, so one bad query fails alone
                return [d for q in chunk for d in self._chunk([q], decoding)]
            masses = dict.fromkeys(known, error)
        for i, row in rows.items():
            try:
                masses[i] = finish(self._masses(chunk[i], row, kinds[i], decoding))  # type: ignore[arg-type]
            except Exception as error:
                masses[i] = error
        share = (time.perf_counter() - began) / len(chunk)
        where = (self.model.model_id, self.model.revision)
        return [
            record(kinds[i], masses.get(i, NO_MASS), *where, decoding, share)
            for i in range(len(chunk))
        ]

    def _masses(
        self, query: ModelQuery, first: Any, kind: AnswerKind, decoding: Decoding
    ) -> dict[str, float]:
        """Rules 1 and 2 of models._answer_tokens for one query."""
        import torch

        table = self.table(kind)
        mass = empty(kind)
        for token, answer in table.answers.items():
            mass[answer] += float(first[token])
        candidates = sorted(table.prefixes, key=lambda t: -float(first[t]))[:MAX_PREFIXES]
        prefixes = [t for t in candidates if float(first[t]) >= MIN_PREFIX]
        if not prefixes:
            return mass
        inputs = self.model.prepare([query], decoding)
        step = self.model.batch_size
        for start in range(0, len(prefixes), step):
            group = prefixes[start : start + step]
            extended = self.next_probabilities(extend(inputs, group, torch), decoding, first=False)
            for row, prefix in enumerate(group):
                for token, answer in table.second_answers(prefix).items():
                    mass[answer] += float(first[prefix]) * float(extended[row, token])
        return mass


def extend(inputs: Any, tokens: Sequence[int], torch: Any) -> Any:
    """One query's model inputs repeated once per token, each with its token appended
    (:func:`extend_rows` with one-token sequences)."""
    return extend_rows(inputs, [(token,) for token in tokens], torch)


def extend_rows(inputs: Any, sequences: Sequence[Sequence[int]], torch: Any) -> Any:
    """One query's model inputs repeated once per sequence, each with its sequence appended.

    The sequences must have equal lengths (0 repeats the inputs). Per-token tensors
    (``input_ids``, ``attention_mask`` and the like, shaped like ``input_ids``) get the
    columns (the tokens, 1 for the mask, 0 otherwise); every other tensor (pixel values,
    image grids) belongs to the one query and is repeated along its first axis.
    """
    count = len(sequences)
    width = len(sequences[0]) if sequences else 0
    if any(len(s) != width for s in sequences):
        raise ValueError(f"sequences of lengths {sorted({len(s) for s in sequences})}; give one")
    length = inputs["input_ids"].shape
    out = {}
    for name, value in inputs.items():
        if name == "input_ids":
            rows = [list(s) for s in sequences]
            columns = torch.tensor(rows, dtype=value.dtype, device=value.device).reshape(
                count, width
            )
            out[name] = torch.cat([value.repeat(count, 1), columns], dim=1)
        elif value.shape == length:
            fill = 1 if name == "attention_mask" else 0
            columns = torch.full((count, width), fill, dtype=value.dtype, device=value.device)
            out[name] = torch.cat([value.repeat(count, 1), columns], dim=1)
        else:
            out[name] = torch.cat([value] * count, dim=0)
    return out
