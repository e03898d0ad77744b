"""The one-file scenario example in README.md works as written."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"


def test_readme_scenario_example_registers_and_samples() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"### Adding a scenario.*?```python\n(.*?)```", text, re.S)
    assert block, "README lost its scenario example"
    code = (
        block.group(1)
        + "\nfrom scenarios import get_scenario\n"
        + "s = get_scenario('debris')\n"
        + "scene = s.sample('debris=cones', 4, 0)\n"
        + "print(scene.agents[0].kind, [q.ground_truth.expected for q in s.ask(scene)])\n"
        + "print(len(s.default_conditions()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["cones ['yes', 'stop', 'yes']", "8"]
