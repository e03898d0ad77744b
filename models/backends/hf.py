"""``hf:ORG/NAME`` or ``hf:/path/to/folder``: a VLM through Hugging Face transformers."""

from models._backend import BACKENDS, BackendKind, LoadOptions, ModelBackend


def _open(rest: str, options: LoadOptions) -> ModelBackend:
    from models._hf import open_transformers  # torch loads only when a model is opened

    return open_transformers(rest, options)


BACKENDS.register(
    "hf",
    BackendKind("hf", "hf:ORG/NAME or hf:/path/to/folder", _open, distributions=True, trees=True),
)
