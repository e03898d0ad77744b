"""Fixtures every test folder shares: a headless Chromium for the report tests, and a tiny
offline Qwen2-VL checkpoint (``tiny_spec``).

Chromium is Debian's chromium + chromedriver, driven by selenium.

`.ci/run` installs both (scripts/setup.sh --dev); elsewhere the tests that need them skip
with the install command.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_tiny_models.py"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium that records every network request."""
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs Chromium: apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1400",
    ):
        options.add_argument(flag)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _requested(driver: Any) -> set[str]:
    urls = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
    return urls


@pytest.fixture
def external_requests() -> Callable[[Any], set[str]]:
    """``external_requests(driver)``: URLs the page asked for since the last call, other
    than itself (file:) and its data: images; an offline report asks for none."""

    def external(driver: Any) -> set[str]:
        return {u for u in _requested(driver) if not u.startswith(("data:", "file://"))}

    return external


@pytest.fixture(scope="session")
def tiny_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``hf:FOLDER`` of a tiny random Qwen2-VL (its words are random: for plumbing tests).

    Built in a process of its own, which keeps torch out of the test process (triton's
    LLVM loaded after llvmpipe's used to crash it; the renderer now loads triton first).
    """
    for name in ("transformers", "qwen_vl_utils"):  # found, not imported (see above)
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"needs {name}: bash scripts/setup.sh")
    root = tmp_path_factory.mktemp("tiny-judge")
    command = [sys.executable, str(SCRIPT), "--out", str(root), "--families", "qwen2-vl"]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return f"hf:{root / 'qwen2-vl'}"
