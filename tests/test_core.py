"""The shared core: seeds, the registry, the answer vocabulary and the pixel hash."""

import hashlib
import subprocess
import sys
from typing import get_args

import pytest

from drivecert import DrivecertError, Registry, UsageError, derive_seed, pixel_sha256


def test_derive_seed_is_stable_across_processes() -> None:
    here = derive_seed("scene", 0, "right_turn", 137)
    code = "from drivecert import derive_seed; print(derive_seed('scene', 0, 'right_turn', 137))"
    for hash_seed in ("0", "12345"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
        )
        assert int(out.stdout) == here


def test_derive_seed_separates_parts() -> None:
    seeds = {derive_seed(a, b) for a in range(30) for b in range(30)}
    assert len(seeds) == 900
    assert derive_seed("ab", "c") != derive_seed("a", "bc")
    assert 0 <= derive_seed("x") < 2**64


class Thing:
    pass


def test_registry_rejects_wrong_type_and_suggests_names() -> None:
    registry: Registry[Thing] = Registry("thing", Thing)
    registry.register("alpha", Thing())
    with pytest.raises(DrivecertError, match="must be a Thing"):
        registry.register("beta", "not a thing")  # type: ignore[arg-type]
    with pytest.raises(
        UsageError, match=r"unknown thing 'alpah' \(did you mean 'alpha'\?\); valid: alpha"
    ):
        registry.get("alpah")
    with pytest.raises(DrivecertError, match="registered twice"):
        registry.register("alpha", Thing())
    registry.freeze()
    with pytest.raises(DrivecertError, match="frozen"):
        registry.register("gamma", Thing())
    assert registry.names() == ["alpha"] and "alpha" in registry and len(registry) == 1


def test_answer_vocabulary_is_written_once() -> None:
    import scenarios
    from drivecert import ACTION_CHOICES_TEXT, ACTION_OPTIONS, ANSWERS, AnswerKind
    from harness import judge
    from harness.judge import normalise_answer

    assert get_args(AnswerKind) == tuple(ANSWERS)
    assert tuple(ACTION_OPTIONS.values()) == ANSWERS["action"]  # letters in caution order
    assert [f"({letter})" in ACTION_CHOICES_TEXT for letter in ACTION_OPTIONS] == [True] * 3
    assert scenarios.ANSWERS is ANSWERS and scenarios.ACTION_OPTIONS is ACTION_OPTIONS
    assert scenarios.AnswerKind is AnswerKind and judge.AnswerKind is AnswerKind
    for letter, action in ACTION_OPTIONS.items():
        assert normalise_answer(f"({letter})", "action") == action
    with pytest.raises(TypeError):
        ANSWERS["maybe"] = ("x",)  # type: ignore[index]


def test_pixel_hash_is_the_same_for_an_array_and_its_image() -> None:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    for shape in [(5, 7, 3), (5, 7, 4), (5, 7)]:
        array = rng.integers(0, 256, size=shape, dtype=np.uint8)
        image = Image.fromarray(array)
        assert pixel_sha256(array) == pixel_sha256(image)
        header = f"{image.mode}:7x5:".encode()
        assert pixel_sha256(array) == hashlib.sha256(header + array.tobytes()).hexdigest()
    wide = rng.integers(0, 256, size=(4, 10, 3), dtype=np.uint8)
    assert pixel_sha256(wide[:, ::2]) == pixel_sha256(Image.fromarray(wide[:, ::2].copy()))
    assert pixel_sha256(wide) != pixel_sha256(wide.reshape(10, 4, 3))  # same bytes, other size
    assert len(pixel_sha256(wide)) == 64


def test_pixel_hash_rejects_what_is_not_pixels() -> None:
    import numpy as np

    with pytest.raises(UsageError, match=r"dtype float64 and shape \(2, 2, 3\); pass a uint8"):
        pixel_sha256(np.zeros((2, 2, 3)))
    with pytest.raises(UsageError, match=r"shape \(2, 2, 2\)"):
        pixel_sha256(np.zeros((2, 2, 2), dtype=np.uint8))


def test_importing_the_core_loads_neither_numpy_nor_pil() -> None:
    code = "import sys, drivecert; print(sorted({'numpy', 'PIL'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_write_atomic_gives_new_files_the_usual_mode_and_keeps_an_existing_one(tmp_path) -> None:
    import os
    import stat

    from drivecert import write_atomic

    fresh = write_atomic(tmp_path / "new.txt", "a")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    write_atomic(kept, b"new")
    assert kept.read_bytes() == b"new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
