"""Runs to report on: a known-answer run, and one whose model answers with injections."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.run import Hooks, build_config, run
from models import Response, open_model

PAYLOADS = (
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    '<a href="javascript:window.__pwned = 3">click me</a>',
    "</textarea><script>window.__pwned = 4</script>",
    '"><svg onload="window.__pwned = 5">',
    "</pre></dd></dl></div><script>window.__pwned = 6</script>",
    '<style>body{display:none}</style><iframe src="https://example.com"></iframe>',
)

SETTINGS = {
    "scenario": "right_turn",
    "conditions": "weather=ClearNoon,control=light_red;weather=HardRainNoon,control=light_red",
    "n_max": 12,
    "seed": 5,
    "render": {"width": 320, "height": 180},
}


class Injecting:
    """Answers every query with one of the payloads (so every answer is unparseable)."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.model_id, self.revision = inner.model_id, inner.revision

    def generate(self, queries, decoding):  # type: ignore[no-untyped-def]
        responses = self.inner.generate(queries, decoding)
        return [
            Response(
                PAYLOADS[(q.key.sample + len(q.question)) % len(PAYLOADS)],
                r.model,
                r.revision,
                r.decoding,
                r.latency_s,
            )
            for q, r in zip(queries, responses, strict=True)
        ]

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="session")
def noisy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "noisy"
    model = "scripted:noisy?error=0.2&weather.HardRainNoon=0.8&style=free&fail=0.05"
    run(build_config({**SETTINGS, "model": model, "retries": 0}, {}, "test"), out)
    return out


@pytest.fixture(scope="session")
def injected_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "injected"
    hooks = Hooks(open_model=lambda spec, options: Injecting(open_model(spec, options)))
    config = build_config({**SETTINGS, "model": "scripted:oracle", "n_max": 4}, {}, "test")
    run(config, out, hooks=hooks)
    return out
