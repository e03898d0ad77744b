"""Where a transformers checkpoint comes from: device placement, loading (local first, the
hub only when reachable) and a folder's content fingerprint as its revision.

torch, transformers and huggingface_hub are imported inside the functions that need them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import socket
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from drivecert import UsageError
from models._backend import LoadOptions

_WHOLE_FILE_LIMIT = 64 * 2**20  # hash smaller weight files whole; larger ones by size+ends
_SAID: set[str] = set()


def say_once(key: str, message: str) -> None:
    """A RuntimeWarning the first time ``key`` comes up in this process."""
    if key not in _SAID:
        _SAID.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def folder_fingerprint(folder: Path) -> str:
    """A content fingerprint of a checkpoint folder, as its revision.

    Config and tokenizer files and weight files up to 64 MiB are hashed whole; larger
    weight files by their size and first and last MiB (a 7B checkpoint hashes in well
    under a second).
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        size = path.stat().st_size
        digest.update(str(size).encode())
        with path.open("rb") as handle:
            if size <= _WHOLE_FILE_LIMIT:
                digest.update(handle.read())
            else:
                digest.update(handle.read(2**20))
                handle.seek(-(2**20), 2)
                digest.update(handle.read())
    return "sha256:" + digest.hexdigest()[:16]


def placement(options: LoadOptions) -> tuple[str, dict[str, Any]]:
    """The device, and from_pretrained's dtype / attention / device_map arguments."""
    import torch

    cuda = torch.cuda.is_available() and (options.device or "cuda").startswith("cuda")
    kwargs: dict[str, Any] = {"dtype": torch.bfloat16 if cuda else torch.float32}
    if cuda:
        if importlib.util.find_spec("flash_attn") is not None:
            kwargs["attn_implementation"] = "flash_attention_2"
        else:
            kwargs["attn_implementation"] = "sdpa"
            say_once("flash", "flash_attn is not installed; using SDPA attention (slower)")
        if options.device is None and torch.cuda.device_count() > 1:
            kwargs["device_map"] = "auto"
    return options.device or ("cuda" if cuda else "cpu"), kwargs


def load_checkpoint(where: str, is_folder: bool, kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """(processor, model) from the local cache or folder, else from the hub if reachable."""
    import transformers

    # transformers' own annotations are partial: its objects are handled as Any
    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    auto_processor: Any = transformers.AutoProcessor
    auto_model: Any = transformers.AutoModelForImageTextToText
    try:
        # the local cache first, so an offline machine never waits on the hub
        return (
            auto_processor.from_pretrained(where, local_files_only=True),
            auto_model.from_pretrained(where, local_files_only=True, **kwargs),
        )
    except (OSError, ValueError) as error:  # ValueError: a folder without a config
        if is_folder or os.environ.get("HF_HUB_OFFLINE") == "1" or not _hub_reachable():
            raise UsageError(_missing_weights(where, is_folder, error)) from None
    try:
        return auto_processor.from_pretrained(where), auto_model.from_pretrained(where, **kwargs)
    except OSError as online_error:
        raise UsageError(_missing_weights(where, is_folder, online_error)) from None


def _hub_reachable(timeout_s: float = 3.0) -> bool:
    """Whether the Hugging Face endpoint accepts a TCP connection (a quick check, so that an
    offline machine does not sit through the hub client's retries)."""
    from huggingface_hub import constants

    parsed = urlparse(constants.ENDPOINT)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "", port), timeout=timeout_s):
            return True
    except OSError:
        return False


def _missing_weights(source: str, is_folder: bool, error: Exception) -> str:
    """One line: where we looked and how to get the weights."""
    if is_folder:
        return (
            f"cannot load a model from folder {source}: {str(error).splitlines()[0]}; point "
            "hf: at a folder with config.json, the weights and the processor files"
        )
    from huggingface_hub import constants

    return (
        f"no weights for {source} in the Hugging Face cache ({constants.HF_HUB_CACHE}) and the "
        f"hub is unreachable; fetch them on a connected machine with `hf download {source}` "
        "(then copy the cache), or pass hf:/path/to/folder"
    )
