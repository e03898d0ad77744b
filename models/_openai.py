"""OpenAI-compatible HTTP backend: vLLM serve, Ollama, ``transformers serve``, hosted APIs.

Spec: ``openai:MODEL@BASE_URL``, e.g. ``openai:Qwen/Qwen2-VL-7B-Instruct@http://127.0.0.1:8000/v1``;
optionally ``?key_env=NAME`` to read the API key from another environment variable than
``OPENAI_API_KEY``. The key goes only into the Authorization header: it is never logged,
never put in an error message and never written to a run directory.

Images go as base64 PNG data URLs. Requests run ``concurrency`` at a time; 429, 5xx,
timeouts and dropped connections are retried up to ``retries`` times with exponential
backoff (honouring Retry-After). A request that still fails, or whose answer has no
``choices[0].message.content``, becomes a failed :class:`Response` for that query alone;
the rest of the batch is answered as usual. Pixel limits are the server's business and
are not sent.

``answer_distribution`` asks for one token with ``logprobs=true, top_logprobs=20`` and sums
the reported first-token probabilities as :mod:`models._answer_tokens` says (one step only:
prefix tokens like ``"("`` and unreported tokens go to ``other``). The probabilities are as
the server reports them: vLLM serve follows its ``--logprobs-mode`` (raw, before
temperature, by default), OpenAI's API reports the model's own distribution. A server that
answers without logprobs (``transformers serve`` ignores the request for them) raises
:class:`drivecert.UsageError`: that is a setup problem, not one query's failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from drivecert import DrivecertError, UsageError
from models._answer_tokens import NO_MASS, Masses, answer_kind, from_top_logprobs, record
from models._backend import LoadOptions
from models._chat import clean_reply, openai_messages
from models._types import AnswerDistribution, Decoding, ModelQuery, Response

FORM = "openai:MODEL@http://HOST:PORT/v1[?key_env=NAME]"
#: Fields of a ``/models`` entry that identify what is served (``created`` is not one).
STABLE_FIELDS = ("root", "parent", "owned_by", "max_model_len")
RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_MAX_BACKOFF_S = 30.0
TOP_LOGPROBS = 20


def parse_openai(rest: str) -> tuple[str, str, str]:
    """``MODEL@BASE_URL[?key_env=NAME]`` -> (model, base URL without a trailing slash, key env)."""
    target, _, query = rest.partition("?")
    model, at, url = target.rpartition("@")
    if not at or not model or not url.startswith(("http://", "https://")):
        raise UsageError(f"cannot read openai:{rest}; write {FORM}")
    key_env = "OPENAI_API_KEY"
    for item in filter(None, query.split("&")):
        name, _, value = item.partition("=")
        if name != "key_env" or not value:
            raise UsageError(
                f"unknown option {item!r} in openai:{rest}; the only one is key_env=NAME"
            )
        key_env = value
    return model, url.rstrip("/"), key_env


class OpenAIModel:
    """A model behind an OpenAI-compatible ``/chat/completions`` endpoint."""

    def __init__(self, rest: str, options: LoadOptions) -> None:
        self._model, self.base_url, key_env = parse_openai(rest)
        self.options = options
        key = os.environ.get(key_env)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=options.timeout_s,
            limits=httpx.Limits(max_connections=options.concurrency),
        )
        self._revision = self._served_revision()

    @property
    def model_id(self) -> str:
        """The model name the server is asked for."""
        return self._model

    @property
    def revision(self) -> str:
        """What the server says of the model (``/models``), or ``unknown``."""
        return self._revision

    def _served_revision(self) -> str:
        """The server's URL and a fingerprint of what ``/models`` says of the model.

        Only fields that stay put across requests count (``root``, ``parent``,
        ``owned_by``, ``max_model_len``): vLLM stamps ``created`` with the time of each
        request, so it would make every session look like another model.
        """
        try:
            listing = self.client.get("/models", timeout=min(10.0, self.options.timeout_s))
            entries = listing.json().get("data", []) if listing.status_code == 200 else []
        except (httpx.HTTPError, ValueError, AttributeError):
            return "unknown"
        for entry in entries:
            if isinstance(entry, dict) and entry.get("id") == self._model:
                stable = {k: entry[k] for k in STABLE_FIELDS if entry.get(k) is not None}
                if not stable:
                    return self.base_url
                text = json.dumps(stable, sort_keys=True, default=str)
                return f"{self.base_url}#{hashlib.sha256(text.encode()).hexdigest()[:12]}"
        return "unknown"

    def generate(self, queries: Sequence[ModelQuery], decoding: Decoding) -> list[Response]:
        """Send every query, ``concurrency`` at a time; responses come back in order.

        A query whose request fails after its retries gets a failed response; the others
        are unaffected.
        """
        if not queries:
            return []
        with ThreadPoolExecutor(max_workers=min(self.options.concurrency, len(queries))) as pool:
            return list(pool.map(lambda q: self._one(q, decoding), queries))

    def _one(self, query: ModelQuery, decoding: Decoding) -> Response:
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": openai_messages(query),
            "max_tokens": decoding.max_new_tokens,
            "temperature": decoding.temperature,
        }
        started = time.perf_counter()
        try:
            text = self._content(self._post(payload))
        except (DrivecertError, httpx.HTTPError, ValueError) as error:  # ValueError: not JSON
            latency = time.perf_counter() - started
            return Response.failure(self._model, self.revision, decoding, error, latency)
        latency = time.perf_counter() - started
        return Response(clean_reply(text), self._model, self.revision, decoding.to_dict(), latency)

    def answer_distribution(
        self, queries: Sequence[ModelQuery], decoding: Decoding
    ) -> list[AnswerDistribution]:
        """Each query's answer probabilities from its first token's top log-probabilities.

        A query whose request fails gets a failed record; the others are unaffected.

        Raises:
            UsageError: when the server answers without logprobs (it cannot give them).
        """
        if not queries:
            return []
        with ThreadPoolExecutor(max_workers=min(self.options.concurrency, len(queries))) as pool:
            return list(pool.map(lambda q: self._distribution(q, decoding), queries))

    def _distribution(self, query: ModelQuery, decoding: Decoding) -> AnswerDistribution:
        kind = answer_kind(query)
        found: Masses | BaseException = NO_MASS
        started = time.perf_counter()
        if kind is not None:
            payload: dict[str, Any] = {
                "model": self._model,
                "messages": openai_messages(query),
                "max_tokens": 1,
                "temperature": decoding.temperature,
                "logprobs": True,
                "top_logprobs": TOP_LOGPROBS,
            }
            if decoding.top_p < 1:
                payload["top_p"] = decoding.top_p
            try:
                body = self._post(payload)
            except (DrivecertError, httpx.HTTPError, ValueError) as error:
                found = error
            else:
                found = from_top_logprobs(self._top_logprobs(body), kind)
        latency = time.perf_counter() - started
        return record(kind, found, self._model, self.revision, decoding, latency)

    def _top_logprobs(self, body: Any) -> list[tuple[str, float]]:
        """(token, logprob) of the first generated token's top logprobs.

        Raises:
            UsageError: when the answer has none.
        """
        try:
            step = body["choices"][0]["logprobs"]["content"][0]
            top = [(str(t["token"]), float(t["logprob"])) for t in step["top_logprobs"]]
        except (KeyError, IndexError, TypeError, ValueError):
            top = []
        if not top:
            raise UsageError(
                f"{self.base_url} returns no logprobs, so answer distributions cannot be read "
                "from it; use --observe greedy, or serve the model with vLLM (vllm serve), "
                "or open it with hf: or vllm:"
            )
        return top

    def _content(self, body: Any) -> str:
        """The reply text of a chat-completions answer (a null content is an empty reply)."""
        missing = f"{self.base_url} answered without text in choices[0].message.content"
        try:
            content = body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise DrivecertError(f"{missing}: {str(body)[:200]}") from None
        if content is not None and not isinstance(content, str):
            raise DrivecertError(f"{missing}: {str(body)[:200]}")
        return content or ""

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /chat/completions with bounded retries on 429, 5xx and transport errors."""
        attempts = self.options.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                reply = self.client.post("/chat/completions", json=payload)
            except httpx.TransportError as error:  # timeouts, refused or dropped connections
                if last:
                    raise DrivecertError(
                        f"{self.base_url} did not answer after {attempts} attempts "
                        f"({type(error).__name__}); is the server up?"
                    ) from None
                time.sleep(_backoff(attempt, None))
                continue
            if reply.status_code == 200:
                result: dict[str, Any] = reply.json()
                return result
            if reply.status_code in RETRY_STATUS and not last:
                time.sleep(_backoff(attempt, reply.headers.get("retry-after")))
                continue
            raise DrivecertError(
                f"{self.base_url}/chat/completions returned {reply.status_code}"
                f"{' after retries' if reply.status_code in RETRY_STATUS else ''}: "
                f"{reply.text[:200].strip()}"
            )
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


def _backoff(attempt: int, retry_after: str | None) -> float:
    """Seconds to wait before retry ``attempt + 1``: Retry-After, else 0.5 * 2^attempt + jitter."""
    if retry_after is not None:
        try:
            return min(_MAX_BACKOFF_S, max(0.0, float(retry_after)))
        except ValueError:
            pass
    return float(min(_MAX_BACKOFF_S, 0.5 * 2**attempt) * (0.5 + random.random() / 2))
