"""What goes into a model and what comes out: queries, decoding settings, responses.

A query is images plus chat messages. It can also carry :class:`AnswerKey`: plain data that
the scripted reference models read (the condition, the expected answer, the safe set) and
that real models never see. ``models`` imports nothing of ``scenarios``; the harness fills
the key in from a scene's ground truth.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from PIL import Image

from drivecert import UsageError

Role = Literal["system", "user", "assistant"]


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
    """

    kind: str
    safe: tuple[str, ...]
    unsafe: tuple[str, ...]
    choices: tuple[str, ...]
    condition: Mapping[str, str] = field(default_factory=dict)
    seed: int = 0
    sample: int = 0

    @property
    def expected(self) -> str:
        """The most cautious correct answer."""
        return next(a for a in self.choices if a in self.safe)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = asdict(self)
        out["condition"] = dict(self.condition)
        return out


@dataclass(frozen=True)
class ModelQuery:
    """Images and chat messages for one answer.

    Attributes:
        images: RGB images, referenced from messages by index.
        messages: the conversation, ending with the user's question.
        key: scripted models' answer key (ignored by real models).
    """

    images: tuple[Image.Image, ...]
    messages: tuple[Message, ...]
    key: AnswerKey | None = None

    def __post_init__(self) -> None:
        used = {p.index for m in self.messages for p in m.parts if isinstance(p, ImageRef)}
        if used and (min(used) < 0 or max(used) >= len(self.images)):
            raise UsageError(
                f"a message refers to image {max(used)} but the query has {len(self.images)} "
                "image(s); refer to images 0..n-1"
            )

    @classmethod
    def ask(
        cls,
        images: Sequence[Image.Image],
        question: str,
        system: str | None = None,
        key: AnswerKey | None = None,
    ) -> ModelQuery:
        """One user turn: every image, then the question (after an optional system turn)."""
        user = Message("user", (*(ImageRef(i) for i in range(len(images))), Text(question)))
        turns = (Message("system", (Text(system),)), user) if system else (user,)
        return cls(tuple(images), turns, key)

    @property
    def question(self) -> str:
        """The last user turn's text."""
        return next(m.text() for m in reversed(self.messages) if m.role == "user")

    def image_hashes(self) -> tuple[str, ...]:
        """sha256 of every image's PNG encoding (its pixels, mode and size)."""
        return tuple(image_sha256(image) for image in self.images)


def image_sha256(image: Image.Image) -> str:
    """sha256 over the image's mode, size and raw pixels."""
    digest = hashlib.sha256(f"{image.mode}:{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


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
    """

    max_new_tokens: int = 64
    temperature: float = 0.0
    min_pixels: int | None = None
    max_pixels: int | None = None

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

    @property
    def greedy(self) -> bool:
        """Whether decoding is greedy."""
        return self.temperature == 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Response:
    """A model's answer to one query.

    Attributes:
        text: the raw reply.
        model: the model id (e.g. Qwen/Qwen2-VL-7B-Instruct or scripted:oracle).
        revision: the weights' revision (commit hash, folder hash or server fingerprint).
        decoding: the settings used.
        latency_s: wall time attributed to this query (a batch's time split evenly).
        cached: whether it came from the response cache.
    """

    text: str
    model: str
    revision: str
    decoding: Mapping[str, Any]
    latency_s: float
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = asdict(self)
        out["decoding"] = dict(self.decoding)
        return out
