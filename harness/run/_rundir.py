"""The run directory: its layout, the resume check and the records of how it was made.

```
runs/<name>/config.yaml        resolved settings and their fingerprint
runs/<name>/manifest.json      versions, renderer and GL driver, model revision, seeds
runs/<name>/results.duckdb     one row per (condition, sample, question)
runs/<name>/frames/<sha>.png   content-addressed frames
runs/<name>/cache/             the model's response cache (and cache/judge/, a model judge's)
runs/<name>/certificates.csv   one row per (condition, question)
runs/<name>/tables/ figures/ summary.json
```

Re-running the same command on a directory resumes it. A different configuration is
refused unless ``--force-new``, which clears the results but keeps frames and cached
responses, so a re-run with other settings never asks the model the same thing twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from drivecert import UsageError, __version__, write_atomic
from harness.store import FILE_NAME

CONFIG = "config.yaml"
MANIFEST = "manifest.json"
LOCK = ".lock"
#: Folders ``drivecert.publish`` stages outputs in; one left behind is a killed session's.
STAGING = (".staging-", ".replaced-")
#: What a run directory holds before its first config.yaml (kept by --force-new).
OWN = frozenset({LOCK, "cache", "frames"})
#: What --force-new removes: every result, none of the frames or cached responses.
RESULTS = (
    CONFIG,
    MANIFEST,
    FILE_NAME,
    f"{FILE_NAME}.wal",
    "certificates.csv",
    "summary.json",
    "tables",
    "figures",
)
PACKAGES = (
    "torch",
    "transformers",
    "qwen-vl-utils",
    "panda3d",
    "carla",
    "vllm",
    "duckdb",
    "numpy",
    "scipy",
    "pandas",
)


@dataclass(frozen=True)
class RunDir:
    """The paths of a run directory."""

    root: Path

    @property
    def store(self) -> Path:
        """``results.duckdb``."""
        return self.root / FILE_NAME

    @property
    def frames(self) -> Path:
        """``frames/``."""
        return self.root / "frames"

    @property
    def cache(self) -> Path:
        """``cache/responses.sqlite``."""
        return self.root / "cache" / "responses.sqlite"

    @property
    def judge_cache(self) -> Path:
        """``cache/judge/``: a model judge's judgements (kept by --force-new, as responses)."""
        return self.root / "cache" / "judge"

    def check(self, payload: dict[str, Any], fingerprint: str, force_new: bool) -> bool:
        """Whether the run resumes (True) or starts (False); writes nothing.

        Raises:
            UsageError: when the path is a file or cannot be written, holds something else
                than a run, or a run with a different configuration (without force_new).
        """
        root = self.root
        if root.exists() and not root.is_dir():
            raise UsageError(f"--out {root} is a file; give a directory for the run")
        existing = _nearest_existing(root)
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise UsageError(f"cannot write the run directory {root}: {existing} is not writable")
        if not root.exists():
            return False
        if not os.access(root, os.W_OK | os.X_OK) or not root.stat().st_mode & 0o222:
            raise UsageError(  # the mode bits too: root may write anywhere, but chmod -w says no
                f"{root} is read-only; make it writable (chmod u+w {root}) to resume or "
                "replace the run there, or choose another --out"
            )
        stored = read_run_config(root)
        if stored is None:  # never --force-new a folder that holds anything but a run's own
            foreign = [p.name for p in root.iterdir() if not _own(p.name)]
            if foreign:
                raise UsageError(
                    f"{root} is not empty and holds no drivecert run (it has {foreign[0]} and "
                    f"no drivecert {CONFIG}); give a new or empty directory"
                )
            return False
        if force_new:
            return False
        if stored["fingerprint"] == fingerprint:
            return True
        changed = _differences(stored["settings"], payload)
        raise UsageError(
            f"{root} holds a run with other settings ({changed}); re-run with the same settings "
            "to resume it, choose another --out, or add --force-new to start it again"
        )

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the directory for this process (another run on it gets one line).

        The lock is released when the process ends, however it ends.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = (self.root / LOCK).open("a")
        except OSError as error:
            raise UsageError(
                f"cannot write the run directory {self.root}: {error.strerror or error}"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise UsageError(
                f"{self.root} is in use by another drivecert run; wait for it to finish or "
                "stop it, then re-run"
            ) from None
        try:
            yield
        finally:
            handle.close()

    def clean_staging(self) -> None:
        """Remove the staging folders and temporary files a killed session left (call while
        holding the lock)."""
        for entry in self.root.iterdir():
            if entry.is_dir() and entry.name.startswith(STAGING):
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.is_file() and _leftover(entry.name):
                entry.unlink(missing_ok=True)

    def reset(self) -> None:
        """Remove the results of an earlier run (frames and cached responses stay)."""
        for name in RESULTS:
            path = self.root / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def write_config(self, payload: dict[str, Any], fingerprint: str) -> Path:
        """``config.yaml``: the resolved settings and their fingerprint."""
        document = {"fingerprint": fingerprint, "settings": payload}
        text = (
            "# drivecert run configuration (resolved). Re-running the same command resumes;\n"
            "# `drivecert run --config THIS_FILE --out OTHER` runs the same settings elsewhere.\n"
            + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        )
        return write_atomic(self.root / CONFIG, text)

    def write_manifest(self, session: dict[str, Any], new_session: bool = True) -> Path:
        """``manifest.json``: versions and this session, appended to earlier sessions (or,
        with ``new_session`` False, replacing the last one: the same session, updated)."""
        path = self.root / MANIFEST
        sessions: list[Any] = []
        if path.is_file():
            try:
                sessions = list(json.loads(path.read_text(encoding="utf-8")).get("sessions", []))
            except (OSError, ValueError):
                sessions = []
        if not new_session and sessions:
            sessions.pop()
        manifest = {**session, "sessions": [*sessions, session["session"]]}
        manifest.pop("session")
        return write_atomic(path, json.dumps(manifest, indent=2, sort_keys=False) + "\n")


def versions() -> dict[str, str | None]:
    """drivecert, Python and the installed versions of the packages results depend on."""
    found: dict[str, str | None] = {
        "drivecert": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def session_record() -> dict[str, Any]:
    """When and how this invocation ran."""
    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "argv": sys.argv[1:],
        "host": platform.node(),
    }


def _nearest_existing(path: Path) -> Path:
    current = path.absolute()
    while not current.exists():
        current = current.parent
    return current


def read_run_config(root: Path) -> dict[str, Any] | None:
    """The ``fingerprint`` and ``settings`` of the run in ``root``, or None."""
    path = root / CONFIG
    return _read_config(path) if path.is_file() else None


def _own(name: str) -> bool:
    """Whether a directory entry is one a run makes before its config.yaml exists."""
    return name in OWN or name.startswith(STAGING) or _leftover(name, CONFIG)


def _leftover(name: str, of: str | None = None) -> bool:
    """Whether ``name`` is the temporary file a killed atomic write left (``.NAME.xxxx.tmp``,
    see :func:`drivecert.write_atomic`), of the file ``of`` when given."""
    return name.startswith(f".{of}." if of else ".") and name.endswith(".tmp")


def _read_config(path: Path) -> dict[str, Any] | None:
    """A run's config.yaml (``fingerprint`` and ``settings``), or None for any other file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    if (
        isinstance(data, dict)
        and set(data) == {"fingerprint", "settings"}
        and isinstance(data["fingerprint"], str)
        and isinstance(data["settings"], dict)
    ):
        return data
    return None


def _differences(before: dict[str, Any], after: dict[str, Any]) -> str:
    """``delta: 0.05 -> 0.1, n_max: 200 -> 50`` for the first keys that differ (a key left
    out, as a setting at its default is, shows as ``(default)``)."""
    keys = sorted(set(before) | set(after))
    changed = [
        f"{k}: {_shown(before, k)} -> {_shown(after, k)}"
        for k in keys
        if before.get(k, _ABSENT) != after.get(k, _ABSENT)
    ]
    if not changed:
        return "fingerprint differs"
    shown = ", ".join(changed[:3])
    return shown + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")


_ABSENT = object()


def _shown(settings: dict[str, Any], key: str) -> str:
    return _short(settings[key]) if key in settings else "(default)"


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 40 else text[:37] + "..."
