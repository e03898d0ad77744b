"""What goes into a model and what comes out: queries, decoding settings, responses.

A query is images plus chat messages. It can also carry :class:`AnswerKey`: plain data that
the scripted reference models read (the condition, the expected answer, the safe set) and
that real models never see. ``models`` imports nothing of ``scenarios``; the harness fills
the key in from a scene's ground truth.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from PIL import Image

from drivecert import ANSWERS, AnswerKind, UsageError, one_line, pixel_sha256

Role = Literal["system", "user", "assistant"]
Status = Literal["ok", "failed"]

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")

image_sha256 = pixel_sha256
"""The core :func:`drivecert.pixel_sha256` (mode, size and raw pixels), under its old name."""


@dataclass(frozen=True)
class Text:
    """A text part of a message."""

    text: str


@dataclass(frozen=True)
class ImageRef:
    """The ``index``-th image of the query, placed at this point of a message."""

    index: int


Part = Text | ImageRef


@dataclass(frozen=True)
class Message:
    """One chat turn."""

    role: Role
    parts: tuple[Part, ...]

    def text(self) -> str:
        """The text parts joined (images left out)."""
        return "".join(p.text for p in self.parts if isinstance(p, Text))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the chat-template shape with image placeholders."""
        return {
            "role": self.role,
            "content": [
                {"type": "text", "text": p.text}
                if isinstance(p, Text)
                else {"type": "image", "index": p.index}
                for p in self.parts
            ],
        }


@dataclass(frozen=True)
class AnswerKey:
    """What a scripted model reads to answer; real models ignore it.

    Attributes:
        kind: ``yes_no`` or ``action``.
        safe: the correct answers.
        unsafe: the wrong answers that are unsafe (other wrong answers are over-cautious).
        choices: every valid answer of the kind, most cautious first.
        condition: the scene's condition variables, e.g. {"weather": "HardRainNoon"}.
        seed: the scene's seed; with ``sample`` it fixes the scripted model's draw.
        sample: the scene's index.
        question: the question's id within its scene (e.g. ``light_red``).
        role: ``perception`` (what the scene holds) or ``decision`` (what to do).
        perceives: for a decision, the ids of the perception questions of the same scene
            it rests on; a scripted model that misses one of them errs at its own rate.
    """

    kind: AnswerKind
    safe: tuple[str, ...]
    unsafe: tuple[str, ...]
    choices: tuple[str, ...]
    condition: Mapping[str, str] = field(default_factory=dict)
    seed: int = 0
    sample: int = 0
    question: str = ""
    role: Literal["perception", "decision"] = "decision"
    perceives: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ANSWERS:
            raise UsageError(f"answer key kind {self.kind!r}; valid: {', '.join(ANSWERS)}")
        if self.role not in ("perception", "decision"):
            raise UsageError(f"answer key role {self.role!r}; valid: perception, decision")

    @property
    def expected(self) -> str:
        """The most cautious correct answer."""
        return next(a for a in self.choices if a in self.safe)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (shallow: every field is immutable but the condition, copied)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["condition"] = dict(self.condition)
        return out


