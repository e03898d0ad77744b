"""Answer distributions: what counts as an answer, and each backend's probabilities.

The transformers path is checked on the tiny random Qwen2-VL (``tiny_spec``) against
teacher-forced scoring of every answer continuation and against sampling; vLLM and HTTP
conversions on constructed logprobs; scripted models against their stated rates.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image
from scipy.stats import binomtest

from drivecert import ACTION_CHOICES_TEXT, ANSWERS, UsageError
from models import (
    AnswerDistribution,
    AnswerKey,
    CachedModel,
    Decoding,
    LoadOptions,
    ModelQuery,
    ResponseCache,
    answer_distributions,
    classify,
    open_model,
)
from models._answer_tokens import PREFIX, TokenTable, from_top_logprobs
from models._openai import OpenAIModel
from models._vllm import VLLMModel

YES_NO = "Is the light red? Answer yes or no."
ACTION = f"What should the vehicle do? {ACTION_CHOICES_TEXT}. Answer with the letter of one option."


def scene(seed: int) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 255, (96, 160, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        ("Yes", "yes_no", "yes"),
        (" yes.", "yes_no", "yes"),
        ("NO", "yes_no", "no"),
        ("Yesterday", "yes_no", None),
        ("Y", "yes_no", PREFIX),
        (" ", "yes_no", PREFIX),
        ("A", "action", "stop"),
        (" (B)", "action", "yield"),
        ("(", "action", PREFIX),
        ("S", "action", PREFIX),  # Stop or Slow
        ("Slow down", "action", "yield"),
        ("As", "action", None),
        ("a", "action", None),
        ("Yes", "action", None),
    ],
)
def test_classify_reads_reply_starts(text: str, kind: Any, reading: str | None) -> None:
    assert classify(text, kind) == reading


def test_a_prefix_counts_once_through_its_second_tokens() -> None:
    texts = ["(", "A", "B", "C)", "x", " ", "Yes"]
    table = TokenTable.build(texts, "action")
    assert table.answers == {1: "stop", 2: "yield", 3: "proceed"} and table.prefixes == (0, 5)
    assert table.second_answers(0) == {1: "stop", 2: "yield", 3: "proceed"}  # "(A", "(B"...
    assert table.second_answers(5) == {1: "stop", 2: "yield", 3: "proceed"}  # " A"...


def test_top_logprobs_sum_only_deciding_tokens() -> None:
    top = [("Yes", math.log(0.5)), (" yes", math.log(0.1)), ("No", math.log(0.2)),
           ("Y", math.log(0.1)), ("Yes", math.log(0.5))]  # fmt: skip
    probabilities, other = from_top_logprobs(top, "yes_no")
    assert probabilities == pytest.approx({"yes": 0.6, "no": 0.2})
    assert other == pytest.approx(0.2)


# --- transformers, on the tiny checkpoint -------------------------------------------------

T = 0.7


@pytest.fixture(scope="module")
def tiny(tiny_spec: str, one_thread: None) -> Any:
    return open_model(tiny_spec, LoadOptions(batch_size=4, device="cpu"))


def teacher_forced(model: Any, query: ModelQuery, tokens: list[int]) -> Any:
    """Log-probabilities (temperature T, suppressed tokens removed) at every position after
    the prompt, with ``tokens`` appended: row k is the distribution of the k-th new token."""
    import torch

    inputs = dict(model.prepare([query], Decoding(temperature=T)))
    appended = torch.tensor([tokens], dtype=torch.long)
    for name in ("input_ids", "attention_mask", "mm_token_type_ids"):
        fill = (
            appended
            if name == "input_ids"
            else torch.full_like(appended, int(name == "attention_mask"))
        )
        inputs[name] = torch.cat([inputs[name], fill], dim=1)
    with torch.inference_mode():
        logits = model.model(**inputs).logits[0].double()
    start = logits.shape[0] - len(tokens) - 1
    scores = logits[start:] / T
    suppressed = model.model.generation_config.suppress_tokens or []
    scores[:, suppressed] = -torch.inf
    return torch.log_softmax(scores, dim=-1)


def token_texts(model: Any) -> list[str]:
    tokenizer = model.processor.tokenizer
    return [tokenizer.decode([i]) for i in range(len(tokenizer))]


def reference(model: Any, query: ModelQuery, kind: Any) -> dict[str, float]:
    """Every one- and two-token reply start, scored by teacher forcing, summed per answer."""
    texts = token_texts(model)
    first = teacher_forced(model, query, [])[0].exp()
    mass = dict.fromkeys(ANSWERS[kind], 0.0)
    for token, text in enumerate(texts):
        reading = classify(text, kind) if text else None
        if reading == PREFIX:
            pair = teacher_forced(model, query, [token])  # row 0: this token, row 1: the next
            for second, tail in enumerate(texts):
                joined = classify(text + tail, kind)
                if joined not in (None, PREFIX):
                    mass[joined] += float((pair[0, token] + pair[1, second]).exp())
        elif reading is not None:
            mass[reading] += float(first[token])
    return mass


@pytest.mark.parametrize(("question", "kind"), [(YES_NO, "yes_no"), (ACTION, "action")])
def test_one_pass_equals_teacher_forced_scoring(tiny: Any, question: str, kind: Any) -> None:
    query = ModelQuery.ask([scene(1)], question)
    found = tiny.answer_distribution([query], Decoding(temperature=T))[0]
    assert found.ok and found.kind == kind
    expected = reference(tiny, query, kind)
    assert found.probabilities == pytest.approx(expected, abs=1e-5)
    assert sum(found.probabilities.values()) + found.other == pytest.approx(1, abs=1e-9)


def test_the_checkpoints_repetition_penalty_is_applied_as_generate_applies_it(tiny: Any) -> None:
    """Qwen2-VL checkpoints set repetition_penalty 1.05: generate penalises every token of
    the prompt at the answer position, so the distribution must too (transformers' own
    processor is the reference); a setting that is not reproduced fails the query."""
    import torch
    from transformers import RepetitionPenaltyLogitsProcessor

    from models._hf_answers import AnswerReader

    query = ModelQuery.ask([scene(1)], YES_NO)
    decoding = Decoding(temperature=T)
    config = tiny.model.generation_config
    inputs = tiny.prepare([query], decoding)
    with torch.inference_mode():
        logits = tiny.model(**inputs).logits[:, -1, :].double()
    plain = AnswerReader(tiny).next_probabilities(inputs, decoding)[0]
    saved = (config.repetition_penalty, config.no_repeat_ngram_size)
    config.repetition_penalty = 1.5
    try:
        found = AnswerReader(tiny).next_probabilities(inputs, decoding)[0]
        penalised = RepetitionPenaltyLogitsProcessor(1.5)(inputs["input_ids"], logits.clone())
        penalised[:, list(config.suppress_tokens or [])] = -torch.inf
        expected = torch.softmax(penalised / T, dim=-1)[0]
        assert torch.allclose(found, expected, atol=1e-9)
        assert (found - plain).abs().max() > 1e-5  # the penalty changes it
        config.no_repeat_ngram_size = 2
        (failed,) = tiny.answer_distribution([query], decoding)
        assert failed.status == "failed" and "no_repeat_ngram_size" in (failed.error or "")
    finally:
        config.repetition_penalty, config.no_repeat_ngram_size = saved
    assert tiny.answer_distribution([query], decoding)[0].ok


def test_a_batch_reads_as_each_query_alone(tiny: Any) -> None:
    queries = [ModelQuery.ask([scene(i)], q) for i, q in enumerate((YES_NO, ACTION, YES_NO))]
    queries.append(ModelQuery.ask([scene(3)], "Describe the scene."))  # no kind: fails alone
    together = tiny.answer_distribution(queries, Decoding(temperature=T))
    assert [d.status for d in together] == ["ok", "ok", "ok", "failed"]
    assert "yes/no or action" in (together[3].error or "")
    (alone,) = tiny.answer_distribution(queries[3:], Decoding(temperature=T))
    assert alone.status == "failed" and alone.error == together[3].error
    for query, batched in zip(queries[:3], together, strict=False):
        alone = tiny.answer_distribution([query], Decoding(temperature=T))[0]
        assert batched.probabilities == pytest.approx(alone.probabilities, abs=1e-5)


def sampled_answer(texts: list[str], tokens: tuple[int, ...], kind: Any) -> str | None:
    reading = classify(texts[tokens[0]], kind)
    if reading == PREFIX and len(tokens) > 1:
        reading = classify(texts[tokens[0]] + texts[tokens[1]], kind)
    return None if reading == PREFIX else reading


def assert_within_binomial(
    counts: dict[str | None, int], n: int, found: AnswerDistribution
) -> None:
    for answer, p in found.probabilities.items():
        interval = binomtest(counts.get(answer, 0), n, p).proportion_ci(0.9999)
        assert interval.low <= p <= interval.high, (answer, counts, p)


def skewed(spec: str, query: ModelQuery, boosts: dict[str, float]) -> Any:
    """The tiny model with the logits of some tokens raised by ``boosts`` at the answer
    position of ``query`` (their output rows moved along its last hidden state), so that
    answers, and the prefix ``(``, carry much of the mass."""
    import torch

    model = open_model(spec, LoadOptions(batch_size=500, device="cpu"))
    head = model.model.get_output_embeddings()  # type: ignore[attr-defined]
    seen: list[Any] = []
    hook = head.register_forward_hook(lambda _m, args, _out: seen.append(args[0][0, -1]))
    with torch.inference_mode():
        model.model(**model.prepare([query], Decoding()))  # type: ignore[attr-defined]
    hook.remove()
    hidden = seen[0].clone()
    texts = token_texts(model)
    with torch.no_grad():
        for text, boost in boosts.items():
            head.weight[texts.index(text)] += boost * hidden / hidden.dot(hidden)
    return model


def test_sampling_lands_on_each_answer_at_its_probability(tiny_spec: str, one_thread: None) -> None:
    import torch

    query = ModelQuery.ask([scene(2)], ACTION)
    model = skewed(tiny_spec, query, {"A": 3.5, "(": 4.0, " Yield": 3.5, "C": 3.5})
    decoding = Decoding(temperature=T, max_new_tokens=2)
    found = model.answer_distribution([query], decoding)[0]  # type: ignore[attr-defined]
    assert found.probabilities == pytest.approx(reference(model, query, "action"), abs=1e-5)
    assert min(found.probabilities.values()) > 0.02 and found.other > 0.02
    texts = token_texts(model)
    # 10,000 two-token replies from the model's own next-token distributions
    generator = torch.Generator().manual_seed(0)
    first = teacher_forced(model, query, [])[0].exp()
    counts: dict[str | None, int] = {}
    for token, times in zip(
        *torch.unique(
            torch.multinomial(first, 10_000, True, generator=generator), return_counts=True
        ),
        strict=True,
    ):
        seconds = [0] * int(times)
        if classify(texts[int(token)], "action") == PREFIX:
            after = teacher_forced(model, query, [int(token)])[1].exp()
            seconds = torch.multinomial(after, int(times), True, generator=generator).tolist()
        for second in seconds:
            answer = sampled_answer(texts, (int(token), int(second)), "action")
            counts[answer] = counts.get(answer, 0) + 1
    assert_within_binomial(counts, 10_000, found)
    # and 400 replies from the backend's own generate (do_sample at temperature T)
    torch.manual_seed(1)
    generated = model.generate_detailed([query] * 400, decoding)  # type: ignore[attr-defined]
    counts = {}
    for g in generated:
        answer = sampled_answer(texts, g.tokens, "action")
        counts[answer] = counts.get(answer, 0) + 1
    assert_within_binomial(counts, 400, found)


def test_greedy_and_top_p_follow_transformers_warpers(tiny: Any) -> None:
    import torch
    from transformers import TemperatureLogitsWarper, TopPLogitsWarper

    from models._hf_answers import next_token_probabilities

    logits = torch.randn(3, 50, generator=torch.Generator().manual_seed(0)) * 3
    ours = next_token_probabilities(logits, Decoding(temperature=0.8, top_p=0.6))
    warped = TopPLogitsWarper(0.6)(None, TemperatureLogitsWarper(0.8)(None, logits.double()))
    assert torch.allclose(ours, torch.softmax(warped, -1), atol=1e-9)
    greedy = next_token_probabilities(logits, Decoding())
    assert torch.equal(greedy.argmax(-1), logits.argmax(-1)) and bool((greedy.sum(-1) == 1).all())
    query = ModelQuery.ask([scene(4)], YES_NO)
    found = tiny.answer_distribution([query], Decoding())[0]
    assert found.ok and all(p in (0.0, 1.0) for p in (*found.probabilities.values(), found.other))


# --- vLLM and OpenAI-compatible conversions -----------------------------------------------


def logprob(text: str, p: float) -> Any:
    return SimpleNamespace(logprob=math.log(p), rank=1, decoded_token=text)


class FakeLLM:
    def __init__(self, steps: list[dict[int, Any]] | Exception) -> None:
        self.steps = steps
        self.sampling: Any = None

    def chat(self, conversations: list[Any], sampling: Any, **kwargs: Any) -> list[Any]:
        self.sampling = sampling
        if isinstance(self.steps, Exception):
            raise self.steps
        return [
            SimpleNamespace(outputs=[SimpleNamespace(text="", logprobs=[step])])
            for step, _ in zip(self.steps, conversations, strict=True)
        ]


def fake_vllm(llm: FakeLLM) -> VLLMModel:
    model = VLLMModel.__new__(VLLMModel)
    model.vllm = SimpleNamespace(SamplingParams=lambda **kwargs: kwargs)
    model.llm = llm
    model._model_id, model._revision = "Qwen/Qwen2.5-VL-7B-Instruct", "abc"
    return model


def test_vllm_logprobs_become_distributions() -> None:
    llm = FakeLLM([
        {1: logprob("A", 0.5), 2: logprob(" B", 0.2), 3: logprob("(", 0.2), 4: logprob("Go", 0.05)},
        {5: logprob("No", 0.9)},
    ])  # fmt: skip
    queries = [ModelQuery.ask([scene(0)], ACTION), ModelQuery.ask([scene(0)], "Hm?"),
               ModelQuery.ask([scene(0)], YES_NO)]  # fmt: skip
    found = fake_vllm(llm).answer_distribution(queries, Decoding(temperature=0.5))
    assert llm.sampling["max_tokens"] == 1 and llm.sampling["logprobs"] == 20
    assert found[0].probabilities == pytest.approx({"stop": 0.5, "yield": 0.2, "proceed": 0.05})
    assert found[0].other == pytest.approx(0.25)  # "(" is a prefix: not attributed
    assert found[1].status == "failed" and found[2].probabilities["no"] == pytest.approx(0.9)


def test_a_vllm_engine_error_fails_every_query() -> None:
    found = fake_vllm(FakeLLM(RuntimeError("CUDA error"))).answer_distribution(
        [ModelQuery.ask([], YES_NO)] * 2, Decoding()
    )
    assert [d.error for d in found] == ["RuntimeError: CUDA error"] * 2


def fake_openai(body: dict[str, Any]) -> OpenAIModel:
    model = OpenAIModel.__new__(OpenAIModel)
    model._model, model.base_url, model._revision = "tiny", "http://127.0.0.1:9/v1", "r"
    model.options = LoadOptions()
    model.sent = []  # type: ignore[attr-defined]
    model._post = lambda payload: model.sent.append(payload) or body  # type: ignore[attr-defined, method-assign]
    return model


def test_openai_top_logprobs_become_distributions() -> None:
    top = [{"token": "Yes", "logprob": math.log(0.7)}, {"token": " no", "logprob": math.log(0.2)}]
    body = {
        "choices": [
            {"message": {"content": "Yes"}, "logprobs": {"content": [{"top_logprobs": top}]}}
        ]
    }
    model = fake_openai(body)
    found = model.answer_distribution([ModelQuery.ask([scene(0)], YES_NO)], Decoding(temperature=1))
    assert found[0].probabilities == pytest.approx({"yes": 0.7, "no": 0.2})
    sent = model.sent[0]  # type: ignore[attr-defined]
    assert sent["logprobs"] is True and sent["top_logprobs"] == 20 and sent["max_tokens"] == 1


def test_a_server_without_logprobs_is_a_usage_error() -> None:
    model = fake_openai({"choices": [{"message": {"content": "Yes"}, "logprobs": None}]})
    with pytest.raises(UsageError, match=r"returns no logprobs.*--observe greedy") as raised:
        model.answer_distribution([ModelQuery.ask([], YES_NO)], Decoding())
    assert "\n" not in str(raised.value)


# --- scripted models and the capability check ---------------------------------------------


def keyed(sample: int, condition: dict[str, str] | None = None) -> ModelQuery:
    key = AnswerKey("action", ("stop",), ("proceed",), ANSWERS["action"], condition or {},
                    seed=7, sample=sample, question="light")  # fmt: skip
    return ModelQuery.ask([], ACTION, key=key)


def test_scripted_noisy_draws_per_scene_probabilities_around_its_rate() -> None:
    model = open_model("scripted:noisy?error=0.1&weather.Rain=0.6")
    clear = model.answer_distribution([keyed(i) for i in range(2000)], Decoding())  # type: ignore[attr-defined]
    wrong = np.array([d.probabilities["proceed"] for d in clear])
    assert abs(wrong.mean() - 0.1) < 0.01 and wrong.std() > 0.02
    assert all(
        d.probabilities["stop"] + d.probabilities["proceed"] == pytest.approx(1) for d in clear
    )
    again = model.answer_distribution([keyed(5)], Decoding())[0]  # type: ignore[attr-defined]
    assert again.probabilities == clear[5].probabilities
    rain = model.answer_distribution(
        [keyed(i, {"weather": "Rain"}) for i in range(2000)], Decoding()
    )  # type: ignore[attr-defined]
    assert abs(np.mean([d.probabilities["proceed"] for d in rain]) - 0.6) < 0.02


def test_scripted_fixed_models_and_failures() -> None:
    oracle = open_model("scripted:oracle").answer_distribution([keyed(0)], Decoding())[0]  # type: ignore[attr-defined]
    assert oracle.probabilities == {"stop": 1.0, "yield": 0.0, "proceed": 0.0}
    yes = open_model("scripted:always-yes").answer_distribution([keyed(0)], Decoding())[0]  # type: ignore[attr-defined]
    assert yes.other == 1.0
    failing = open_model("scripted:noisy?error=0.1&fail=1").answer_distribution(
        [keyed(0)], Decoding()
    )  # type: ignore[attr-defined]
    assert failing[0].status == "failed" and failing[0].error == "scripted failure"


def test_a_backend_without_the_capability_names_those_with_it(tmp_path: Any) -> None:
    cached = CachedModel(open_model("scripted:oracle"), ResponseCache(tmp_path / "c.sqlite"))
    with pytest.raises(UsageError, match=r"backends that can: hf:, openai:, scripted:, vllm:$"):
        answer_distributions(cached, [keyed(0)], Decoding())
    found = answer_distributions(open_model("scripted:oracle"), [keyed(0)], Decoding())
    assert found[0].ok


def test_distribution_records_are_checked_and_round_trip() -> None:
    record = AnswerDistribution("yes_no", {"yes": 0.25, "no": 0.5}, 0.25, "m", "r", {}, 0.1)
    assert AnswerDistribution.from_dict(record.to_dict()) == record
    with pytest.raises(UsageError, match="sum to"):
        AnswerDistribution("yes_no", {"yes": 0.25, "no": 0.5}, 0.5, "m", "r", {}, 0.1)
    with pytest.raises(UsageError, match="give exactly yes, no"):
        AnswerDistribution("yes_no", {"no": 0.5, "yes": 0.5}, 0.0, "m", "r", {}, 0.1)
