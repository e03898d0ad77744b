"""Writing outputs so that nobody sees half of them: write aside, then rename into place.

- :func:`write_atomic`: one file, whole or not at all.
- :func:`atomic_text`: a text stream that becomes a file only if the writing finishes.
- :func:`publish`: a set of outputs (files and folders) built in a staging folder beside
  them and swapped in together; outputs of the same set that this build did not make are
  removed, so a folder never mixes two runs. If the build fails, nothing is touched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, TypeVar

T = TypeVar("T")


def write_atomic(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    The rename is atomic on POSIX file systems: ``path`` holds either its old content or
    all of the new, even if the process is killed in between. The file keeps its mode, or
    gets the usual one for a new file (0666 less the umask), not the temporary's 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode(encoding) if isinstance(data, str) else data
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    """The process's umask, read without changing it (Linux); 0o022 elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


@contextmanager
def atomic_text(path: Path | None, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text stream for ``path`` (stdout when None or ``-``) that replaces the file only
    when the block ends without an error; on an error the old file stays as it was."""
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding=encoding) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def publish(out: Path, build: Callable[[Path], T], names: Collection[str]) -> T:
    """Build outputs with ``build(staging)`` and move them into ``out`` together.

    Args:
        out: the folder the outputs belong in (created when missing).
        build: writes the outputs into the folder it is given; its result is returned.
        names: every output name this kind of build can make (``certificates.csv``,
            ``tables``...); those it did not make this time are removed from ``out``.

    If ``build`` raises, ``out`` is left exactly as it was.
    """
    out.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    staging = out / f".staging-{tag}"
    trash = out / f".replaced-{tag}"
    staging.mkdir()
    try:
        result = build(staging)
        made = {entry.name for entry in staging.iterdir()}
        trash.mkdir()
        for name in sorted(set(names) | made):
            if (out / name).exists():
                os.replace(out / name, trash / name)
            if name in made:
                os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(trash, ignore_errors=True)
    return result
