"""Everything the report shows, read from a run directory.

The gallery of each (condition, question) shows failures first (unsafe, then unparseable,
then over-cautious), then a few correct answers, up to a cap, and says how many it left
out. Correct examples take the lowest sample indices, so the questions of one condition
share scenes and their frames are embedded once.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import Attribution, RobustnessCertificate, read_attribution, read_robustness
from drivecert import UsageError
from harness.report._images import FrameImages, palette_png
from harness.report._judge_section import JudgeSection, judge_section
from harness.run._export import run_rows
from harness.run._rundir import MANIFEST, read_run_config

#: Gallery order: what a reviewer should see first.
OUTCOME_ORDER = ("unsafe", "unparseable", "over_cautious", "correct")
FAILURES_PER_CELL = 4
CORRECT_PER_CELL = 2
#: Caps that keep a report of thousands of samples near 20 MB.
MAX_ITEMS = 1500
MAX_FULL_FRAMES = 200
MAX_FULL_BYTES = 2_000_000
MAX_LISTED = 2000
FIGURES = ("heatmap_upper", "forest", "convergence", "robustness", "search")
#: Rows of the failure search's "where it fails" table shown in the report.
MARGINAL_ROWS = 30


@dataclass(frozen=True)
class GalleryItem:
    """One answered question about one scene, as the gallery shows it."""

    sample: int
    outcome: str
    response: str
    answer: str
    expected: str
    safe: str
    rationale: str
    thumb: str | None  # the sha of its thumbnail in ReportData.thumbs
    frame: str | None  # the sha whose full-size view a click shows


@dataclass(frozen=True)
class CellGallery:
    """The gallery of one (scenario, model, condition, question)."""

    scenario: str
    model: str
    condition: str
    question: str
    question_text: str
    items: tuple[GalleryItem, ...]
    counts: dict[str, int]
    left_out: int


@dataclass
class ReportData:
    """What the template renders."""

    root: Path
    settings: dict[str, Any]
    manifest: dict[str, Any]
    summary: dict[str, Any]
    certificates: list[dict[str, Any]]
    figures: list[tuple[str, str]]
    galleries: list[CellGallery]
    unparseable: list[dict[str, Any]]
    unparseable_left_out: int
    failed: list[dict[str, Any]]
    failed_left_out: int
    commands: list[str]
    full_frames: dict[str, str] = field(default_factory=dict)
    thumbs: dict[str, str] = field(default_factory=dict)
    attribution: list[Attribution] = field(default_factory=list)
    question_texts: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per scenario, each question id's wording."""
    judge: JudgeSection | None = None
    robustness: list[RobustnessCertificate] = field(default_factory=list)
    search: dict[str, Any] | None = None
    """A failure search's record (search/search.json) and its marginal rates, highest first."""


def gather(root: Path, rows: pd.DataFrame | None = None) -> ReportData:
    """Read the run in ``root`` for the report (``rows``: its stored rows in plan order,
    when the caller has the store open already).

    Raises:
        UsageError: when ``root`` holds no finished run (no certificates yet).
    """
    stored = read_run_config(root)
    if stored is None:
        raise UsageError(f"{root} holds no drivecert run (no config.yaml); give a run directory")
    if not (root / "certificates.csv").is_file():
        raise UsageError(
            f"{root} has no certificates.csv yet; finish the run (re-run its command) first"
        )
    if rows is None:
        rows = run_rows(root)
    images = FrameImages(root / "frames")
    galleries = _galleries(rows, images)
    unparseable = rows[(rows["status"] == "ok") & (rows["outcome"] == "unparseable")]
    failed = rows[rows["status"] == "failed"]
    manifest = _read_json(root / MANIFEST)
    return ReportData(
        root=root,
        settings=stored["settings"],
        manifest=manifest,
        summary=_read_json(root / "summary.json"),
        certificates=pd.read_csv(root / "certificates.csv", keep_default_na=False).to_dict(
            "records"
        ),
        figures=_figures(root / "figures"),
        galleries=galleries,
        unparseable=_listed(
            unparseable, ["scenario", "model", "condition", "question", "sample", "response"]
        ),
        unparseable_left_out=max(0, len(unparseable) - MAX_LISTED),
        failed=_listed(
            failed, ["scenario", "model", "condition", "question", "sample", "attempts", "error"]
        ),
        failed_left_out=max(0, len(failed) - MAX_LISTED),
        commands=_commands(root, manifest),
        full_frames=images.full_map(),
        thumbs=images.thumb_map(),
        attribution=(
            read_attribution(root / "attribution.csv")
            if (root / "attribution.csv").is_file()
            else []
        ),
        question_texts=_question_texts(rows),
        judge=judge_section(root, rows, stored["settings"]),
        robustness=(
            read_robustness(root / "robustness.csv") if (root / "robustness.csv").is_file() else []
        ),
        search=_search(root / "search"),
    )


