"""The report as one self-contained HTML file: no CDN, no fetch, images as data URIs.

Everything a model wrote goes through jinja2's autoescaping, and a Content-Security-Policy
allows nothing but the report's own style and script (by their sha256) and data: images,
so a reply holding ``<script>``, ``onerror=`` or ``javascript:`` shows as text and runs
nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from analysis import Attribution, attribution_sentence, blind_sentence
from drivecert import write_atomic
from harness.report._gather import ReportData, gather

REPORT_FILE = "report.html"


def _asset(name: str) -> str:
    return resources.files("harness.report").joinpath("templates", name).read_text("utf-8")


def csp_hash(text: str) -> str:
    """The CSP source expression that allows exactly ``text`` inline."""
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def content_security_policy(css: str, js: str) -> str:
    """Nothing external; only the report's own style and script; images from data: URIs."""
    return (
        "default-src 'none'; img-src data:; "
        f"style-src {csp_hash(css)}; script-src {csp_hash(js)}; "
        "base-uri 'none'; form-action 'none'"
    )


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element (no ``</script>`` can close it)."""
    return json.dumps(data, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")


def render_report(data: ReportData) -> str:
    """The HTML of the report."""
    css, js = _asset("report.css"), _asset("report.js")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(_asset("report.html.j2"))
    return template.render(**_context(data), css=css, js=js, csp=content_security_policy(css, js))


def write_report(root: Path, out: Path | None = None, rows: pd.DataFrame | None = None) -> Path:
    """Write the report of the run in ``root`` (default ``root/report.html``), atomically.

    ``rows`` are the run's stored rows in plan order when the caller has the store open.
    """
    return write_atomic(out or root / REPORT_FILE, render_report(gather(root, rows)))


def _context(data: ReportData) -> dict[str, Any]:
    s = data.settings
    summary, manifest = data.summary, data.manifest
    event = s.get("event", "unsafe")
    spec = str(s.get("spec", ""))
    symbol = spec[:2] if spec[:2] in ("<=", ">=") else ""
    stopped = {
        (
            c.get("scenario"),
            c.get("model_id", c.get("model")),
            c.get("condition"),
            c.get("question"),
        ): c.get("stopped", "")
        for c in summary.get("cells", [])
    }
    certificates = [_certificate(c, event, stopped) for c in data.certificates]
    reasons = [str(c["stopped"]) for c in certificates if c["stopped"]]
    queries = int(summary.get("queries", 0))
    fixed = int(summary.get("queries_fixed_n", 0))
    model = manifest.get("model", {})
    renderer = manifest.get("renderer", {})
    delta = float(s.get("delta", 0.05))
    sweep = "models" in s
    models = manifest.get("models") or [model]
    model_id = model.get("id") or s.get("model", "")
    certified = list(dict.fromkeys(str(c["model"]) for c in certificates))
    listed = [str(m.get("id")) for m in models if isinstance(m, dict) and m.get("id") in certified]
    side_models = list(dict.fromkeys([*listed, *certified]))  # the sweep's order of models
    return {
        "s": s,
        "sweep": sweep,
        "title": (
            f"sweep: {', '.join(str(x['name']) for x in s['scenarios'])} · "
            f"{', '.join(side_models) or ', '.join(map(str, s['models']))}"
            if sweep
            else f"{s.get('scenario', '')} · {model_id}"
        ),
        "models": models,
        "side": _side_rows(certificates, side_models) if len(side_models) > 1 else [],
        "side_models": side_models,
        "model_id": model_id,
        "revision": model.get("revision", "unknown"),
        "renderer": " · ".join(
            str(v)
            for v in (renderer.get("name"), renderer.get("backend"), renderer.get("gl_driver"))
            if v
        ),
        "versions": manifest.get("versions", {}),
        "event_label": f"P({event})",
        "spec_label": f"P({event}) {symbol} {spec[2:].strip()}" if symbol else spec,
        "confidence": f"{round(100 * (1 - delta), 6):g}% family-wise confidence",
        "method_label": certificates[0]["method"] if certificates else s.get("method", ""),
        "observed_label": observed_label(s),
        "certificates": certificates,
        "decided": sum(c["decision"] != "undecided" for c in certificates),
        "incomplete": sum(int(c["failed"]) > 0 for c in certificates),
        "stop_counts": sorted(Counter(reasons).items(), key=lambda item: -item[1]),
        "queries": queries,
        "queries_fixed": fixed,
        "saved": f"{100 * (fixed - queries) / fixed:.1f}" if fixed else "0",
        "figures": data.figures,
        "galleries": data.galleries,
        "unparseable": data.unparseable,
        "unparseable_total": len(data.unparseable) + data.unparseable_left_out,
        "unparseable_left_out": data.unparseable_left_out,
        "failed": data.failed,
        "failed_total": len(data.failed) + data.failed_left_out,
        "failed_left_out": data.failed_left_out,
        "commands": data.commands,
        "manifest_json": json.dumps(manifest, indent=2),
        "settings_json": json.dumps(s, indent=2),
        "frames_json": script_json({"full": data.full_frames, "thumb": data.thumbs}),
        "attribution": _attribution_groups(data, sweep),
        "attribution_rows": [_attribution_row(a) for a in data.attribution],
        "judge": data.judge,
        "robustness": data.robustness,
        "search": data.search,
        "blind": [blind_sentence(r) for r in data.robustness if r.blind],
    }


#: What each way of observing a scene certifies, for the report's settings list.
_OBSERVED = {
    "greedy": "one reply per scene (greedy decoding unless a temperature is set), judged: "
    "the certificates bound the share of unsafe answers",
    "probability": "the model's answer distribution per scene: the certificates bound the "
    "scene-averaged probability of an unsafe answer under sampling",
    "bounds": "the model's reply tree per scene, explored best-first and every completed "
    "reply judged: the certificates bound the scene-averaged probability of an unsafe reply "
    "under sampling, the unexplored mass counted against the model",
}


def observed_label(s: dict[str, Any]) -> str:
    """How scenes were observed and at which sampling settings, in one line."""
    observe = str(s.get("observe", "greedy"))
    sampling = s.get("sampling") or {}
    settings = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sampling.items())
    text = _OBSERVED.get(observe, observe)
    return f"{observe}: {text}" + (f" ({settings})" if settings and observe != "greedy" else "")


def _attribution_groups(data: ReportData, sweep: bool) -> list[dict[str, Any]]:
    """Per (scenario, model, condition), one sentence per decision question that had events:
    how many of them came with a perception error, certified."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for item in data.attribution:
        key = (item.scenario, item.model, item.condition)
        lines = groups.setdefault(key, [])
        if item.events:
            lines.append(attribution_sentence(item, data.question_texts.get(item.scenario)))
    return [
        {
            "heading": f"{scenario} · {model} · {condition}" if sweep else condition,
            "lines": lines,
        }
        for (scenario, model, condition), lines in groups.items()
        if lines
    ]


