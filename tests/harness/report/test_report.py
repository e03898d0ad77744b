"""report.html from a run: one offline file, failures first, every model text escaped."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from harness.report import gather
from harness.report._gather import FAILURES_PER_CELL, OUTCOME_ORDER
from tests.harness.report.conftest import PAYLOADS


def test_the_run_writes_a_self_contained_report(noisy_run: Path) -> None:
    html = (noisy_run / "report.html").read_text(encoding="utf-8")
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    policy = unescape(policy)
    assert policy.startswith("default-src 'none'; img-src data:;")
    assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy
    sources = re.findall(r'(?:src|href)="([^"#][^"]*)"', html)
    assert sources and all(s.startswith("data:image/") for s in sources), set(sources) - {""}
    assert "https://" not in html.split("<pre>")[0]  # nothing fetched; text may mention URLs
    certificates = pd.read_csv(noisy_run / "certificates.csv")
    assert html.count("<tr>\n        <td>weather=") == len(certificates)
    for section in ("summary", "table", "figures", "gallery", "unparseable", "failed", "reproduce"):
        assert f'<section id="{section}"' in html
    assert "drivecert run --config" in html and "scene_seed" not in html[:2000]


def test_galleries_show_failures_first_within_the_cap(noisy_run: Path) -> None:
    data = gather(noisy_run)
    rank = {o: i for i, o in enumerate(OUTCOME_ORDER)}
    assert data.galleries
    for gallery in data.galleries:
        outcomes = [item.outcome for item in gallery.items]
        assert outcomes == sorted(outcomes, key=rank.__getitem__)
        assert sum(o != "correct" for o in outcomes) <= FAILURES_PER_CELL
        assert gallery.left_out == sum(gallery.counts.values()) - len(gallery.items)
    assert any(item.outcome == "unsafe" for g in data.galleries for item in g.items)
    assert data.failed and all(row["error"] == "scripted failure" for row in data.failed)
    shown = {item.frame for g in data.galleries for item in g.items}
    assert shown <= set(data.full_frames) | {None}


def test_model_text_is_escaped(injected_run: Path) -> None:
    html = (injected_run / "report.html").read_text(encoding="utf-8")
    for payload in PAYLOADS:
        assert payload not in html
        escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped.replace('"', "&#34;") in html
    assert html.count("<script") == 2  # the JSON data block and the report's own script


def test_report_command_and_its_errors(noisy_run: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "elsewhere.html"
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(noisy_run), "--out", str(target)])
    assert exit_info.value.code in (0, None) and target.stat().st_size > 10_000
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(tmp_path)])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2 and "holds no drivecert run" in err


def test_the_report_splits_unsafe_decisions_by_perception(noisy_run: Path) -> None:
    html = (noisy_run / "report.html").read_text(encoding="utf-8")
    assert '<section id="attribution">' in html
    attribution = pd.read_csv(noisy_run / "attribution.csv")
    decisions = {"stop_needed", "right_turn_possible", "action"}
    assert set(attribution["question"]) == decisions and len(attribution) == 2 * len(decisions)
    assert html.count('<tr class="attribution">') == len(attribution)
    rain = attribution[
        attribution["condition"].str.contains("HardRain") & (attribution["question"] == "action")
    ].iloc[0]
    events = rain["seen_events"] + rain["missed_events"]
    share = round(100 * rain["missed_events"] / events)
    assert f"{share}% (certified" in unescape(
        html
    ) and f"of the {events} unsafe answers to “What should the vehicle do now?”" in unescape(html)


def test_each_thumbnail_is_embedded_once(noisy_run: Path) -> None:
    html = (noisy_run / "report.html").read_text(encoding="utf-8")
    uris = re.findall(r"data:image/jpeg;base64,[A-Za-z0-9+/=]+", html)
    assert uris and len(uris) == len(set(uris))
    data = gather(noisy_run)
    shown = {item.thumb for g in data.galleries for item in g.items if item.thumb}
    assert shown == set(data.thumbs)
    assert len(shown) < sum(len(g.items) for g in data.galleries)  # scenes shared by questions
