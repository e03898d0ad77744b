"""What a transformers checkpoint's generation config adds to a decoding, as ``generate``
applies it: the repetition penalty (on every prompt and reply token), suppressed tokens
(``begin_suppress_tokens`` at the first reply token only) and the end-of-sequence ids.
Settings whose effect is not reproduced (:data:`UNMODELLED`) are listed, so that readers of
token probabilities (answer distributions, reply trees) refuse them rather than give
probabilities ``generate`` does not sample from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drivecert import UsageError

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

    def refuse_unmodelled(self) -> None:
        """Raise when the config sets a setting whose effect is not reproduced.

        Raises:
            UsageError: naming the settings.
        """
        if self.unmodelled:
            raise UsageError(
                f"the checkpoint's generation config sets {', '.join(self.unmodelled)}, "
                "which token probabilities here do not reproduce; unset it in "
                "generation_config.json to read probabilities"
            )


def penalised(logits: Any, batch: Any, penalty: float, torch: Any) -> Any:
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
