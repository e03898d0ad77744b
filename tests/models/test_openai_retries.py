"""The OpenAI-compatible client's retries and failures, against a local failing server.

The happy path runs against a real server (`transformers serve`) in test_openai_server.py;
this file covers what a healthy server never does: 429s, 5xx and refusals. A request that
still fails is a failed response of its query, never an exception for the whole batch.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from drivecert import DrivecertError, UsageError
from models import Decoding, LoadOptions, ModelQuery, open_model
from models._openai import parse_openai

SECRET = "sk-test-never-print-me"


class Script:
    """Status codes to answer with, in order; then 200s."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []


def reply(handler: BaseHTTPRequestHandler, status: int, payload: object) -> None:
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    if status == 429:
        handler.send_header("Retry-After", "0")
    handler.end_headers()
    handler.wfile.write(body)


def handler_for(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            reply(self, 200, {"data": [{"id": "tiny", "created": 123}]})

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            script.requests.append(json.loads(self.rfile.read(length)))
            script.headers.append(dict(self.headers))
            status = script.statuses.pop(0) if script.statuses else 200
            if status == 200:
                payload: object = {"choices": [{"message": {"content": " Yes. "}}]}
            else:
                payload = {"error": "busy" if status != 400 else "bad request"}
            reply(self, status, payload)

    return Handler


@pytest.fixture
def server(request) -> Iterator[tuple[str, Script]]:
    script = Script(list(request.param))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(script))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    httpd.shutdown()


def query() -> ModelQuery:
    return ModelQuery.ask([Image.new("RGB", (4, 4), "red")], "Is it necessary to stop?")


