"""Fixtures the harness tests share: a tiny offline checkpoint to judge with."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_tiny_models.py"


@pytest.fixture(scope="session")
def tiny_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``hf:FOLDER`` of a tiny random Qwen2-VL (its words are random: for plumbing tests).

    Built in a process of its own, which keeps torch out of the test process (triton's
    LLVM loaded after llvmpipe's used to crash it; the renderer now loads triton first).
    """
    for name in ("transformers", "qwen_vl_utils"):  # found, not imported (see above)
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"needs {name}: bash scripts/setup.sh")
    root = tmp_path_factory.mktemp("tiny-judge")
    command = [sys.executable, str(SCRIPT), "--out", str(root), "--families", "qwen2-vl"]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return f"hf:{root / 'qwen2-vl'}"
