"""Queries and responses: precomputed image ids, failed responses, JSON round trips."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from drivecert import DrivecertError, UsageError, pixel_sha256
from models import AnswerKey, Decoding, ModelQuery, Response, image_sha256


def frame(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(9, 16, 3), dtype=np.uint8)


def test_image_ids_stand_in_for_hashing_the_images() -> None:
    frames = [frame(1), frame(2)]
    images = [Image.fromarray(f) for f in frames]
    ids = [pixel_sha256(f) for f in frames]
    given = ModelQuery.ask(images, "Is it necessary to stop?", image_ids=ids)
    hashed = ModelQuery.ask(images, "Is it necessary to stop?")
    assert given.image_ids == tuple(ids) and hashed.image_ids is None
    assert given.image_hashes() == hashed.image_hashes() == tuple(ids)
    assert image_sha256 is pixel_sha256


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["a" * 64], r"1 image_ids for 2 image\(s\); pass one pixel_sha256 per image"),
        (["a" * 64, "b" * 63], r"image_ids\[1\]='b{63}' is not a sha256 hex digest"),
        (["a" * 64, "A" * 64], r"image_ids\[1\]='A{64}' .* lowercase"),
    ],
)
def test_bad_image_ids_are_one_line(ids: list[str], message: str) -> None:
    images = [Image.new("RGB", (4, 4)), Image.new("RGB", (4, 4), "red")]
    with pytest.raises(UsageError, match=message):
        ModelQuery.ask(images, "Stop?", image_ids=ids)


def test_responses_round_trip_through_json() -> None:
    ok = Response("Yes.", "m", "r1", Decoding().to_dict(), 0.25)
    failed = Response.failure("m", "r1", Decoding(max_new_tokens=3), "server said 503", 1.5)
    for response in (ok, failed):
        again = Response.from_dict(json.loads(json.dumps(response.to_dict())))
        assert again == response
    assert ok.ok and ok.status == "ok" and ok.error is None
    assert not failed.ok and failed.status == "failed" and failed.text == ""
    assert failed.error == "server said 503" and failed.decoding["max_new_tokens"] == 3
    old = {k: v for k, v in ok.to_dict().items() if k not in ("status", "error")}
    assert Response.from_dict(old) == ok  # records from before status existed
    with pytest.raises(UsageError, match=r"unknown response fields \['colour'\]"):
        Response.from_dict({**ok.to_dict(), "colour": "red"})


def test_failure_makes_any_error_one_line() -> None:
    def error_of(error: str | BaseException) -> str | None:
        return Response.failure("m", "r", {}, error).error

    assert error_of(RuntimeError("CUDA error\nTraceback ...")) == "RuntimeError: CUDA error"
    assert error_of(DrivecertError("http://h/v1 returned 503")) == "http://h/v1 returned 503"
    assert error_of("\n\n  late line  \n") == "late line"
    assert error_of("") == "failed"
    assert len(error_of("x" * 2000) or "") == 500


def test_status_and_error_must_agree() -> None:
    with pytest.raises(UsageError, match="a failed response needs a one-line error"):
        Response("", "m", "r", {}, 0.0, status="failed")
    with pytest.raises(UsageError, match="an ok response has error='boom'"):
        Response("x", "m", "r", {}, 0.0, error="boom")
    with pytest.raises(UsageError, match="response status 'lost'; valid: ok, failed"):
        Response("x", "m", "r", {}, 0.0, status="lost")  # type: ignore[arg-type]


def test_answer_key_kinds_are_the_core_vocabulary() -> None:
    with pytest.raises(UsageError, match="answer key kind 'essay'; valid: yes_no, action"):
        AnswerKey("essay", ("a",), (), ("a", "b"))  # type: ignore[arg-type]
