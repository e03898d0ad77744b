"""One embedded renderer per test process (as in a sweep worker)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.render import RenderSettings
from harness.render._embedded import EmbeddedRenderer


@pytest.fixture(scope="session")
def renderer() -> Iterator[EmbeddedRenderer]:
    with EmbeddedRenderer(RenderSettings(backend="gl")) as r:
        yield r
