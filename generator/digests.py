"""Digests shared by the phases that write the site and the one that checks it: a file's bytes (the output
manifest, the check cache, deploy) and the generator's own code (the build state, the check cache), worked out
here once so that `check` reads a built site exactly as the build wrote it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import generator


def digest(data: bytes) -> str:
    """The digest of a file's bytes, as the output manifest records it."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _code_digest() -> str:
    """A digest of the generator's own code and rules, so upgrading clinic-pages rebuilds every page."""
    h = hashlib.blake2b(generator.__version__.encode(), digest_size=16)
    root = Path(generator.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml", ".xsd") and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


_CODE_DIGEST: str | None = None


def code_digest() -> str:
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        _CODE_DIGEST = _code_digest()
    return _CODE_DIGEST
