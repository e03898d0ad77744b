"""The response cache: a second run makes zero model calls; failures are asked again."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace

import pytest
from PIL import Image

from drivecert import UsageError
from models import (
    AnswerKey,
    CachedModel,
    Decoding,
    ModelQuery,
    Response,
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


class Flaky:
    """Fails the queries whose sample is in ``failing``; answers the others "no"."""

    model_id = "flaky"
    revision = "r1"

    def __init__(self, failing: set[int]) -> None:
        self.failing = failing
        self.asked: list[int] = []

    def generate(self, queries: Sequence[ModelQuery], decoding: Decoding) -> list[Response]:
        out = []
        for query in queries:
            assert query.key is not None
            self.asked.append(query.key.sample)
            if query.key.sample in self.failing:
                out.append(Response.failure("flaky", "r1", decoding, "busy"))
            else:
                out.append(Response("no", "flaky", "r1", decoding.to_dict(), 0.0))
        return out

    def close(self) -> None:
        pass


def test_failed_responses_are_returned_but_never_cached(tmp_path) -> None:
    backend = Flaky(failing={2, 5})
    cached = CachedModel(backend, ResponseCache(tmp_path / "responses.sqlite"))
    first = cached.generate(batch(8), Decoding())
    assert [r.status for r in first].count("failed") == 2 and len(cached.cache) == 6
    assert first[2].error == "busy" and first[3].text == "no"
    backend.asked.clear()
    backend.failing = set()
    second = cached.generate(batch(8), Decoding())
    assert backend.asked == [2, 5]  # only the failures are asked again
    assert all(r.ok for r in second) and len(cached.cache) == 8
    assert [r.cached for r in second] == [True, True, False, True, True, False, True, True]


def test_put_many_is_one_transaction_and_refuses_failures(tmp_path) -> None:
    cache = ResponseCache(tmp_path / "responses.sqlite")
    ok = Response("no", "m", "r", Decoding().to_dict(), 0.1)
    failed = Response.failure("m", "r", Decoding(), "timeout")
    with pytest.raises(UsageError, match=r"cannot cache a failed response \(timeout\)"):
        cache.put_many([("a", ok), ("b", failed)])
    assert len(cache) == 0  # nothing of the batch was stored
    cache.put_many([("a", ok), ("b", ok)])
    assert cache.get_many(["b", "zz", "a"]) == [
        replace(ok, cached=True),
        None,
        replace(ok, cached=True),
    ]
    assert cache.get("zz") is None


def test_cache_file_uses_a_write_ahead_log(tmp_path) -> None:
    path = tmp_path / "responses.sqlite"
    ResponseCache(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_rows_written_before_status_existed_still_read(tmp_path) -> None:
    path = tmp_path / "responses.sqlite"
    old = {
        "text": "yes",
        "model": "m",
        "revision": "r",
        "decoding": {},
        "latency_s": 0.5,
        "cached": False,
    }
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE responses (key TEXT PRIMARY KEY, body TEXT)")
        db.execute("INSERT INTO responses VALUES (?, ?)", ("k", json.dumps(old)))
    response = ResponseCache(path).get("k")
    assert response is not None and response.ok and response.cached and response.text == "yes"
