"""Attribution: was an unsafe decision made with the scene seen right, or seen wrong?

A scene asks perception questions ("Is the traffic light red?") and decision questions
("What should the vehicle do now?") that rest on some of them. The verdicts table says which
with two optional columns: ``role`` (``perception`` or ``decision``) and ``perceives`` (for a
decision, the comma-separated ids of the perception questions of the same scene it rests on).

On each scene where a decision and all its perception questions were answered (status ok),
the perception is *ok* when every one of them was answered correctly (``wrong`` false; an
unparseable answer counts as wrong) and *wrong* otherwise. Per (scenario, model, decision
question, condition) this certifies, on the same scenes:

- ``P(event | perception ok)`` from the scenes whose perception was ok;
- ``P(event | perception wrong)`` from the others;
- ``P(perception wrong | event)``: the share of the decision's unsafe (or wrong) answers
  that came with a perception error.

Each is a proportion over a subset of i.i.d. scenes chosen by what was observed on the
scene itself; given which scenes fall in the subset, their outcomes are i.i.d. Bernoulli
with the conditional probability, so an exact (Clopper-Pearson) interval on the subset
holds (with n = 0 it is [0, 1]); fixed-n runs get it whatever interval their cells used.
Runs that stopped adaptively use the anytime-valid sequences on the subset in sample order,
which hold at any stopping time. The family is fixed by the design: the decision cells whose
perception questions are all in the table, G of them, each interval at delta / (3G)
(Bonferroni), so all hold together with probability at least 1 - delta. This family is
separate from the per-cell certificates', as relational.csv's is: read together, the two
hold at 1 - 2 delta.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis._certificate import ANYTIME_METHODS, CertifyMethod
from analysis._certify import outcome_bounds
from analysis._multiplicity import method_label
from analysis._spec import Event
from drivecert import UsageError

ROLES = ("perception", "decision")
_SCENE = ["scenario", "model", "condition", "sample"]
_GROUP = ["scenario", "model", "question", "condition"]


@dataclass(frozen=True)
class Attribution:
    """Certified split of one decision cell by whether its perception was right.

    Attributes:
        scenario, model, question, condition: the decision cell.
        perceives: the perception question ids it rests on, comma-separated.
        event: ``unsafe`` or ``wrong``: what the decision is counted for.
        n: scenes with the decision and every perception question answered.
        seen, seen_events: scenes whose perception answers were all correct, and the events
            among them.
        seen_lower, seen_upper: bounds on P(event | perception ok).
        missed, missed_events: the other scenes, and the events among them.
        missed_lower, missed_upper: bounds on P(event | perception wrong).
        share_lower, share_upper: bounds on P(perception wrong | event).
        missed_by: per perception question, the events that came with it answered wrong
            (``light_red=12;building_blocks=3``; one event can count for several).
        delta: family-wise miscoverage over every interval of the call.
        method: interval method, with its Bonferroni K (3 x the groups).
    """

    scenario: str
    model: str
    question: str
    condition: str
    perceives: str
    event: str
    n: int
    seen: int
    seen_events: int
    seen_lower: float
    seen_upper: float
    missed: int
    missed_events: int
    missed_lower: float
    missed_upper: float
    share_lower: float
    share_upper: float
    missed_by: str
    delta: float
    method: str

    @property
    def events(self) -> int:
        """The decision's events (unsafe or wrong answers) over the n scenes."""
        return self.seen_events + self.missed_events

    @property
    def share(self) -> float:
        """Observed share of the events that came with a perception error (nan with none)."""
        return self.missed_events / self.events if self.events else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, with the observed share."""
        return {**asdict(self), "share": self.share}


#: The columns of attribution.csv, in order.
ATTRIBUTION_COLUMNS: tuple[str, ...] = (*Attribution.__dataclass_fields__, "share")


def has_roles(table: pd.DataFrame) -> bool:
    """Whether the table marks perception and decision questions (a ``role`` column)."""
    return "role" in table.columns


def attribute(
    table: pd.DataFrame, delta: float, method: CertifyMethod, event: Event
) -> list[Attribution]:
    """Attribution certificates for every decision cell of a checked scenes table whose
    perception questions are all in the table; empty without a ``role`` column.

    The family is fixed by the design, not the data: every such cell counts in K = 3 x the
    cells, even one left with no paired scene (its bounds are then [0, 1]). Fixed-n runs get
    Clopper-Pearson whatever interval the cells used (attribution promises exact coverage);
    runs that stopped adaptively get their confidence sequence.

    Args:
        table: :func:`analysis.scenes` output (one row per scene, in sample order).
        delta: family-wise miscoverage over all 3 x G intervals.
        method: the cells' method: fixed-n, or a sequence method after adaptive stopping.
        event: ``unsafe`` or ``wrong``: what is counted on the decision.

    Raises:
        UsageError: when ``role`` has a value other than perception/decision, or a decision
            rests on a question the table marks as a decision (or on itself).
    """
    if not has_roles(table):
        return []
    missing = [c for c in ("perceives", "wrong") if c not in table.columns]
    if missing:
        warnings.warn(
            f"attribution skipped: the verdicts table has a role column but no {missing[0]} "
            "column; add perceives (a decision's perception question ids) and wrong",
            stacklevel=2,
        )
        return []
    table = _checked_roles(table)
    cells = _decision_cells(table)
    if cells.empty:
        return []
    interval: CertifyMethod = method if method in ANYTIME_METHODS else "clopper-pearson"
    each = delta / (3 * len(cells))
    label = method_label(interval, "bonferroni", 3 * len(cells))
    pairs = dict(list(scene_pairs(table, event).groupby(_GROUP, sort=False)))
    out = []
    for cell in cells.itertuples(index=False):
        key = (cell.scenario, cell.model, cell.question, cell.condition)
        group = pairs.get(key)
        missed = group["missed"].to_numpy(dtype=bool) if group is not None else np.zeros(0, bool)
        events = group["event"].to_numpy(dtype=bool) if group is not None else np.zeros(0, bool)
        seen_low, seen_high = outcome_bounds(events[~missed], each, interval)
        missed_low, missed_high = outcome_bounds(events[missed], each, interval)
        share_low, share_high = outcome_bounds(missed[events], each, interval)
        out.append(
            Attribution(
                scenario=str(cell.scenario),
                model=str(cell.model),
                question=str(cell.question),
                condition=str(cell.condition),
                perceives=str(cell.perceives),
                event=event,
                n=int(missed.size),
                seen=int((~missed).sum()),
                seen_events=int(events[~missed].sum()),
                seen_lower=seen_low,
                seen_upper=seen_high,
                missed=int(missed.sum()),
                missed_events=int(events[missed].sum()),
                missed_lower=missed_low,
                missed_upper=missed_high,
                share_lower=share_low,
                share_upper=share_high,
                missed_by=_missed_by(group[events]["missed_ids"]) if group is not None else "",
                delta=delta,
                method=label,
            )
        )
    return out


def _perceived(text: object) -> str:
    """A perceives cell as comma-joined ids: blanks stripped, repeats dropped."""
    if not isinstance(text, str):
        return ""
    return ",".join(dict.fromkeys(filter(None, (part.strip() for part in text.split(",")))))


def _checked_roles(table: pd.DataFrame) -> pd.DataFrame:
    """The table with ``perceives`` normalised; refuses unknown roles and decisions resting on
    decisions (or on themselves)."""
    roles = set(table["role"].dropna().astype(str))
    if not roles <= set(ROLES):
        bad = sorted(roles - set(ROLES))[0]
        raise UsageError(f"role {bad!r} in the verdicts table; valid: perception, decision")
    table = table.assign(perceives=table["perceives"].map(_perceived))
    decisions = table[table["role"] == "decision"]
    named = decisions.groupby("scenario")["question"].agg(set).to_dict()
    for row in decisions.drop_duplicates(["scenario", "question"]).itertuples(index=False):
        for perceived in filter(None, str(row.perceives).split(",")):
            if perceived in named.get(row.scenario, set()):
                raise UsageError(
                    f"{row.scenario}: decision {row.question} rests on {perceived!r}, which the "
                    "verdicts table marks as a decision; perceives lists perception questions"
                )
    return table


def _decision_cells(table: pd.DataFrame) -> pd.DataFrame:
    """The decision cells (any status) whose perception questions are all in the table for
    their scenario, model and condition: the attribution family, in table order."""
    perception = table[table["role"] == "perception"]
    asked = perception.groupby(["scenario", "model", "condition"])["question"].agg(set).to_dict()
    decisions = table[(table["role"] == "decision") & (table["perceives"] != "")]
    cells = decisions.drop_duplicates(_GROUP)[[*_GROUP, "perceives"]]
    keep = [
        set(row.perceives.split(",")) <= asked.get((row.scenario, row.model, row.condition), set())
        for row in cells.itertuples(index=False)
    ]
    return cells[keep]


def scene_pairs(table: pd.DataFrame, event: Event) -> pd.DataFrame:
    """One row per answered decision with its perception questions answered on the same
    scene: the group keys, ``sample``, ``perceives``, ``event`` (the decision's), ``missed``
    (any perception answer wrong or unparseable) and ``missed_ids`` (which), in the table's
    order. ``table`` has checked roles (:func:`_checked_roles`)."""
    ok = table[table["status"] == "ok"]
    perception = ok.loc[ok["role"] == "perception", [*_SCENE, "question"]].assign(
        perceived_wrong=(
            ok.loc[ok["role"] == "perception", "wrong"].astype(bool)
            | ok.loc[ok["role"] == "perception", "unparseable"].astype(bool)
        )
    )
    perception = perception.rename(columns={"question": "perceived"})
    decisions = ok.loc[(ok["role"] == "decision") & (ok["perceives"] != ""), [*_GROUP, "sample"]]
    decisions = decisions.assign(
        perceives=ok.loc[decisions.index, "perceives"],
        event=ok.loc[decisions.index, event].astype(bool),
        row=np.arange(len(decisions)),
    )
    exploded = decisions.assign(perceived=decisions["perceives"].str.split(",")).explode(
        "perceived"
    )
    merged = exploded.merge(perception, on=[*_SCENE, "perceived"], how="left")
    merged = merged.assign(
        answered=merged["perceived_wrong"].notna(),
        wrong_one=merged["perceived_wrong"].fillna(False).astype(bool),
    )
    by_row = merged.groupby("row", sort=True)
    answered = by_row["answered"].all()
    missed = by_row["wrong_one"].any()
    ids = merged[merged["wrong_one"]].groupby("row")["perceived"].agg(",".join)
    decisions = decisions.assign(
        missed=missed.reindex(decisions["row"]).to_numpy(),
        missed_ids=ids.reindex(decisions["row"]).fillna("").to_numpy(),
        answered=answered.reindex(decisions["row"]).to_numpy(),
    )
    return decisions[decisions["answered"]].drop(columns=["row", "answered"])


def _missed_by(ids: pd.Series) -> str:
    """``light_red=12;building_blocks=3`` from each event's comma-joined wrong perceptions."""
    counts: dict[str, int] = {}
    for joined in ids:
        for perceived in filter(None, str(joined).split(",")):
            counts[perceived] = counts.get(perceived, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    return ";".join(f"{name}={count}" for name, count in ranked)


def attribution_frame(attributions: Sequence[Attribution]) -> pd.DataFrame:
    """The certificates as a table with :data:`ATTRIBUTION_COLUMNS`."""
    return pd.DataFrame([a.to_dict() for a in attributions], columns=list(ATTRIBUTION_COLUMNS))
