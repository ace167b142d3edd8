"""What was downloaded: a run's downloads.json, and the project's record of first downloads (for files whose
source publishes no checksum, every later download of the same URL must match the first)."""

from __future__ import annotations

import contextlib
import fcntl
import json
from pathlib import Path

from .atomic import atomic_json


@contextlib.contextmanager
def _locked(path: Path):
    """Several download jobs may update one record at once: one at a time, through a lock file beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def read_records(path: Path) -> dict[str, dict]:
    """URL -> its entry; empty when nothing was recorded yet."""
    return json.loads(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else {}


def seen_before(path: Path, url: str) -> dict | None:
    return read_records(path).get(url)


def record_download(path: Path, url: str, entry: dict, keep_first: bool = False) -> None:
    """Add or replace `url`'s entry (`keep_first`: leave an existing one, the reference later downloads match)."""
    path = Path(path)
    with _locked(path):
        records = read_records(path)
        if keep_first and url in records:
            return
        records[url] = entry
        atomic_json(path, records)