@pytest.mark.parametrize("server", [[429, 503, 500]], indirect=True)
def test_retries_then_succeeds(server, monkeypatch) -> None:
    url, script = server
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setattr("models._openai._backoff", lambda attempt, retry_after: 0.0)
    model = open_model(f"openai:tiny@{url}", LoadOptions(retries=3))
    (response,) = model.generate([query()], Decoding(max_new_tokens=5))
    assert response.text == "Yes."
    assert len(script.requests) == 4
    assert model.revision == url  # created is a request time on vLLM: not part of it
    sent = script.requests[-1]
    assert sent["model"] == "tiny" and sent["max_tokens"] == 5 and sent["temperature"] == 0
    image = sent["messages"][0]["content"][0]
    assert image["type"] == "image_url" and image["image_url"]["url"].startswith(
        "data:image/png;base64,"
    )
    assert script.headers[-1]["Authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize("server", [[503, 503, 503]], indirect=True)
def test_gives_up_after_the_bounded_retries(server, monkeypatch) -> None:
    url, script = server
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setattr("models._openai._backoff", lambda attempt, retry_after: 0.0)
    model = open_model(f"openai:tiny@{url}", LoadOptions(retries=2))
    (response,) = model.generate([query()], Decoding())
    assert response.status == "failed" and response.text == ""
    assert response.error is not None and "returned 503 after retries" in response.error
    assert SECRET not in response.error and len(script.requests) == 3
    assert response.model == "tiny" and response.latency_s >= 0


@pytest.mark.parametrize("server", [[400]], indirect=True)
def test_client_errors_are_not_retried(server, monkeypatch) -> None:
    url, script = server
    monkeypatch.setenv("MY_KEY", SECRET)
    model = open_model(f"openai:tiny@{url}?key_env=MY_KEY")
    (response,) = model.generate([query()], Decoding())
    assert response.status == "failed" and "returned 400: " in (response.error or "")
    assert SECRET not in (response.error or "") and len(script.requests) == 1
    assert script.headers[0]["Authorization"] == f"Bearer {SECRET}"


def test_unreachable_server_is_one_line(monkeypatch) -> None:
    monkeypatch.setattr("models._openai._backoff", lambda attempt, retry_after: 0.0)
    model = open_model("openai:tiny@http://127.0.0.1:9/v1", LoadOptions(retries=1))
    responses = model.generate([query(), query()], Decoding())
    assert [r.status for r in responses] == ["failed", "failed"]
    assert "did not answer after 2 attempts" in (responses[0].error or "")


POISON = "Is the poisoned question answered?"


@pytest.fixture
def poisoned_server(request) -> Iterator[tuple[str, list[str]]]:
    """Answers every question "No." except POISON, which gets ``request.param``."""
    status, payload = request.param
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            reply(self, 200, {"data": []})

        def do_POST(self) -> None:
            sent = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            question = sent["messages"][-1]["content"][-1]["text"]
            asked.append(question)
            if question == POISON:
                reply(self, status, payload)
            else:
                reply(self, 200, {"choices": [{"message": {"content": "No."}}]})

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", asked
    httpd.shutdown()


@pytest.mark.parametrize(
    ("poisoned_server", "error"),
    [
        ((503, {"error": "busy"}), "returned 503 after retries"),
        ((200, {"choices": []}), "answered without text in choices[0].message.content"),
        ((200, {"choices": [{"message": {"content": ["A"]}}]}), "without text"),
    ],
    indirect=["poisoned_server"],
)
def test_one_failing_request_leaves_the_rest_of_the_batch_answered(
    poisoned_server, error: str, monkeypatch
) -> None:
    url, asked = poisoned_server
    monkeypatch.setattr("models._openai._backoff", lambda attempt, retry_after: 0.0)
    model = open_model(f"openai:tiny@{url}", LoadOptions(retries=2, concurrency=4))
    questions = [f"Question {i}?" for i in range(8)]
    questions[3] = POISON
    batch = [ModelQuery.ask([Image.new("RGB", (4, 4), "red")], q) for q in questions]
    responses = model.generate(batch, Decoding())
    assert [r.status for r in responses].count("ok") == 7
    assert responses[3].status == "failed" and error in (responses[3].error or "")
    assert all(r.text == "No." for i, r in enumerate(responses) if i != 3)
    assert asked.count(POISON) == (3 if "503" in error else 1)  # only 5xx is retried


def test_spec_parsing() -> None:
    assert parse_openai("Qwen/Qwen2-VL@http://h:8000/v1/") == (
        "Qwen/Qwen2-VL",
        "http://h:8000/v1",
        "OPENAI_API_KEY",
    )
    assert parse_openai("m@https://api.x/v1?key_env=X_KEY")[2] == "X_KEY"
    for bad in ("m", "m@ftp://x", "@http://x", "m@http://x?token=1"):
        with pytest.raises(UsageError):
            parse_openai(bad)


def test_vllm_missing_is_one_line() -> None:
    pytest.importorskip("torch")
    try:
        import vllm  # noqa: F401

        pytest.skip("vLLM is installed here")
    except ImportError:
        pass
    with pytest.raises(DrivecertError, match="needs vLLM, which runs on CUDA GPUs only"):
        open_model("vllm:Qwen/Qwen2.5-VL-7B-Instruct")


def _models_server(entries: list[dict]) -> tuple[ThreadingHTTPServer, str]:
    """A server whose /models answers ``entries`` (``created`` set to the request time)."""
    import time

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            stamped = [{**e, "created": time.time_ns()} for e in entries]
            reply(self, 200, {"object": "list", "data": stamped})

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/v1"


def test_revision_ignores_vllms_request_time_and_follows_what_is_served() -> None:
    qwen = {"id": "qwen", "root": "/models/Qwen2-VL-7B", "max_model_len": 4096}
    httpd, url = _models_server([qwen])
    try:
        first = open_model(f"openai:qwen@{url}").revision
        again = open_model(f"openai:qwen@{url}").revision
    finally:
        httpd.shutdown()
    assert first == again and first.startswith(f"{url}#")
    other, url2 = _models_server([{**qwen, "root": "/models/Qwen2.5-VL-7B"}])
    try:
        changed = open_model(f"openai:qwen@{url2}").revision
    finally:
        other.shutdown()
    assert changed.split("#")[1] != first.split("#")[1]
