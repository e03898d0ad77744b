"""report.html from a run: one offline file, failures first, every model text escaped."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from harness.judge import normalise_answer
from harness.judge._accuracy import judge_accuracy, load_labelled
from harness.report import gather
from harness.report._gather import FAILURES_PER_CELL, OUTCOME_ORDER
from harness.report._judge_section import ACCURACY_FILE, judge_section
from harness.run._export import run_rows
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


def test_the_judge_section_reports_the_judge_and_its_measured_error(noisy_run: Path) -> None:
    html = unescape((noisy_run / "report.html").read_text(encoding="utf-8"))
    assert '<section id="judge">' in html and "read by the <code>rules</code> judge" in html
    rows = run_rows(noisy_run)
    answered = rows[rows["status"] == "ok"]
    unread = int(answered["answer"].isna().sum())
    assert f"It left {unread} of {len(answered)} answered replies null" in html
    replies, _ = load_labelled(Path("default"))
    measured = judge_accuracy(replies, normalise_answer)
    assert (
        f"agreement {measured.agreed}/{measured.replies} = {100 * measured.agreement:.1f}%; "
        f"opposite answers (an answer read as another): {measured.opposite}"
    ) in html
    start = html.index('id="judge-rates"')
    table = html[start : html.index("</table>", start)]
    assert table.count("<tr><td>") == len(measured.rates)
    for rate in measured.rates:
        assert f"{rate.detected}/{rate.positives} [{rate.sensitivity_lower:.3f}," in table


def test_the_judge_section_lists_what_a_model_judge_read_where_the_rules_did_not(
    injected_run: Path, tmp_path: Path
) -> None:
    rows = run_rows(injected_run)  # every reply unparseable
    unread = (rows["status"] == "ok") & rows["answer"].isna()
    assert unread.sum() > 0
    read = rows.copy()
    read.loc[unread, "answer"] = "yes"  # as a model judge would have read them
    settings = {"judge": "rules+model:scripted:oracle"}
    section = judge_section(injected_run, read, settings)
    assert section.uses_model and section.rescued_total == int(unread.sum())
    assert {(r.condition, r.question, r.sample) for r in section.rescued} == {
        (r.condition, r.question, r.sample) for r in rows[unread].itertuples()
    }
    assert section.accuracy is None and "give --judge-labels" in section.note
    stored = {"replies": 10, "agreed": 9, "agreement": 0.9, "source": "mine.jsonl"}
    (tmp_path / ACCURACY_FILE).write_text(json.dumps(stored), encoding="utf-8")
    measured = judge_section(tmp_path, read, settings)
    assert measured.accuracy == stored and measured.source == "mine.jsonl"
    assert judge_section(injected_run, rows, {}).rescued == []  # the rules judge lists none