@dataclass(frozen=True)
class ModelQuery:
    """Images and chat messages for one answer.

    Attributes:
        images: RGB images, referenced from messages by index.
        messages: the conversation, ending with the user's question.
        key: scripted models' answer key (ignored by real models).
        image_ids: the images' :func:`drivecert.pixel_sha256`, one per image in order, when
            the caller has them already (a renderer's frame digests); the cache key then
            uses them instead of hashing the images again. They are trusted, not checked
            against the pixels.
    """

    images: tuple[Image.Image, ...]
    messages: tuple[Message, ...]
    key: AnswerKey | None = None
    image_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        used = {p.index for m in self.messages for p in m.parts if isinstance(p, ImageRef)}
        if used and (min(used) < 0 or max(used) >= len(self.images)):
            raise UsageError(
                f"a message refers to image {max(used)} but the query has {len(self.images)} "
                "image(s); refer to images 0..n-1"
            )
        if self.image_ids is None:
            return
        if len(self.image_ids) != len(self.images):
            raise UsageError(
                f"{len(self.image_ids)} image_ids for {len(self.images)} image(s); pass one "
                "pixel_sha256 per image, in order"
            )
        for index, image_id in enumerate(self.image_ids):
            if not isinstance(image_id, str) or not _SHA256_HEX.fullmatch(image_id):
                raise UsageError(
                    f"image_ids[{index}]={image_id!r} is not a sha256 hex digest; pass "
                    "drivecert.pixel_sha256(image) (64 lowercase hex digits)"
                )

    @classmethod
    def ask(
        cls,
        images: Sequence[Image.Image],
        question: str,
        system: str | None = None,
        key: AnswerKey | None = None,
        image_ids: Sequence[str] | None = None,
    ) -> ModelQuery:
        """One user turn: every image, then the question (after an optional system turn).

        ``image_ids`` are the images' :func:`drivecert.pixel_sha256`, when already known.
        """
        user = Message("user", (*(ImageRef(i) for i in range(len(images))), Text(question)))
        turns = (Message("system", (Text(system),)), user) if system else (user,)
        ids = tuple(image_ids) if image_ids is not None else None
        return cls(tuple(images), turns, key, ids)

    @property
    def question(self) -> str:
        """The last user turn's text."""
        return next(m.text() for m in reversed(self.messages) if m.role == "user")

    def image_hashes(self) -> tuple[str, ...]:
        """Every image's :func:`drivecert.pixel_sha256`: ``image_ids`` when given, else hashed."""
        if self.image_ids is not None:
            return self.image_ids
        return tuple(pixel_sha256(image) for image in self.images)


