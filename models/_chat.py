"""One query, three wire formats: Hugging Face chat templates, OpenAI/vLLM chat, and back.

Every backend builds its messages here, so the transformers, vLLM and HTTP paths send the
same conversation and clean replies the same way.
"""

from __future__ import annotations

import base64
from typing import Any

from models._types import ImageRef, ModelQuery, Text, image_png


def hf_messages(query: ModelQuery) -> list[dict[str, Any]]:
    """Messages for ``processor.apply_chat_template``; image parts carry the PIL image."""
    out = []
    for message in query.messages:
        content: list[dict[str, Any]] = []
        for part in message.parts:
            if isinstance(part, Text):
                content.append({"type": "text", "text": part.text})
            else:
                content.append({"type": "image", "image": query.images[part.index]})
        out.append({"role": message.role, "content": content})
    return out


def data_url(png: bytes) -> str:
    """A base64 PNG data URL."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def openai_messages(query: ModelQuery) -> list[dict[str, Any]]:
    """OpenAI chat-completions messages; images as base64 PNG data URLs."""
    urls = [data_url(image_png(image)) for image in query.images]
    out = []
    for message in query.messages:
        content: list[dict[str, Any]] = [
            {"type": "text", "text": part.text}
            if isinstance(part, Text)
            else {"type": "image_url", "image_url": {"url": urls[part.index]}}
            for part in message.parts
        ]
        out.append({"role": message.role, "content": content})
    return out


def image_count(query: ModelQuery) -> int:
    """How many image parts the messages place."""
    return sum(isinstance(p, ImageRef) for m in query.messages for p in m.parts)


def clean_reply(text: str) -> str:
    """The reply as the judge should see it: decoded text without surrounding whitespace."""
    return text.strip()
