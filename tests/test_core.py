"""The shared core: seeds and the registry."""

import subprocess
import sys

import pytest

from drivecert import DrivecertError, Registry, UsageError, derive_seed


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
