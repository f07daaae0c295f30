"""JSON objects read strictly: a key given twice is an error, never a silent overwrite."""

from __future__ import annotations

__all__ = ["DuplicateKeyError", "unique_keys"]


class DuplicateKeyError(ValueError):
    """A JSON object names the same key twice (``key`` says which)."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"key {key!r} appears twice in one object")


def unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``json.loads(..., object_pairs_hook=unique_keys)``: refuse repeated keys.

    >>> import json
    >>> json.loads('{"a": 1, "a": 2}', object_pairs_hook=unique_keys)
    Traceback (most recent call last):
    ...
    leadscoring.core.json_keys.DuplicateKeyError: key 'a' appears twice in one object
    """
    out = dict(pairs)
    if len(out) == len(pairs):
        return out  # no key twice (the usual case, at C speed)
    out = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(key)
        out[key] = value
    return out