def _attribution_row(item: Attribution) -> dict[str, Any]:
    return {
        **item.to_dict(),
        "seen_rate": item.seen_events / item.seen if item.seen else math.nan,
        "missed_rate": item.missed_events / item.missed if item.missed else math.nan,
    }


def _certificate(
    row: dict[str, Any], event: str, stopped: dict[tuple[Any, Any, Any, Any], Any]
) -> dict[str, Any]:
    n = int(row["n"])
    count = int(row[event]) if str(row.get(event, "")).strip() not in ("", "nan") else 0
    rate = count / n if n else math.nan
    return {
        **row,
        "lower": float(row["lower"]),
        "upper": float(row["upper"]),
        "rate": f"{rate:.3f}" if n else "–",
        "rate_value": f"{rate:.6f}" if n else "",
        "stopped": stopped.get(
            (row["scenario"], row["model"], row["condition"], row["question"]), ""
        ),
    }


def _side_rows(certificates: list[dict[str, Any]], models: list[str]) -> list[dict[str, Any]]:
    """One row per (scenario, condition, question) with each model's certificate (or None)."""
    rows: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
    for c in certificates:
        key = (str(c["scenario"]), str(c["condition"]), str(c["question"]))
        rows.setdefault(key, {})[str(c["model"])] = c
    return [
        {
            "scenario": scenario,
            "condition": condition,
            "question": question,
            "cells": [cells.get(m) for m in models],
        }
        for (scenario, condition, question), cells in rows.items()
    ]
