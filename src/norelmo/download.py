"""Fetch a URL to a local file: resume a partial download, check the sha1, rename into place."""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tqdm import tqdm

from .errors import NorelmoError

CHUNK = 1 << 20


def sha1_of(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def insecure_url(location: str) -> bool:
    """Plain http to anything but this machine: refused, since downloads must not be tampered with."""
    if not location.startswith("http://"):
        return False
    return urllib.parse.urlsplit(location).hostname not in LOOPBACK


def download(url: str, dest: Path, sha1: str | None = None, progress: bool = True) -> Path:
    """Download `url` to `dest`. A `.part` file left by an interrupted run is continued with a Range request."""
    if insecure_url(url):
        raise NorelmoError(f"{url}: only https URLs are downloaded (plain http only from this machine)")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            if have and resp.status != 206:  # the server ignored the Range header: start over
                have = 0
            total = resp.length + have if resp.length is not None else None
            with (
                open(part, "ab" if have else "wb") as fh,
                tqdm(total=total, initial=have, unit="B", unit_scale=True, desc=dest.name, disable=not progress) as bar,
            ):
                while block := resp.read(CHUNK):
                    fh.write(block)
                    bar.update(len(block))
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise NorelmoError(f"{url}: download failed ({exc}); rerun to resume from {part}") from exc
    if total is not None and part.stat().st_size != total:
        raise NorelmoError(f"{url}: got {part.stat().st_size} of {total} bytes; rerun to resume from {part}")
    if sha1 is not None:
        got = sha1_of(part)
        if got != sha1.lower():
            part.unlink()
            raise NorelmoError(f"{url}: sha1 is {got}, config says {sha1}; the download was discarded")
    os.replace(part, dest)
    return dest
