"""The only code that reads or writes vendor_content/: content-addressed files.

Files are named by the sha256 of their bytes plus an extension chosen by qrshop from the
verified content type; a name supplied by a user never becomes part of a path.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import current_app

STORED_NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg|webp|mp4|pdf)$")


def content_dir() -> Path:
    """The configured vendor_content directory, created if missing."""
    path = Path(current_app.config["VENDOR_CONTENT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _shard(name: str, root: Path | None = None) -> Path:
    # Two levels of fan-out keep directories small with millions of files.
    return (root or content_dir()) / name[:2] / name[2:4] / name


def store_bytes(data: bytes, extension: str) -> tuple[str, str]:
    """Store data under its sha256; return (sha256, stored file name). Idempotent."""
    sha256 = hashlib.sha256(data).hexdigest()
    name = f"{sha256}.{extension}"
    if not STORED_NAME.match(name):
        raise ValueError(f"unsupported extension {extension!r}")
    path = _shard(name)
    if not path.exists():
        _write_atomically(path, data, ".upload-")
    return sha256, name


def _write_atomically(path: Path, data: bytes, prefix: str) -> None:
    # Write to a temporary file and rename, so readers never see a half-written file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stored_file_check(app) -> Callable[[str], bool]:
    """A function telling whether a stored name has its file in this app's folder, for code
    that runs outside the app context (the scan's fast path)."""
    root = Path(app.config["VENDOR_CONTENT_DIR"])

    def is_stored(name: str) -> bool:
        return STORED_NAME.match(name) is not None and _shard(name, root).is_file()

    return is_stored


def path_for(name: str) -> Path | None:
    """Return the path of a stored file by its stored name, or None if the name is not one."""
    if not STORED_NAME.match(name):
        return None
    path = _shard(name)
    return path if path.is_file() else None


# Files computed from stored ones (a product's link-preview card): named by a sha256 of what
# they are made from (the caller's key), kept apart under derived/, and made again if lost.
DERIVED_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png)$")


def derived_name(key: str, extension: str) -> str:
    """The stored name of a derived file made from `key` (any text naming its inputs)."""
    name = f"{hashlib.sha256(key.encode()).hexdigest()}.{extension}"
    if not DERIVED_NAME.match(name):
        raise ValueError(f"unsupported extension {extension!r}")
    return name


def derived_path(name: str) -> Path | None:
    """The path of a derived file if it has been made, else None."""
    if not DERIVED_NAME.match(name):
        return None
    path = _shard(name, content_dir() / "derived")
    return path if path.is_file() else None


def store_derived(name: str, data: bytes) -> Path:
    """Keep a derived file under its name (atomically: readers never see half of it)."""
    if not DERIVED_NAME.match(name):
        raise ValueError(f"not a derived file name: {name!r}")
    path = _shard(name, content_dir() / "derived")
    _write_atomically(path, data, ".derived-")
    return path
