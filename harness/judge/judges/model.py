"""``model:SPEC`` and ``rules+model:SPEC``: any model spec as the judge.

The model gets a fixed, versioned prompt (:data:`JUDGE_PROMPT`, revision
:data:`JUDGE_PROMPT_REVISION`) that shows the question and the reply and asks for one word:
the answer, or ``unclear``. Its reply is parsed strictly: exactly one of the kind's answers
(case, surrounding blanks, quotes and a final full stop aside), else null; a failed call is
null too, never a crash. ``rules+model`` asks the model only about the replies the rules
leave null. With a cache folder, every judgement is stored by the model's cache key, so the
same reply is never asked twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from drivecert import ANSWERS, AnswerKind, UsageError
from harness.judge._judge import JUDGES, JudgeKind
from harness.judge._normalise import normalise_answer
from models import (
    CachedModel,
    Decoding,
    ModelBackend,
    ModelQuery,
    ResponseCache,
    check_spec,
    open_model,
)

JUDGE_PROMPT_REVISION = "judge-prompt-1"
JUDGE_PROMPT = (
    "You check what a driving assistant answered. Read its reply to the question and say "
    "which answer it gave.\n"
    "Question: {question}\n"
    "Reply: {reply}\n"
    "Answer with exactly one word: {choices}, or unclear if the reply gives no single "
    "clear answer."
)
#: A judgement needs one word; a few tokens leave room for a tokenizer's pieces.
JUDGE_DECODING = Decoding(max_new_tokens=6, temperature=0.0)


def judge_prompt(reply: str, kind: AnswerKind, question: str | None) -> str:
    """The prompt the model judge is sent."""
    return JUDGE_PROMPT.format(
        question=question or "(not given)", reply=reply, choices=", ".join(ANSWERS[kind])
    )


def parse_judgement(text: str | None, kind: AnswerKind) -> str | None:
    """The answer a judgement names, strictly: one of the kind's answers and nothing else."""
    if text is None:
        return None
    word = text.strip().strip("\"'`*").rstrip(".").strip().lower()
    return word if word in ANSWERS[kind] else None


@dataclass
class ModelJudge:
    """A model asked what each reply answered.

    Attributes:
        model: the model.
        rules_first: ask the model only about replies the rules leave null.
        cache: the folder of the judgements' cache (``judge.sqlite``), or None.
        asked: how many judgements were asked of the model (cache hits included).
    """

    model: ModelBackend
    rules_first: bool = False
    cache: Path | None = None
    asked: int = field(default=0, init=False)
    _backend: ModelBackend | None = field(default=None, init=False, repr=False)

    @property
    def judge_id(self) -> str:
        """``model:SPEC`` or ``rules+model:SPEC``."""
        prefix = "rules+model" if self.rules_first else "model"
        return f"{prefix}:{self.model.model_id}"

    @property
    def revision(self) -> str:
        """The prompt's revision and the model's."""
        return f"{JUDGE_PROMPT_REVISION}+{self.model.revision}"

    @property
    def backend(self) -> ModelBackend:
        """The model behind the cache, opened on first use (opening a judge writes nothing)."""
        if self._backend is None:
            self._backend = self.model
            if self.cache is not None:
                self._backend = CachedModel(self.model, ResponseCache(self.cache / "judge.sqlite"))
        return self._backend

    def read(self, response: str, kind: AnswerKind, question: str | None) -> str | None:
        """The model's strict judgement of ``response`` (the rules' first, with rules+)."""
        if self.rules_first:
            answer = normalise_answer(response, kind, question)
            if answer is not None:
                return answer
        self.asked += 1
        query = ModelQuery.ask([], judge_prompt(response, kind, question))
        (reply,) = self.backend.generate([query], JUDGE_DECODING)
        return parse_judgement(reply.text if reply.status == "ok" else None, kind)

    def close(self) -> None:
        """Free the model (and close the cache)."""
        (self._backend or self.model).close()


def open_model_judge(spec: str, rules_first: bool, cache: Path | None = None) -> ModelJudge:
    """A model judge for a model spec, cached in ``cache`` (a folder) when given.

    Raises:
        UsageError: when the spec is empty or names no model backend.
    """
    check_model_judge(spec)
    return ModelJudge(open_model(spec.strip()), rules_first, cache)


def check_model_judge(spec: str) -> None:
    """Check a model judge's model spec without loading the model.

    Raises:
        UsageError: when the spec is empty or names no model backend.
    """
    if not spec.strip():
        raise UsageError("a model judge needs a model spec: --judge model:hf:ORG/NAME")
    check_spec(spec.strip())


FORMS = "model:SPEC or rules+model:SPEC, SPEC any model spec (hf:..., openai:...@URL)"
JUDGES.register(
    "model",
    JudgeKind(
        "model",
        FORMS,
        lambda rest, cache: open_model_judge(rest, False, cache),
        check_model_judge,
    ),
)
JUDGES.register(
    "rules+model",
    JudgeKind(
        "rules+model",
        FORMS,
        lambda rest, cache: open_model_judge(rest, True, cache),
        check_model_judge,
    ),
)
