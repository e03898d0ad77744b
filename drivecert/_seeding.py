"""Seeds derived from names, stable across processes, platforms and library versions."""

import hashlib
import json

_MASK64 = (1 << 64) - 1


def derive_seed(*parts: object) -> int:
    """Derive a 64-bit seed from an ordered tuple of JSON-serialisable parts.

    The same parts give the same seed on every machine (BLAKE2b over canonical JSON),
    unlike Python's ``hash``, which is salted per process.

    Args:
        *parts: strings, integers, floats, booleans or None, e.g.
            ``(base_seed, "obstacle_ahead", 137)``.

    Returns:
        An integer in ``[0, 2**64)``.
    """
    payload = json.dumps(parts, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    digest = hashlib.blake2b(payload.encode("ascii"), digest_size=8).digest()
    return int.from_bytes(digest, "little") & _MASK64


def derive_uniform(*parts: object) -> float:
    """A uniform draw in [0, 1) fixed by ``parts``: the top 53 bits of :func:`derive_seed`."""
    return (derive_seed(*parts) >> 11) / 2.0**53
