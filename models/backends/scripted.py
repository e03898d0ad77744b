"""``scripted:...``: known-answer reference models (see models._scripted)."""

from models._backend import BACKENDS, BackendKind, LoadOptions, ModelBackend
from models._scripted import ScriptedModel
from models._scripted_spec import FORMS, parse_scripted


def _open(rest: str, options: LoadOptions) -> ModelBackend:
    del options  # nothing to load
    return ScriptedModel(parse_scripted(rest))


BACKENDS.register(
    "scripted",
    BackendKind("scripted", FORMS, _open, parse_scripted, distributions=True, trees=True),
)
