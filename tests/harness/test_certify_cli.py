"""`drivecert certify`: a verdicts table in, certificates, tables and figures out."""

import numpy as np
import pandas as pd
import pytest

from harness.cli import main


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def table(n: int = 100) -> pd.DataFrame:
    # paired scenes: one latent difficulty per scene, so rain turns easy scenes unsafe
    latent = np.random.default_rng(0).random(n)
    rows = []
    for condition, p in (("weather=ClearNoon", 0.05), ("weather=HardRainNoon", 0.6)):
        for sample in range(n):
            unsafe = bool(latent[sample] < p)
            rows.append(
                {
                    "scenario": "right_turn",
                    "model": "m",
                    "condition": condition,
                    "sample": sample,
                    "unsafe": unsafe,
                    "unparseable": False,
                    "maneuver": "right_turn",
                    "answer": "proceed" if unsafe else "stop",
                }
            )
    return pd.DataFrame(rows)


def test_certify_writes_everything(tmp_path, capsys) -> None:
    source = tmp_path / "verdicts.csv"
    table().to_csv(source, index=False)
    out = tmp_path / "run"
    code, stdout, _ = run(
        [
            "certify",
            str(source),
            "--out",
            str(out),
            "--spec",
            "<=0.3",
            "--pair-a",
            "weather=ClearNoon",
            "--pair-b",
            "weather=HardRainNoon",
        ],
        capsys,
    )
    assert code == 0, stdout
    certificates = pd.read_csv(out / "certificates.csv")
    assert certificates["decision"].tolist() == ["safe", "unsafe"]
    assert set(certificates["method"]) == {"clopper-pearson+bonferroni(K=2)"}
    for name in ("safety_table.md", "safety_table.csv", "safety_table.tex"):
        assert (out / "tables" / name).stat().st_size > 0
    for stem in ("heatmap_upper", "forest", "convergence"):
        for suffix in (".png", ".pdf"):
            assert (out / "figures" / f"{stem}{suffix}").stat().st_size > 0
    relational = pd.read_csv(out / "relational.csv")
    assert relational.loc[0, "difference_lower"] > 0.25  # observed difference 0.45
    assert "certificates:" in stdout


def test_certify_errors_are_one_line(tmp_path, capsys) -> None:
    source = tmp_path / "verdicts.csv"
    table().drop(columns=["unsafe"]).to_csv(source, index=False)
    code, _, err = run(["certify", str(source), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "lacks column(s) unsafe" in err and err.count("\n") == 1
    table().to_csv(source, index=False)
    code, _, err = run(
        ["certify", str(source), "--out", str(tmp_path / "o"), "--spec", "<=lots"], capsys
    )
    assert code == 2 and "cannot read spec" in err
    code, _, err = run(
        ["certify", str(source), "--out", str(tmp_path / "o"), "--pair-a", "weather=ClearNoon"],
        capsys,
    )
    assert code == 2 and "needs both --pair-a and --pair-b" in err
    out = tmp_path / "bad-method"
    code, _, err = run(["certify", str(source), "--out", str(out), "--method", "wald"], capsys)
    assert code == 2 and "unknown method 'wald'" in err
    assert not out.exists()  # refused before anything was computed or written


def test_certify_event_wrong_and_group_by(tmp_path, capsys) -> None:
    source = tmp_path / "verdicts.csv"
    rows = table(60).assign(
        control=lambda t: ["light_red" if s % 2 else "none" for s in t["sample"]]
    )
    rows = rows.assign(condition=lambda t: t["condition"] + ",control=" + t["control"])
    rows = rows.drop(columns=["control"]).assign(wrong=lambda t: t["unsafe"] | (t["sample"] < 10))
    rows.to_csv(source, index=False)
    out = tmp_path / "run"
    code, stdout, _ = run(
        [
            "certify",
            str(source),
            "--out",
            str(out),
            "--event",
            "wrong",
            "--group-by",
            "weather,control",
        ],
        capsys,
    )
    assert code == 0, stdout
    certificates = pd.read_csv(out / "certificates.csv")
    assert set(certificates["event"]) == {"wrong"} and len(certificates) == 4
    assert (certificates["wrong"] >= certificates["unsafe"]).all()
    safety = pd.read_csv(out / "tables" / "safety_table.csv")
    assert list(safety.columns[:2]) == ["Weather", "Control"]
    assert set(safety["Control"]) == {"light_red", "none"}
    assert "P(wrong) <= 0.5" in (out / "tables" / "safety_table.md").read_text(encoding="utf-8")


def test_certify_event_and_group_by_errors(tmp_path, capsys) -> None:
    source = tmp_path / "verdicts.csv"
    table().to_csv(source, index=False)
    code, _, err = run(
        ["certify", str(source), "--out", str(tmp_path / "o"), "--event", "wrong"], capsys
    )
    assert code == 2 and "no wrong column" in err and err.count("\n") == 1
    code, _, err = run(
        ["certify", str(source), "--out", str(tmp_path / "o"), "--event", "bad"], capsys
    )
    assert code == 2 and "unknown event 'bad'" in err
    code, _, err = run(
        ["certify", str(source), "--out", str(tmp_path / "o"), "--group-by", "weather"], capsys
    )
    assert code == 2 and "must name two different variables" in err


def test_certify_defaults_to_a_bounded_mean_method_for_observed_scenes(tmp_path, capsys) -> None:
    frame = table(60)
    p = np.random.default_rng(2).beta(2, 5, size=len(frame))
    frame = frame.assign(observe="probability", unsafe_lb=p * 0.9, unsafe_ub=p)
    frame.to_csv(tmp_path / "verdicts.csv", index=False)
    code, _, err = run(
        ["certify", str(tmp_path / "verdicts.csv"), "-o", str(tmp_path / "a")], capsys
    )
    assert code == 0, err
    certs = pd.read_csv(tmp_path / "a" / "certificates.csv")
    assert set(certs["observe"]) == {"probability"}
    assert all(m.startswith("betting-mean") for m in certs["method"])
    assert not (tmp_path / "a" / "figures" / "convergence.png").exists()
    args = ["certify", str(tmp_path / "verdicts.csv"), "-o", str(tmp_path / "b")]
    code, _, err = run([*args, "--method", "wilson"], capsys)
    assert code == 2 and "method wilson certifies 0/1 answers" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "b" / "certificates.csv").exists()
