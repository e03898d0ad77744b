"""drivecert compare: runs side by side, and paired differences on shared scenes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main


def test_two_models_on_the_same_scenes(tmp_path: Path, capsys, run_settings) -> None:  # type: ignore[no-untyped-def]
    good = "scripted:noisy?error=0.05"
    bad = "scripted:noisy?error=0.05&weather.HardRainNoon=0.9"
    run_settings(tmp_path / "good", model=good, n_max=40)
    run_settings(tmp_path / "bad", model=bad, n_max=40)
    out = tmp_path / "cmp"
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(tmp_path / "good"), str(tmp_path / "bad"), "--out", str(out)])
    stdout, err = capsys.readouterr()
    assert exit_info.value.code in (0, None), err
    assert good in stdout and bad in stdout and "weather=HardRainNoon" in stdout
    certificates = pd.read_csv(out / "certificates.csv")
    assert set(certificates["label"]) == {good, bad} and len(certificates) == 2 * 12
    mine = pd.read_csv(tmp_path / "bad" / "certificates.csv")
    theirs = certificates[certificates["label"] == bad].reset_index(drop=True)
    assert theirs["upper"].round(9).tolist() == mine["upper"].round(9).tolist()
    paired = pd.read_csv(out / "paired.csv")
    assert len(paired) == 12 and (paired["pairs"] == 40).all()
    rain = paired[paired["condition"].str.contains("HardRain") & (paired["question"] == "action")]
    assert rain["lower"].item() > 0.3  # the bad model is far worse in rain, on the same scenes
    clear = paired[paired["condition"].str.contains("ClearNoon")]
    assert ((clear["lower"] <= 0) & (clear["upper"] >= 0)).all()
    assert (out / "figures" / "forest.png").is_file()


def test_compare_needs_two_runs_of_one_event(tmp_path: Path, capsys, run_settings) -> None:  # type: ignore[no-untyped-def]
    run_settings(tmp_path / "a", n_max=3)
    run_settings(tmp_path / "b", n_max=3, event="wrong")
    for args in (
        [str(tmp_path / "a")],
        [str(tmp_path / "a"), str(tmp_path / "b")],
        [str(tmp_path / "a"), str(tmp_path / "nothing")],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(["compare", *args, "--out", str(tmp_path / "cmp")])
        _, err = capsys.readouterr()
        assert exit_info.value.code == 2 and len(err.strip().splitlines()) == 1, err
