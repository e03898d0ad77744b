"""The report in a real browser: it loads offline, and model text runs no script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.harness.report.conftest import PAYLOADS


def test_injected_answers_show_as_text_and_run_nothing(
    injected_run: Path, browser: Any, external_requests: Any
) -> None:
    external_requests(browser)  # drop what earlier pages asked for
    browser.get((injected_run / "report.html").as_uri())
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    text = browser.execute_script("return document.body.innerText")
    for payload in PAYLOADS:
        assert payload in text, payload
    assert browser.execute_script("return document.querySelectorAll('iframe, svg').length") == 0
    button = browser.find_element("css selector", "button.thumb")
    button.click()  # the report's own script still runs: the viewer opens
    assert browser.execute_script("return document.getElementById('viewer').open") is True
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    assert external_requests(browser) == set()
