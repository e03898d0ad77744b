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
with the conditional probability, so an exact interval on the subset holds (with n = 0 it
is [0, 1]). Runs that stopped adaptively use the anytime-valid sequences on the subset in
sample order, which hold at any stopping time. The three intervals of every group form one
family: with G groups each is at delta / (3G) (Bonferroni), so all hold together with
probability at least 1 - delta. This family is separate from the per-cell certificates', as
relational.csv's is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis._confseq import SequenceMethod, open_sequence
from analysis._intervals import METHODS, Method, binomial_interval
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
    table: pd.DataFrame, delta: float, method: Method | SequenceMethod, event: Event
) -> list[Attribution]:
    """Attribution certificates for every decision cell of a checked scenes table that rests
    on perception questions; empty when the table has no ``role`` column.

    Args:
        table: :func:`analysis.scenes` output (one row per scene, in sample order).
        delta: family-wise miscoverage over all 3 x G intervals.
        method: a fixed-n method, or a sequence method when sampling stopped adaptively.
        event: ``unsafe`` or ``wrong``: what is counted on the decision.

    Raises:
        UsageError: when ``role`` has a value other than perception/decision, or
            ``perceives`` or ``wrong`` is missing beside it.
    """
    if not has_roles(table):
        return []
    pairs = scene_pairs(table, event)
    groups = list(pairs.groupby(_GROUP, sort=False))
    if not groups:
        return []
    each = delta / (3 * len(groups))
    label = method_label(method, "bonferroni", 3 * len(groups))
    out = []
    for (scenario, model, question, condition), group in groups:
        missed = group["missed"].to_numpy(dtype=bool)
        events = group["event"].to_numpy(dtype=bool)
        seen_low, seen_high = _bounds(events[~missed], each, method)
        missed_low, missed_high = _bounds(events[missed], each, method)
        share_low, share_high = _bounds(missed[events], each, method)
        out.append(
            Attribution(
                scenario=str(scenario),
                model=str(model),
                question=str(question),
                condition=str(condition),
                perceives=str(group["perceives"].iloc[0]),
                event=event,
                n=len(group),
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
                missed_by=_missed_by(group[events]["missed_ids"]),
                delta=delta,
                method=label,
            )
        )
    return out


def scene_pairs(table: pd.DataFrame, event: Event) -> pd.DataFrame:
    """One row per answered decision with its perception questions answered on the same
    scene: the group keys, ``sample``, ``perceives``, ``event`` (the decision's), ``missed``
    (any perception answer wrong) and ``missed_ids`` (which), in the table's order."""
    for column in ("perceives", "wrong"):
        if column not in table.columns:
            raise UsageError(
                f"the verdicts table has a role column but no {column} column; attribution "
                "needs role, perceives (a decision's perception question ids) and wrong"
            )
    roles = set(table["role"].dropna().astype(str))
    if not roles <= set(ROLES):
        bad = sorted(roles - set(ROLES))[0]
        raise UsageError(f"role {bad!r} in the verdicts table; valid: perception, decision")
    ok = table[table["status"] == "ok"]
    perception = ok.loc[ok["role"] == "perception", [*_SCENE, "question", "wrong"]].rename(
        columns={"question": "perceived", "wrong": "perceived_wrong"}
    )
    perceives = ok["perceives"].fillna("").astype(str)
    decisions = ok.loc[(ok["role"] == "decision") & (perceives != ""), [*_GROUP, "sample"]]
    decisions = decisions.assign(
        perceives=perceives[decisions.index],
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


def _bounds(
    outcomes: NDArray[np.bool_], delta: float, method: Method | SequenceMethod
) -> tuple[float, float]:
    """An interval on the mean of 0/1 outcomes in order: exact for fixed n, else the
    confidence sequence at its last observation."""
    if method in METHODS:
        interval = binomial_interval(int(outcomes.sum()), int(outcomes.size), delta, method)
        return interval.lower, interval.upper
    sequence = open_sequence(method, delta)
    for x in outcomes:
        sequence.update(float(x))
    return sequence.interval()


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
