"""The OpenAI-compatible client's retries and error lines, against a local failing server.

The happy path runs against a real server (`transformers serve`) in test_openai_server.py;
this file covers what a healthy server never does: 429s, 5xx and refusals.
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


def handler_for(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = json.dumps({"data": [{"id": "tiny", "created": 123}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            script.requests.append(json.loads(self.rfile.read(length)))
            script.headers.append(dict(self.headers))
            status = script.statuses.pop(0) if script.statuses else 200
            if status == 200:
                payload = {"choices": [{"message": {"content": " Yes. "}}]}
            else:
                payload = {"error": "busy" if status != 400 else "bad request"}
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if status == 429:
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(body)

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
    assert model.revision == f"{url}#created=123"
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
    with pytest.raises(DrivecertError) as error:
        model.generate([query()], Decoding())
    assert "returned 503 after retries" in str(error.value)
    assert SECRET not in str(error.value) and len(script.requests) == 3


@pytest.mark.parametrize("server", [[400]], indirect=True)
def test_client_errors_are_not_retried(server, monkeypatch) -> None:
    url, script = server
    monkeypatch.setenv("MY_KEY", SECRET)
    model = open_model(f"openai:tiny@{url}?key_env=MY_KEY")
    with pytest.raises(DrivecertError, match="returned 400: ") as error:
        model.generate([query()], Decoding())
    assert SECRET not in str(error.value) and len(script.requests) == 1
    assert script.headers[0]["Authorization"] == f"Bearer {SECRET}"


def test_unreachable_server_is_one_line(monkeypatch) -> None:
    monkeypatch.setattr("models._openai._backoff", lambda attempt, retry_after: 0.0)
    model = open_model("openai:tiny@http://127.0.0.1:9/v1", LoadOptions(retries=1))
    with pytest.raises(DrivecertError, match="did not answer after 2 attempts"):
        model.generate([query()], Decoding())


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
