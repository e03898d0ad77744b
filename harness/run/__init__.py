"""The run loop: scenes -> frames -> model -> verdicts -> store -> certificates.

Names are imported on first use, so that the command line starts without loading the
analysis, the models and the renderer until a run needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.run._config import (
        RunConfig as RunConfig,
    )
    from harness.run._config import (
        build_config as build_config,
    )
    from harness.run._config import (
        fingerprint as fingerprint,
    )
    from harness.run._config import (
        read_yaml as read_yaml,
    )
    from harness.run._plan import (
        Cell as Cell,
    )
    from harness.run._plan import (
        Plan as Plan,
    )
    from harness.run._plan import (
        make_plan as make_plan,
    )
    from harness.run._scheduler import (
        Observation as Observation,
    )
    from harness.run._scheduler import (
        SampleTask as SampleTask,
    )
    from harness.run._scheduler import (
        Scheduler as Scheduler,
    )
    from harness.run._session import (
        Hooks as Hooks,
    )
    from harness.run._session import (
        RunResult as RunResult,
    )
    from harness.run._session import (
        run as run,
    )
    from harness.run._session import (
        verdicts_of as verdicts_of,
    )
    from harness.run._session import (
        verdicts_table as verdicts_table,
    )
    from harness.run._sweep import (
        certify_defaults as certify_defaults,
    )

_WHERE = {
    "RunConfig": "_config",
    "build_config": "_config",
    "fingerprint": "_config",
    "read_yaml": "_config",
    "Cell": "_plan",
    "Plan": "_plan",
    "make_plan": "_plan",
    "certify_defaults": "_sweep",
    "Observation": "_scheduler",
    "SampleTask": "_scheduler",
    "Scheduler": "_scheduler",
    "Hooks": "_session",
    "RunResult": "_session",
    "run": "_session",
    "verdicts_of": "_session",
    "verdicts_table": "_session",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'harness.run' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"harness.run.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
