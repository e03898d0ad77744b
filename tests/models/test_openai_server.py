"""The OpenAI-compatible backend against a real server: `transformers serve` over a tiny
Qwen2-VL checkpoint, started on 127.0.0.1 inside the test."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from drivecert import UsageError
from harness.judge import open_judge
from models import Decoding, LoadOptions, ModelQuery, answer_distributions, open_model

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None,
    reason="transformers[serving] is not installed (bash scripts/setup.sh --dev installs it)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    path = ROOT / "scripts" / "make_tiny_models.py"
    spec = importlib.util.spec_from_file_location("make_tiny_models", path)
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    out = tmp_path_factory.mktemp("served") / "qwen2-vl"
    return Path(builder.build_tiny_model("qwen2-vl", out))


@pytest.fixture(scope="module")
def server(checkpoint, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    cache = tmp_path_factory.mktemp("hf-cache")
    env = {**os.environ, "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w")
    command = [
        str(Path(sys.executable).with_name("transformers")),
        "serve",
        str(checkpoint),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"transformers serve did not come up in 120 s; see {log.name}")
    if process.poll() is not None:
        pytest.fail(f"transformers serve exited with {process.returncode}; see {log.name}")
    yield f"{url}/v1"
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def queries() -> list[ModelQuery]:
    questions = (
        "Is it necessary for the vehicle to stop here?",
        "What should the vehicle do now? (A) Stop (B) Slow down and yield (C) Proceed",
        "Does a building block the vehicle's route?",
    )
    out = []
    for i, question in enumerate(questions):
        pixels = np.random.default_rng(i).integers(0, 255, (96, 160 + 32 * i, 3), dtype=np.uint8)
        out.append(ModelQuery.ask([Image.fromarray(pixels)], question))
    return out


def test_server_answers_match_the_local_transformers_path(server, checkpoint) -> None:
    decoding = Decoding(max_new_tokens=8)
    remote = open_model(f"openai:{checkpoint}@{server}", LoadOptions(concurrency=2))
    answers = remote.generate(queries(), decoding)
    assert len(answers) == 3
    assert all(a.model == str(checkpoint) and a.latency_s > 0 for a in answers)
    # same weights, chat template and image preprocessing, greedy: the same text
    local = open_model(f"hf:{checkpoint}").generate(queries(), decoding)
    assert [a.text for a in answers] == [a.text for a in local]
    remote.close()


def test_the_model_judge_reads_the_same_through_the_server_as_locally(server, checkpoint) -> None:
    """Issue 16: a model judge through `transformers serve` judges as the local path does."""
    replies = [
        ("There is no traffic in my lane.", "Is there traffic in your lane?"),
        ("It is hard to tell from the image.", "Is it necessary for the vehicle to stop here?"),
    ]
    remote = open_judge(f"model:openai:{checkpoint}@{server}")
    local = open_judge(f"model:hf:{checkpoint}")
    served = [remote.read(reply, "yes_no", question) for reply, question in replies]
    assert served == [local.read(reply, "yes_no", question) for reply, question in replies]
    assert all(answer in ("yes", "no", None) for answer in served)


def test_answer_distributions_through_transformers_serve_say_it_has_no_logprobs(
    server, checkpoint
) -> None:
    """`transformers serve` ignores logprobs=true (it answers without them): one UsageError
    that names what to use instead, not a failed record per query."""
    remote = open_model(f"openai:{checkpoint}@{server}")
    query = ModelQuery.ask(queries()[0].images, "Is the road wet? Answer yes or no.")
    with pytest.raises(UsageError, match=r"returns no logprobs.*--observe greedy") as raised:
        answer_distributions(remote, [query], Decoding(temperature=1.0))
    assert "\n" not in str(raised.value)
    remote.close()
