"""Reply trees: sound bounds on events of free-form replies (models._reply_tree).

The transformers path is checked on the tiny random Qwen2-VL (``tiny_spec``) against an
independent enumeration of every reply (teacher-forced scoring, top-p in numpy) and
against 10,000 replies sampled by the backend's own ``generate``; the search itself on a
toy model with known probabilities; scripted trees against scripted distributions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pytest
from PIL import Image
from scipy.stats import binomtest

from drivecert import ACTION_CHOICES_TEXT, ANSWERS, UsageError
from models import (
    AnswerKey,
    CachedModel,
    Decoding,
    LoadOptions,
    ModelQuery,
    ReplyBranch,
    ReplyTree,
    ResponseCache,
    TreeBackend,
    TreeBudget,
    classify,
    open_model,
    reply_trees,
)
from models._openai import OpenAIModel
from models._reply_tree import merge, search
from models._vllm import VLLMModel

YES_NO = "Is the light red? Answer yes or no."
ACTION = f"What should the vehicle do? {ACTION_CHOICES_TEXT}. Answer with the letter of one option."
# The tiny model's logits are nearly flat: a low temperature and top-p make its tree of
# three-token replies enumerable (45 prefixes to expand, about 270 token sequences).
DECODING = Decoding(temperature=0.03, top_p=0.9, max_new_tokens=3)
EXHAUSTIVE = TreeBudget(tokens=256, branches=1024)
DELTA = 1e-3
SAMPLES = 10_000


def scene(seed: int, size: tuple[int, int] = (160, 96)) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    return Image.fromarray(pixels)


QUERY = ModelQuery.ask([], YES_NO)  # without an image: 10,000 samples in seconds


@pytest.fixture(scope="module")
def tiny(tiny_spec: str, one_thread: None) -> Any:
    return open_model(tiny_spec, LoadOptions(batch_size=8, device="cpu"))


@pytest.fixture(scope="module")
def exhaustive(tiny: Any) -> ReplyTree:
    (tree,) = reply_trees(tiny, [QUERY], DECODING, EXHAUSTIVE)
    assert tree.ok, tree.error
    return tree


# --- an independent enumeration: teacher forcing, top-p in numpy ------------------------


def teacher_forced(model: Any, query: ModelQuery, tokens: Sequence[int]) -> Any:
    """Logits (float32) at the last prompt position and after each of ``tokens``."""
    import torch

    inputs = dict(model.prepare([query], Decoding()))
    appended = torch.tensor([list(tokens)], dtype=torch.long).reshape(1, len(tokens))
    for name in ("input_ids", "attention_mask", "mm_token_type_ids"):
        if name in inputs:
            fill = (
                appended if name == "input_ids" else torch.full_like(appended, int(name[0] == "a"))
            )
            inputs[name] = torch.cat([inputs[name], fill], dim=1)
    with torch.inference_mode():
        logits = model.model(**inputs).logits[0]
    return logits[logits.shape[0] - len(tokens) - 1 :]


def sampling_distribution(logits: Any, suppressed: Sequence[int], decoding: Decoding) -> Any:
    """softmax(logits / T) without the suppressed tokens, cut to the top-p nucleus (numpy)."""
    scores = logits.double().numpy().copy()
    scores[list(suppressed)] = -np.inf
    p = np.exp((scores - scores.max()) / decoding.temperature)
    p /= p.sum()
    order = np.argsort(-p, kind="stable")
    before = np.cumsum(p[order]) - p[order]
    keep = order[(before < decoding.top_p) | (np.arange(len(p)) == 0)]
    nucleus = np.zeros_like(p)
    nucleus[keep] = p[keep]
    return nucleus / nucleus.sum()


def enumerate_replies(
    model: Any, query: ModelQuery, decoding: Decoding
) -> tuple[dict[tuple[int, ...], float], int]:
    """Every token sequence the decoding can produce, each scored by one teacher-forced
    pass (the product of its tokens' probabilities), and the number of inner prefixes."""
    config = model.model.generation_config
    suppressed, eos = config.suppress_tokens or [], set(config.eos_token_id)
    complete: list[tuple[int, ...]] = []
    inner = 0

    def walk(prefix: tuple[int, ...]) -> None:
        nonlocal inner
        inner += 1
        p = sampling_distribution(teacher_forced(model, query, prefix)[-1], suppressed, decoding)
        for token in np.flatnonzero(p):
            child = (*prefix, int(token))
            if token in eos or len(child) == decoding.max_new_tokens:
                complete.append(child)
            else:
                walk(child)

    walk(())
    scored = {}
    for tokens in complete:
        rows = teacher_forced(model, query, tokens)
        steps = [sampling_distribution(rows[k], suppressed, decoding) for k in range(len(tokens))]
        scored[tokens] = math.prod(float(step[t]) for step, t in zip(steps, tokens, strict=True))
    return scored, inner


def reply_text(model: Any, tokens: Sequence[int]) -> str:
    return str(model.processor.tokenizer.decode(list(tokens), skip_special_tokens=True)).strip()


def test_an_exhaustive_tree_equals_enumeration(tiny: Any, exhaustive: ReplyTree) -> None:
    scored, inner = enumerate_replies(tiny, QUERY, DECODING)
    eos = set(tiny.model.generation_config.eos_token_id)
    expected: dict[str, float] = {}
    for tokens, p in scored.items():
        expected[reply_text(tiny, tokens)] = expected.get(reply_text(tiny, tokens), 0.0) + p
    found = {b.text: b.probability for b in exhaustive.branches}
    assert exhaustive.unexplored < 1e-9 and exhaustive.expanded == inner
    assert len(scored) > len(found) > 100  # sequences with equal texts were merged
    assert found == pytest.approx(expected, abs=1e-6)
    assert sum(expected.values()) == pytest.approx(1, abs=1e-9)
    ended = {reply_text(tiny, t) for t in scored if t[-1] in eos}
    assert ended and {b.text for b in exhaustive.branches if b.finished} == ended
    assert exhaustive.bounds(lambda _: True) == (pytest.approx(1), 1.0)


# --- sampling by the backend's own generate ----------------------------------------------


@pytest.fixture(scope="module")
def sampled(tiny: Any) -> list[str]:
    """``SAMPLES`` replies from the backend's generate path (the prompt prepared once)."""
    import torch

    from models._hf_answers import extend_rows

    torch.manual_seed(0)
    inputs = tiny.prepare([QUERY], DECODING)
    texts: list[str] = []
    for start in range(0, SAMPLES, 2500):
        rows = extend_rows(inputs, [()] * min(2500, SAMPLES - start), torch)
        texts += [g.text for g in tiny._generate_batch(rows, DECODING, False)]
    return texts


def events(tree: ReplyTree) -> dict[str, Callable[[str], bool]]:
    top = [b.text for b in tree.branches[:3]]
    return {
        "starts with t": lambda text: text.startswith("t"),
        "contains ed": lambda text: "ed" in text,
        "ends with a space word": lambda text: " " in text,
        **{f"is {t!r}": (lambda text, t=t: text == t) for t in top},  # type: ignore[misc]
    }


def assert_frequency_within(
    texts: Sequence[str], is_event: Callable[[str], bool], bounds: tuple[float, float]
) -> None:
    """The Clopper-Pearson interval (level 1 - DELTA) of the event's frequency meets the
    bounds (the frequency lies in [lower - eps, upper + eps])."""
    hits = sum(map(is_event, texts))
    interval = binomtest(hits, len(texts)).proportion_ci(1 - DELTA)
    assert interval.high >= bounds[0] and interval.low <= bounds[1], (hits, bounds)


def test_sampled_replies_land_within_the_bounds(
    tiny: Any, exhaustive: ReplyTree, sampled: list[str]
) -> None:
    texts = {b.text for b in exhaustive.branches}
    assert set(sampled) <= texts  # every sampled reply is a branch, decoded the same way
    small = reply_trees(tiny, [QUERY], DECODING, TreeBudget(tokens=4, branches=16))[0]
    assert small.ok and small.expanded == 4 and small.unexplored > 0.05
    for name, is_event in events(exhaustive).items():
        exact = exhaustive.bounds(is_event)
        assert exact[1] - exact[0] < 1e-9, name
        assert_frequency_within(sampled, is_event, exact)
        loose = small.bounds(is_event)
        assert loose[0] - 1e-9 <= exact[0] and exact[1] <= loose[1] + 1e-9, name
        assert_frequency_within(sampled, is_event, loose)
    frequency = sum(t.startswith("t") for t in sampled) / len(sampled)
    assert 0.05 < frequency < 0.95  # an event that is far from certain either way


def test_a_budget_is_respected(tiny: Any) -> None:
    wide = Decoding(temperature=1.0, max_new_tokens=4)
    for tokens, branches in ((1, 1), (5, 3), (20, 64)):
        (tree,) = reply_trees(tiny, [QUERY], wide, TreeBudget(tokens, branches))
        assert tree.ok and tree.expanded == tokens and len(tree.branches) <= branches
        total = sum(b.probability for b in tree.branches)
        assert total + tree.unexplored == pytest.approx(1) and tree.unexplored > 0.5


def test_greedy_is_one_path_equal_to_generate(tiny: Any, tiny_spec: str) -> None:
    greedy = Decoding(max_new_tokens=6)
    (tree,) = reply_trees(tiny, [QUERY], greedy, TreeBudget())
    (reply,) = tiny.generate([QUERY], greedy)
    assert len(tree.branches) == 1 and tree.branches[0].probability == 1.0
    assert tree.branches[0].text == reply.text and tree.expanded <= 6 and tree.unexplored == 0
    penalised = open_model(tiny_spec, LoadOptions(batch_size=8, device="cpu"))
    penalised.model.generation_config.repetition_penalty = 0.2  # type: ignore[attr-defined]
    (tree,) = reply_trees(penalised, [QUERY], greedy, TreeBudget())
    (reply,) = penalised.generate([QUERY], greedy)
    assert reply.text != tiny.generate([QUERY], greedy)[0].text  # the penalty matters here
    assert tree.branches[0].text == reply.text
    penalised.model.generation_config.no_repeat_ngram_size = 2  # type: ignore[attr-defined]
    (failed,) = reply_trees(penalised, [QUERY], greedy, TreeBudget())
    assert failed.status == "failed" and "no_repeat_ngram_size" in (failed.error or "")


def test_a_failing_query_gets_a_failed_tree(tiny: Any) -> None:
    bad = ModelQuery.ask([scene(2, (600, 2))], YES_NO)  # too thin for Qwen's resize
    trees = reply_trees(tiny, [QUERY, bad, QUERY], DECODING, TreeBudget(tokens=8))
    assert [t.status for t in trees] == ["ok", "failed", "ok"]
    assert trees[1].error and "\n" not in trees[1].error and trees[1].bounds(bool) == (0, 1)
    alone = reply_trees(tiny, [QUERY], DECODING, TreeBudget(tokens=8))[0]
    assert trees[0].branches == alone.branches == trees[2].branches


# --- the search on a toy model -----------------------------------------------------------


def toy(prefixes: Sequence[tuple[int, ...]]) -> list[Mapping[int, float]]:
    """Token 0 ends a reply; after k tokens, 0 has probability 0.2 + 0.2 k, 1 and 2 share
    the rest 2:1, and 3 has probability 0 (never pushed)."""
    out: list[Mapping[int, float]] = []
    for prefix in prefixes:
        end = 0.2 + 0.2 * len(prefix)
        out.append({0: end, 1: (1 - end) * 2 / 3, 2: (1 - end) / 3, 3: 0.0})
    return out


def toy_probability(is_event: Callable[[tuple[int, ...]], bool], length: int) -> float:
    """The exact probability of an event of the toy's replies (by enumeration)."""
    total = 0.0
    stack: list[tuple[tuple[int, ...], float]] = [((), 1.0)]
    while stack:
        prefix, p = stack.pop()
        for token, q in toy([prefix])[0].items():
            child = (*prefix, token)
            if token == 0 or len(child) == length:
                total += p * q * is_event(child)
            elif q > 0:
                stack.append((child, p * q))
    return total


@pytest.mark.parametrize(("tokens", "branches"), [(1, 64), (3, 2), (6, 64), (40, 64)])
def test_toy_search_bounds_hold(tokens: int, branches: int) -> None:
    budget = TreeBudget(tokens, branches)
    found = search(toy, eos={0}, max_new_tokens=4, budget=budget, batch=3)
    assert found.expanded <= tokens and all(3 not in leaf.tokens for leaf in found.leaves)
    kept, unexplored = merge(found.leaves, lambda t: " ".join(map(str, t)), branches)
    tree = ReplyTree(kept, unexplored, found.expanded, "toy", "1", {}, 0.0)
    for is_event in (lambda t: t[0] == 1, lambda t: 2 in t, lambda t: t[-1] == 0):
        exact = toy_probability(is_event, 4)
        lower, upper = tree.bounds(lambda text, e=is_event: e(tuple(map(int, text.split()))))  # type: ignore[misc]
        assert lower - 1e-12 <= exact <= upper + 1e-12
    if tokens == 40:  # 1 + 2 + 4 + 8 inner prefixes: the whole tree
        assert found.expanded == 15 and unexplored < 1e-12


# --- scripted trees, the capability check, records ---------------------------------------


def keyed(sample: int) -> ModelQuery:
    key = AnswerKey("action", ("stop",), ("proceed",), ANSWERS["action"], {}, seed=7,
                    sample=sample, question="light")  # fmt: skip
    return ModelQuery.ask([], ACTION, key=key)


def test_scripted_trees_match_scripted_distributions() -> None:
    model = open_model("scripted:noisy?error=0.3")
    queries = [keyed(i) for i in range(50)]
    trees = reply_trees(model, queries, Decoding(), TreeBudget())
    distributions = model.answer_distribution(queries, Decoding())  # type: ignore[attr-defined]
    for tree, distribution in zip(trees, distributions, strict=True):
        read = {classify(b.text, "action"): b.probability for b in tree.branches}
        assert read == {a: p for a, p in distribution.probabilities.items() if p > 0}
        assert tree.unexplored == pytest.approx(0) and all(b.finished for b in tree.branches)
    (top,) = reply_trees(model, queries[:1], Decoding(), TreeBudget(branches=1))
    most = trees[0].branches[0]
    assert top.branches == (most,) and top.unexplored == pytest.approx(1 - most.probability)
    always = reply_trees(open_model("scripted:always-yes"), queries[:1], Decoding(), TreeBudget())
    assert always[0].branches == (ReplyBranch("yes", 1.0, True),)
    failing = reply_trees(
        open_model("scripted:oracle?fail=1"), queries[:2], Decoding(), TreeBudget()
    )
    assert [t.error for t in failing] == ["scripted failure"] * 2


def test_a_backend_without_trees_names_those_with_them(tmp_path: Any) -> None:
    cached = CachedModel(open_model("scripted:oracle"), ResponseCache(tmp_path / "c.sqlite"))
    openai = OpenAIModel.__new__(OpenAIModel)
    openai._model = "tiny"
    vllm = VLLMModel.__new__(VLLMModel)
    vllm._model_id = "Qwen/Qwen2.5-VL-7B-Instruct"
    for model in (cached, openai, vllm):
        assert not isinstance(model, TreeBackend)
        with pytest.raises(UsageError, match=r"backends that can: hf:, scripted:$") as raised:
            reply_trees(model, [keyed(0)], Decoding(), TreeBudget())  # type: ignore[arg-type]
        assert "\n" not in str(raised.value)


def test_records_are_checked_and_round_trip() -> None:
    branches = (ReplyBranch("Yes.", 0.5, True), ReplyBranch("No", 0.25, False))
    tree = ReplyTree(branches, 0.25, 7, "m", "r", {"temperature": 1.0}, 0.1)
    assert ReplyTree.from_dict(json.loads(json.dumps(tree.to_dict()))) == tree
    assert tree.bounds(lambda text: text.startswith("Y")) == (0.5, 0.75)
    failed = ReplyTree.failure("m", "r", Decoding(), RuntimeError("boom\ntrace"))
    assert ReplyTree.from_dict(failed.to_dict()) == failed and failed.error == "RuntimeError: boom"
    with pytest.raises(UsageError, match="together they must make 1"):
        ReplyTree(branches, 0.5, 7, "m", "r", {}, 0.1)
    with pytest.raises(UsageError, match="most probable first"):
        ReplyTree(branches[::-1], 0.25, 7, "m", "r", {}, 0.1)
    with pytest.raises(UsageError, match="tokens=0 must be at least 1"):
        TreeBudget(tokens=0)
    with pytest.raises(UsageError, match="branches=0 must be at least 1"):
        TreeBudget(branches=0)
