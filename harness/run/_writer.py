"""Committing judged batches in a writer thread, in order, while the next batch is asked.

Each batch is still one transaction, committed in the order it was judged, so a run killed
at any moment leaves the store at the end of some whole batch. At most ``depth`` judged
batches wait to be written; an error in the writer is raised in the run loop at its next
hand-off, and nothing later is written.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.store import ResultRow, Store

_DONE = object()


@dataclass
class StoreWriter:
    """A thread that owns the store's writes while the run loop goes on.

    Attributes:
        store: the results store.
        depth: judged batches that may wait to be written.
        busy_s: seconds spent committing.
    """

    store: Store
    depth: int = 2
    busy_s: float = 0.0
    _queue: queue.Queue[Any] = field(init=False)
    _error: BaseException | None = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._queue = queue.Queue(maxsize=self.depth)

    def start(self) -> StoreWriter:
        """Start the writer thread."""
        self._thread = threading.Thread(target=self._work, name="drivecert-store", daemon=True)
        self._thread.start()
        return self

    def submit(self, rows: Sequence[ResultRow]) -> None:
        """Queue one batch for its transaction (blocks while ``depth`` batches wait).

        Raises:
            DrivecertError: a failure of an earlier commit.
        """
        self._raise()
        self._queue.put(list(rows))

    def drain(self) -> None:
        """Wait until every queued batch is committed; the thread goes on.

        Raises:
            DrivecertError: a failure of a commit.
        """
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.join()
        self._raise()

    def flush(self) -> None:
        """Wait until every queued batch is committed; stop the thread.

        Raises:
            DrivecertError: a failure of a commit.
        """
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(_DONE)
            while thread.is_alive():
                try:
                    thread.join()
                except KeyboardInterrupt:  # a second Ctrl-C waits for the commit under way
                    continue
        self._raise()

    def close(self) -> None:
        """Commit what is queued and stop; errors were raised at their hand-off already."""
        with contextlib.suppress(Exception):
            self.flush()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _work(self) -> None:
        while True:
            rows = self._queue.get()
            try:
                if rows is _DONE:
                    return
                if self._error is not None:
                    continue  # drain without writing: nothing after a failed batch
                started = time.perf_counter()
                try:
                    self.store.commit(rows)
                except BaseException as error:  # raised in the run loop at its next hand-off
                    self._error = error
                self.busy_s += time.perf_counter() - started
            finally:
                self._queue.task_done()