def _search(folder: Path) -> dict[str, Any] | None:
    """A failure search's record and its "where it fails" rows (highest upper bound first),
    or None when the run is not a search."""
    if not (folder / "search.json").is_file():
        return None
    record = _read_json(folder / "search.json")
    marginals = pd.read_csv(folder / "marginals.csv").sort_values("upper", ascending=False)
    record["marginals"] = marginals.head(MARGINAL_ROWS).to_dict("records")
    record["marginals_left_out"] = max(0, len(marginals) - MARGINAL_ROWS)
    return record


def _question_texts(rows: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Per scenario, each question id's wording (its first row's)."""
    first = rows.groupby(["scenario", "question"], sort=False)["question_text"].first()
    texts: dict[str, dict[str, str]] = {}
    for (scenario, question), text in first.items():
        texts.setdefault(str(scenario), {})[str(question)] = str(text)
    return texts


def _galleries(rows: pd.DataFrame, images: FrameImages) -> list[CellGallery]:
    ok = rows[rows["status"] == "ok"]
    rank = {outcome: i for i, outcome in enumerate(OUTCOME_ORDER)}
    galleries = []
    shown = 0
    keys = ["scenario", "model", "condition", "question"]
    for (scenario, model, condition, question), cell in ok.groupby(keys, sort=False):
        ordered = cell.assign(_rank=cell["outcome"].map(rank)).sort_values(
            ["_rank", "sample"], kind="stable"
        )
        failures = ordered[ordered["outcome"] != "correct"].head(FAILURES_PER_CELL)
        correct = ordered[ordered["outcome"] == "correct"].head(CORRECT_PER_CELL)
        picked = pd.concat([failures, correct])
        items = []
        for row in picked.itertuples(index=False):
            if shown >= MAX_ITEMS:
                break
            items.append(_item(row, images))
            shown += 1
        counts = {o: int((cell["outcome"] == o).sum()) for o in OUTCOME_ORDER}
        galleries.append(
            CellGallery(
                scenario=str(scenario),
                model=str(model),
                condition=str(condition),
                question=str(question),
                question_text=str(cell["question_text"].iloc[0]),
                items=tuple(items),
                counts=counts,
                left_out=len(cell) - len(items),
            )
        )
    return galleries


def _item(row: Any, images: FrameImages) -> GalleryItem:
    frames = list(row.frames) if row.frames is not None else []
    sha = frames[0] if frames else None
    full = None
    room = images.full_count < MAX_FULL_FRAMES and images.full_bytes < MAX_FULL_BYTES
    if sha is not None and (images.has_full(sha) or room):
        full = sha if images.full(sha) is not None else None
    return GalleryItem(
        sample=int(row.sample),
        outcome=str(row.outcome),
        response=str(row.response or ""),
        answer=str(row.answer) if row.answer is not None else "(none)",
        expected=str(row.expected),
        safe=", ".join(row.safe) if row.safe is not None else "",
        rationale=str(row.rationale),
        thumb=sha if sha is not None and images.thumb(sha) is not None else None,
        frame=full,
    )


def _figures(folder: Path) -> list[tuple[str, str]]:
    """The run's figures as PNG data URIs, reduced to a palette (a third of the bytes)."""
    out = []
    for name in FIGURES:
        path = folder / f"{name}.png"
        if path.is_file():
            out.append((name, palette_png(path)))
    return out


def _listed(table: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = table[columns].head(MAX_LISTED).to_dict("records")
    return records


def _commands(root: Path, manifest: dict[str, Any]) -> list[str]:
    """The command line that made the run, and one that re-runs its exact settings (a
    failure search is re-run by its own command line only)."""
    settings = (read_run_config(root) or {}).get("settings", {})
    config = shlex.quote(str(root / "config.yaml"))
    config_run = (
        []
        if "search" in settings
        else [f"drivecert sweep {config} --out NEW_DIR"]
        if "models" in settings
        else [f"drivecert run --config {config} --out NEW_DIR"]
    )
    sessions = manifest.get("sessions") or []
    first = sessions[0].get("argv") if sessions and isinstance(sessions[0], dict) else None
    if isinstance(first, list) and first:
        return ["drivecert " + shlex.join(str(a) for a in first), *config_run]
    return config_run


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
