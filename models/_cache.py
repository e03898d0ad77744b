"""A persistent response cache: a re-run never re-queries an answer it already has.

The key is sha256 over (model id, revision, image hashes, messages, answer key, decoding
settings), so a new checkpoint revision, another image, prompt or setting is a miss.
Entries live in one SQLite file and are committed as soon as they are answered.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from models._backend import ModelBackend
from models._types import Decoding, ModelQuery, Response


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
    """Responses stored by :func:`cache_key` in a SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, body TEXT)")
        self._db.commit()

    def get(self, key: str) -> Response | None:
        """The stored response, marked cached, or None."""
        with self._lock:
            row = self._db.execute("SELECT body FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return replace(Response(**json.loads(row[0])), cached=True)

    def put(self, key: str, response: Response) -> None:
        """Store (or replace) one response and commit."""
        body = json.dumps(replace(response, cached=False).to_dict(), ensure_ascii=False)
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?)", (key, body))
            self._db.commit()

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
        """Cached responses where present; the rest from the model, stored as they come."""
        keys = [cache_key(self.model_id, self.revision, q, decoding) for q in queries]
        out: list[Response | None] = [self.cache.get(k) for k in keys]
        missing = [i for i, response in enumerate(out) if response is None]
        if missing:
            fresh = self.backend.generate([queries[i] for i in missing], decoding)
            self.queried += len(missing)
            for i, response in zip(missing, fresh, strict=True):
                self.cache.put(keys[i], response)
                out[i] = response
        return [r for r in out if r is not None]

    def close(self) -> None:
        """Close the model and the cache."""
        self.backend.close()
        self.cache.close()
