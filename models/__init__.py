"""Who answers: one interface over transformers, vLLM, OpenAI-compatible servers and
scripted known-answer models.

``open_model("hf:Qwen/Qwen2-VL-7B-Instruct")`` returns a backend whose ``generate`` answers
a batch of :class:`ModelQuery` (images plus chat messages); ``answer_distributions(model,
queries, decoding)`` gives each query's :class:`AnswerDistribution` where the backend can, and
``reply_trees(model, queries, decoding, budget)`` each query's :class:`ReplyTree` (sound
bounds on any event of its free-form reply).
``models`` imports nothing of ``scenarios``, ``analysis`` or ``harness``.
"""

from models._answer_tokens import ANSWER_FORMS, classify
from models._backend import (
    BACKENDS,
    BackendKind,
    DistributionBackend,
    LoadOptions,
    ModelBackend,
    TreeBackend,
    answer_distributions,
    check_spec,
    open_model,
    reply_trees,
)
from models._cache import CachedModel, ResponseCache, cache_key
from models._scripted import FREE_TEXT, ScriptedModel
from models._scripted_spec import parse_scripted
from models._tree_types import ReplyBranch, ReplyTree, TreeBudget
from models._types import (
    AnswerDistribution,
    AnswerKey,
    Decoding,
    ImageRef,
    Message,
    ModelQuery,
    Response,
    Status,
    Text,
    image_png,
    image_sha256,
)

__all__ = [
    "ANSWER_FORMS",
    "BACKENDS",
    "FREE_TEXT",
    "AnswerDistribution",
    "AnswerKey",
    "BackendKind",
    "CachedModel",
    "Decoding",
    "DistributionBackend",
    "ImageRef",
    "LoadOptions",
    "Message",
    "ModelBackend",
    "ModelQuery",
    "ReplyBranch",
    "ReplyTree",
    "Response",
    "ResponseCache",
    "ScriptedModel",
    "Status",
    "Text",
    "TreeBackend",
    "TreeBudget",
    "answer_distributions",
    "cache_key",
    "check_spec",
    "classify",
    "image_png",
    "image_sha256",
    "open_model",
    "parse_scripted",
    "reply_trees",
]