def check_known_fields(record: type, data: Mapping[str, Any], what: str) -> None:
    """Refuse keys of ``data`` that are not fields of the dataclass ``record``.

    Raises:
        UsageError: one line naming the unknown fields and the valid ones.
    """
    known = {f.name for f in fields(record)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise UsageError(f"unknown {what} fields {unknown}; valid: {', '.join(sorted(known))}")


def image_png(image: Image.Image) -> bytes:
    """The image as PNG bytes (RGB)."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Decoding:
    """Generation settings. Greedy (temperature 0) by default.

    Attributes:
        max_new_tokens: the longest answer.
        temperature: 0 for greedy decoding.
        min_pixels, max_pixels: image resizing bounds (None: the processor's defaults).
        top_p: nucleus sampling: keep the most likely tokens whose mass reaches ``top_p``
            (1: off). Left out of ``to_dict`` when off, so records and cache keys written
            before it existed stay the same.
    """

    max_new_tokens: int = 64
    temperature: float = 0.0
    min_pixels: int | None = None
    max_pixels: int | None = None
    top_p: float = 1.0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise UsageError(f"max_new_tokens={self.max_new_tokens} must be at least 1")
        if self.temperature < 0:
            raise UsageError(f"temperature={self.temperature} must be 0 (greedy) or more")
        if (
            self.min_pixels is not None
            and self.max_pixels is not None
            and self.min_pixels > self.max_pixels
        ):
            raise UsageError(
                f"min_pixels={self.min_pixels} is above max_pixels={self.max_pixels}; swap them"
            )
        if not 0 < self.top_p <= 1:
            raise UsageError(f"top_p={self.top_p} must be in (0, 1]; 1 turns it off")

    @property
    def greedy(self) -> bool:
        """Whether decoding is greedy."""
        return self.temperature == 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``top_p`` only when on)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.top_p == 1.0:
            del out["top_p"]
        return out


@dataclass(frozen=True)
class Response:
    """A model's answer to one query, or the record of why there is none.

    A backend never raises for one bad query of a batch: that query gets a failed response
    (``status="failed"``, a one-line ``error``, empty ``text``) and the others are answered.
    Failed responses are never cached, so they are asked again next time.

    Attributes:
        text: the raw reply (empty when failed).
        model: the model id (e.g. Qwen/Qwen2-VL-7B-Instruct or scripted:oracle).
        revision: the weights' revision (commit hash, folder hash or server fingerprint).
        decoding: the settings used.
        latency_s: wall time attributed to this query (a batch's time split evenly).
        cached: whether it came from the response cache.
        status: ``ok``, or ``failed`` when the model gave no answer.
        error: one line saying why, when failed; None when ok.
    """

    text: str
    model: str
    revision: str
    decoding: Mapping[str, Any]
    latency_s: float
    cached: bool = False
    status: Status = "ok"
    error: str | None = None

    def __post_init__(self) -> None:
        check_status(self.status, self.error, "response", "Response.failure")

    @classmethod
    def failure(
        cls,
        model: str,
        revision: str,
        decoding: Decoding | Mapping[str, Any],
        error: str | BaseException,
        latency_s: float = 0.0,
    ) -> Response:
        """A failed response: no text, and ``error`` made one line.

        Args:
            model: the model id.
            revision: the weights' revision.
            decoding: the settings used (a :class:`Decoding` or its ``to_dict()``).
            error: the message, or the exception (its type is named unless it is a
                ``DrivecertError``, whose messages are already one line for users).
            latency_s: time spent on the attempt.
        """
        settings = decoding.to_dict() if isinstance(decoding, Decoding) else dict(decoding)
        return cls("", model, revision, settings, latency_s, status="failed", error=one_line(error))

    @property
    def ok(self) -> bool:
        """Whether the model answered."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (a shallow copy per field: ``asdict``'s deep copies cost more
        than the rest of caching a response)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["decoding"] = dict(self.decoding)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Response:
        """Inverse of :meth:`to_dict` (records written before ``status`` existed read as ok)."""
        check_known_fields(cls, data, "response")
        return cls(**data)


@dataclass(frozen=True)
class AnswerDistribution:
    """How likely a model's reply is to start with each answer of a question.

    What counts as starting with an answer, and what each backend sums, is written in
    :mod:`models._answer_tokens`. Like a :class:`Response`, a failed query gets a record
    with ``status="failed"`` and a one-line ``error`` (then ``probabilities`` is empty).

    Attributes:
        kind: ``yes_no`` or ``action``.
        probabilities: every answer of the kind (``drivecert.ANSWERS`` order) and its
            probability under the decoding's temperature and top-p.
        other: the mass attributed to no answer (other words, unresolved ambiguous
            starts, tokens the backend did not report); ``sum(probabilities) + other == 1``.
        model, revision, decoding, latency_s, status, error: as in :class:`Response`.
    """

    kind: AnswerKind
    probabilities: Mapping[str, float]
    other: float
    model: str
    revision: str
    decoding: Mapping[str, Any]
    latency_s: float
    status: Status = "ok"
    error: str | None = None

    def __post_init__(self) -> None:
        check_status(self.status, self.error, "answer distribution", "AnswerDistribution.failure")
        if self.kind not in ANSWERS:
            raise UsageError(f"answer kind {self.kind!r}; valid: {', '.join(ANSWERS)}")
        if self.status == "failed":
            return
        if tuple(self.probabilities) != ANSWERS[self.kind]:
            raise UsageError(
                f"{self.kind} probabilities for {list(self.probabilities)}; give exactly "
                f"{', '.join(ANSWERS[self.kind])}"
            )
        values = (*self.probabilities.values(), self.other)
        if any(not -_TOLERANCE <= v <= 1 + _TOLERANCE for v in values):
            raise UsageError(f"probabilities {values} must each be in [0, 1]")
        if abs(sum(values) - 1) > _TOLERANCE:
            raise UsageError(f"probabilities {values} sum to {sum(values)}, not 1")

    @classmethod
    def failure(
        cls,
        kind: AnswerKind,
        response: Response,
    ) -> AnswerDistribution:
        """A failed distribution carrying a failed response's model, settings and error."""
        return cls(
            kind,
            {},
            0.0,
            response.model,
            response.revision,
            dict(response.decoding),
            response.latency_s,
            "failed",
            response.error,
        )

    @property
    def ok(self) -> bool:
        """Whether the model answered."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["probabilities"] = dict(self.probabilities)
        out["decoding"] = dict(self.decoding)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnswerDistribution:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


_TOLERANCE = 1e-6


def check_status(status: str, error: str | None, record: str, fix: str) -> None:
    """Validate a record's ``status`` and ``error`` (ok without error, failed with one line).

    Raises:
        UsageError: naming the record, the bad value and ``fix`` (the constructor to use).
    """
    if status not in ("ok", "failed"):
        raise UsageError(f"{record} status {status!r}; valid: ok, failed")
    if status == "ok" and error is not None:
        raise UsageError(f"an ok {record} has error={error!r}; use {fix}")
    if status == "failed" and (not error or "\n" in error):
        raise UsageError(f"a failed {record} needs a one-line error, got {error!r}; use {fix}")
