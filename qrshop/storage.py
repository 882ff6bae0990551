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
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename, so readers never see a half-written file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return sha256, name


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
