"""Write outputs under a temporary name and rename them into place only when complete."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import NorelmoError

# A full disk, a file-size limit, a quota or a read-only file system: the user's to fix, not a bug.
WRITE_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary sibling of `path`; on success it replaces `path`, on error it is removed.

    The sibling lives in the same directory so the final rename is atomic on POSIX file systems,
    and a crash never leaves a file at `path` that looks complete.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        if tmp.exists():
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno not in WRITE_ERRORS:
            raise
        raise NorelmoError(f"{path}: could not be written ({exc.strerror or exc}); nothing was left there") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_text(path: str | os.PathLike, encoding: str = "utf-8"):
    """Open a text file for writing that appears at `path` only once closed without error."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding=encoding, newline="\n") as fh:
        yield fh


def atomic_json(path: str | os.PathLike, value) -> None:
    """`value` as indented JSON at `path`, written the same all-or-nothing way."""
    with atomic_text(path) as fh:
        json.dump(value, fh, indent=2)
        fh.write("\n")
