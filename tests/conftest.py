"""Fixtures every test folder shares: a headless Chromium for the report tests.

Chromium is Debian's chromium + chromedriver, driven by selenium.

`.ci/run` installs both (scripts/setup.sh --dev); elsewhere the tests that need them skip
with the install command.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

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
