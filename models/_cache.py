"""A persistent response cache: a re-run never re-queries an answer it already has.

The key is sha256 over (model id, revision, image hashes, messages, answer key, decoding
settings), so a new checkpoint revision, another image, prompt or setting is a miss.
Entries live in one SQLite file (write-ahead log, ``synchronous=NORMAL``); a batch's new
answers are committed together in one transaction as soon as the batch is answered.
Failed responses are never stored: they are asked again next time.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from drivecert import UsageError
from models._backend import ModelBackend
from models._types import Decoding, ModelQuery, Response

_KEYS_PER_SELECT = 500  # well under SQLite's limit on bound parameters


def cache_key(model_id: str, revision: str, query: ModelQuery, decoding: Decoding) -> str:
    """The hex sha256 that identifies one answer."""
    payload = {
        "model": model_id,
        "revision": revision,
        "images": list(query.image_hashes()),
        "messages": [m.to_dict() for m in query.messages],
        "key": query.key.to_dict() if query.key is not None else None,
        "decoding": decoding.to_dict(),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResponseCache:
    """Responses stored by :func:`cache_key` in a SQLite file.

    Only answered (``ok``) responses are stored; storing a failed one raises.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        # a write-ahead log needs no fsync per commit, only at checkpoints: a crash can
        # lose the last commits (they are asked again), never corrupt the file
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, body TEXT)")
        self._db.commit()

    def get(self, key: str) -> Response | None:
        """The stored response, marked cached, or None."""
        return self.get_many([key])[0]

    def get_many(self, keys: Sequence[str]) -> list[Response | None]:
        """The stored response of each key, marked cached, or None where there is none."""
        bodies: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(keys), _KEYS_PER_SELECT):
                chunk = keys[start : start + _KEYS_PER_SELECT]
                marks = ",".join("?" * len(chunk))
                select = f"SELECT key, body FROM responses WHERE key IN ({marks})"
                bodies.update(self._db.execute(select, chunk).fetchall())
        return [
            replace(Response.from_dict(json.loads(bodies[key])), cached=True)
            if key in bodies
            else None
            for key in keys
        ]

    def put(self, key: str, response: Response) -> None:
        """Store (or replace) one response and commit."""
        self.put_many([(key, response)])

    def put_many(self, items: Iterable[tuple[str, Response]]) -> None:
        """Store (or replace) ``(key, response)`` pairs in one transaction.

        Raises:
            UsageError: if a response failed (failures are never cached); nothing is stored.
        """
        rows = []
        for key, response in items:
            if not response.ok:
                raise UsageError(
                    f"cannot cache a failed response ({response.error}); store only "
                    "responses with status 'ok'"
                )
            body = json.dumps(replace(response, cached=False).to_dict(), ensure_ascii=False)
            rows.append((key, body))
        if not rows:
            return
        with self._lock, self._db:  # one transaction: all rows or none
            self._db.executemany("INSERT OR REPLACE INTO responses VALUES (?, ?)", rows)

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()


class CachedModel:
    """A backend behind a :class:`ResponseCache`: only misses reach the model, in one batch.

    Attributes:
        queried: how many queries were sent to the model (misses), over this object's life.
    """

    def __init__(self, backend: ModelBackend, cache: ResponseCache) -> None:
        self.backend = backend
        self.cache = cache
        self.queried = 0

    @property
    def model_id(self) -> str:
        """The wrapped model's id."""
        return self.backend.model_id

    @property
    def revision(self) -> str:
        """The wrapped model's revision."""
        return self.backend.revision

    def generate(self, queries: Sequence[ModelQuery], decoding: Decoding) -> list[Response]:
        """Cached responses where present; the rest from the model in one batch.

        The batch's answered responses are stored in one transaction; failed ones are
        returned but not stored, so the next call asks the model again.
        """
        keys = [cache_key(self.model_id, self.revision, q, decoding) for q in queries]
        out = self.cache.get_many(keys)
        missing = [i for i, response in enumerate(out) if response is None]
        if missing:
            fresh = self.backend.generate([queries[i] for i in missing], decoding)
            self.queried += len(missing)
            answered = []
            for i, response in zip(missing, fresh, strict=True):
                out[i] = response
                if response.ok:
                    answered.append((keys[i], response))
            self.cache.put_many(answered)
        return [r for r in out if r is not None]

    def close(self) -> None:
        """Close the model and the cache."""
        self.backend.close()
        self.cache.close()
