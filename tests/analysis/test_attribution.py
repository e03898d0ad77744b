"""Attribution: unsafe decisions split by whether the scene's perception answers were right."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis import attribute, scenes
from drivecert import UsageError

CONDITIONS = {"weather=ClearNoon": 0.15, "weather=HardRainNoon": 0.6}


def attribution_table(
    n: int, seed: int, seen: float = 0.05, missed: float = 0.7, failed: float = 0.0
) -> pd.DataFrame:
    """Scenes asking the perception question light_red and the decision stop_needed resting
    on it: perception wrong at the condition's rate, the decision unsafe at ``missed`` after
    a wrong perception and at ``seen`` otherwise; a share ``failed`` of rows failed."""
    rng = np.random.default_rng(seed)
    rows = []
    for condition, rate in CONDITIONS.items():
        for sample in range(n):
            perception_wrong = bool(rng.random() < rate)
            unsafe = bool(rng.random() < (missed if perception_wrong else seen))
            base = {"scenario": "traffic_light", "model": "m", "condition": condition}
            for question, role, perceives, bad in (
                ("light_red", "perception", "", perception_wrong),
                ("stop_needed", "decision", "light_red", unsafe),
            ):
                status = "failed" if rng.random() < failed else "ok"
                rows.append(
                    {
                        **base,
                        "sample": sample,
                        "question": question,
                        "role": role,
                        "perceives": perceives,
                        "unsafe": bad,
                        "wrong": bad,
                        "unparseable": False,
                        "status": status,
                    }
                )
    return pd.DataFrame(rows)


def truth(rate: float, seen: float = 0.05, missed: float = 0.7) -> tuple[float, float, float]:
    """P(unsafe | ok), P(unsafe | wrong), P(wrong | unsafe)."""
    return seen, missed, rate * missed / (rate * missed + (1 - rate) * seen)


def test_counts_and_exact_bounds_match_statsmodels() -> None:
    table = attribution_table(300, seed=1)
    certs = attribute(scenes(table), 0.05, "clopper-pearson", "unsafe")
    assert [c.condition for c in certs] == list(CONDITIONS)
    each = 0.05 / (3 * len(certs))
    for cert in certs:
        cell = table[table["condition"] == cert.condition]
        perception = cell[cell["question"] == "light_red"].set_index("sample")["wrong"]
        decision = cell[cell["question"] == "stop_needed"].set_index("sample")["unsafe"]
        assert cert.n == 300 and cert.missed == int(perception.sum())
        assert cert.missed_events == int((decision & perception).sum())
        assert cert.seen_events == int((decision & ~perception).sum())
        assert cert.method == "clopper-pearson+bonferroni(K=6)"
        for k, n, low, high in (
            (cert.seen_events, cert.seen, cert.seen_lower, cert.seen_upper),
            (cert.missed_events, cert.missed, cert.missed_lower, cert.missed_upper),
            (cert.missed_events, cert.events, cert.share_lower, cert.share_upper),
        ):
            expected = proportion_confint(k, n, alpha=each, method="beta")
            assert (low, high) == pytest.approx(expected, abs=1e-9)
        assert cert.missed_by == (f"light_red={cert.missed_events}" if cert.missed_events else "")


def test_failed_answers_leave_the_scene_out_and_no_roles_means_no_attribution() -> None:
    table = attribution_table(200, seed=2, failed=0.1)
    certs = attribute(scenes(table), 0.05, "clopper-pearson", "unsafe")
    ok = table[table["status"] == "ok"]
    for cert in certs:
        cell = ok[ok["condition"] == cert.condition]
        both = cell.groupby("sample")["question"].nunique() == 2
        assert cert.n == int(both.sum())
    assert attribute(scenes(table.drop(columns=["role"])), 0.05, "clopper-pearson", "unsafe") == []


def test_a_decision_whose_perception_was_not_asked_is_left_out() -> None:
    table = attribution_table(50, seed=3)
    lost = table[~((table["question"] == "light_red") & (table["sample"] < 10))]
    certs = attribute(scenes(lost), 0.05, "clopper-pearson", "unsafe")
    assert {c.n for c in certs} == {40}


def test_bad_role_tables_are_one_line() -> None:
    table = attribution_table(5, seed=4)
    with pytest.warns(UserWarning, match="role column but no perceives column"):
        attribute(scenes(table.drop(columns=["perceives"])), 0.05, "clopper-pearson", "unsafe")
    table.loc[0, "role"] = "planning"
    with pytest.raises(UsageError, match="role 'planning' in the verdicts table"):
        attribute(scenes(table), 0.05, "clopper-pearson", "unsafe")


@pytest.mark.parametrize("method", ["clopper-pearson", "beta-binomial"])
def test_all_three_statements_cover_together_at_least_1_minus_delta(method: str) -> None:
    delta, runs = 0.1, 150
    misses = 0
    for seed in range(runs):
        certs = attribute(scenes(attribution_table(120, seed)), delta, method, "unsafe")
        for cert in certs:
            seen, missed, share = truth(CONDITIONS[cert.condition])
            covered = (
                cert.seen_lower <= seen <= cert.seen_upper
                and cert.missed_lower <= missed <= cert.missed_upper
                and cert.share_lower <= share <= cert.share_upper
            )
            if not covered:
                misses += 1
                break
    # family-wise miscoverage <= delta: 15 misses expected at most; 25 is Bin(150, 0.1)'s
    # 99.5% quantile (Bonferroni over 6 exact intervals usually misses far fewer)
    assert misses <= 25, misses


def test_unconditioned_rates_would_not_cover_the_split() -> None:
    """The split is real: one pooled interval misses the conditional rates."""
    certs = attribute(scenes(attribution_table(400, seed=5)), 0.05, "clopper-pearson", "unsafe")
    rain = next(c for c in certs if c.condition == "weather=HardRainNoon")
    assert rain.seen_upper < rain.missed_lower  # the two conditional rates are told apart
    assert rain.share_lower > 0.9 * truth(0.6)[2] - 0.1


def test_perceives_is_normalised_and_must_name_perception_questions() -> None:
    table = attribution_table(40, seed=6)
    clean = attribute(scenes(table), 0.05, "clopper-pearson", "unsafe")
    messy = table.assign(perceives=table["perceives"].replace("light_red", " light_red, light_red"))
    assert attribute(scenes(messy), 0.05, "clopper-pearson", "unsafe") == clean
    itself = table.assign(perceives=table["perceives"].replace("light_red", "stop_needed"))
    with pytest.raises(UsageError, match="rests on 'stop_needed', which the verdicts table marks"):
        attribute(scenes(itself), 0.05, "clopper-pearson", "unsafe")


def test_an_unparseable_perception_answer_counts_as_wrong() -> None:
    table = attribution_table(60, seed=7)
    perception = table["question"] == "light_red"
    table.loc[perception, "wrong"] = False
    table.loc[perception & (table["sample"] < 10), "unparseable"] = True
    certs = attribute(scenes(table), 0.05, "clopper-pearson", "unsafe")
    assert {c.missed for c in certs} == {10}


def test_the_family_is_fixed_by_the_design_and_fixed_n_is_always_exact() -> None:
    table = attribution_table(30, seed=8)
    failed = (table["condition"] == "weather=ClearNoon") & (table["question"] == "light_red")
    table.loc[failed, "status"] = "failed"
    certs = attribute(scenes(table), 0.05, "wilson", "unsafe")
    assert len(certs) == 2 and all(c.method == "clopper-pearson+bonferroni(K=6)" for c in certs)
    lost = next(c for c in certs if c.condition == "weather=ClearNoon")
    assert lost.n == 0 and (lost.seen_lower, lost.seen_upper) == (0.0, 1.0)


def test_a_table_without_wrong_skips_attribution_with_a_warning() -> None:
    table = attribution_table(10, seed=9).drop(columns=["wrong"])
    with pytest.warns(UserWarning, match="attribution skipped.*no wrong column"):
        assert attribute(scenes(table), 0.05, "clopper-pearson", "unsafe") == []


def test_a_decision_whose_perception_was_never_asked_is_not_in_the_family() -> None:
    table = attribution_table(20, seed=10)
    table = table[
        ~((table["condition"] == "weather=ClearNoon") & (table["question"] == "light_red"))
    ]
    certs = attribute(scenes(table), 0.05, "clopper-pearson", "unsafe")
    assert [c.condition for c in certs] == ["weather=HardRainNoon"]
    assert certs[0].method == "clopper-pearson+bonferroni(K=3)"
