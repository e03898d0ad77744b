"""The response cache: a second run makes zero model calls."""

from __future__ import annotations

from PIL import Image

from models import (
    AnswerKey,
    CachedModel,
    Decoding,
    ModelQuery,
    ResponseCache,
    cache_key,
    open_model,
)

KEY = AnswerKey("yes_no", ("no",), ("yes",), ("yes", "no"), {}, seed=1, sample=0)


def batch(n: int) -> list[ModelQuery]:
    return [
        ModelQuery.ask(
            [Image.new("RGB", (8, 8), (i, 0, 0))],
            "Is it necessary for the vehicle to stop here?",
            key=AnswerKey("yes_no", ("no",), ("yes",), ("yes", "no"), {}, seed=1, sample=i),
        )
        for i in range(n)
    ]


def test_second_run_makes_zero_model_calls(tmp_path) -> None:
    path = tmp_path / "responses.sqlite"
    first = CachedModel(open_model("scripted:noisy?error=0.3"), ResponseCache(path))
    answers = first.generate(batch(40), Decoding())
    assert first.queried == 40 and not any(r.cached for r in answers)
    first.close()
    again = CachedModel(open_model("scripted:noisy?error=0.3"), ResponseCache(path))
    repeat = again.generate(batch(40), Decoding())
    assert again.queried == 0
    assert [r.text for r in repeat] == [r.text for r in answers]
    assert all(r.cached for r in repeat)
    # only what is new reaches the model
    more = again.generate(batch(50), Decoding())
    assert again.queried == 10 and len(more) == 50


def test_key_covers_model_revision_images_messages_and_decoding() -> None:
    (query,) = batch(1)
    base = cache_key("m", "r1", query, Decoding())
    assert base == cache_key("m", "r1", query, Decoding())
    assert base != cache_key("m2", "r1", query, Decoding())
    assert base != cache_key("m", "r2", query, Decoding())
    assert base != cache_key("m", "r1", query, Decoding(max_new_tokens=8))
    assert base != cache_key("m", "r1", query, Decoding(max_pixels=10_000))
    other_image = ModelQuery.ask([Image.new("RGB", (8, 8), (9, 9, 9))], query.question, key=KEY)
    assert base != cache_key("m", "r1", other_image, Decoding())
    other_text = ModelQuery.ask(list(query.images), "Is a right turn possible?", key=query.key)
    assert base != cache_key("m", "r1", other_text, Decoding())
