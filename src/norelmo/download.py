"""Fetch a URL to a local file: resume a partial download, check its sha1 against the config, the checksums
published beside it, or the first download of the same URL; rename into place; record what was fetched."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .download_records import record_download, seen_before
from .errors import NorelmoError
from .progress import progress_bar

CHUNK = 1 << 20


def sha1_of(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def insecure_url(location: str) -> bool:
    """Plain http to anything but this machine: refused, since downloads must not be tampered with."""
    if not location.startswith("http://"):
        return False
    return urllib.parse.urlsplit(location).hostname not in LOOPBACK


def _refuse_insecure(url: str) -> None:
    if insecure_url(url):
        raise NorelmoError(f"{url}: only https URLs are downloaded (plain http only from this machine)")


def fetch_text(url: str) -> str:
    """A small text file (a checksum list, a directory listing); one error naming the URL and the HTTP status."""
    _refuse_insecure(url)
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            _refuse_insecure(resp.geturl())
            return resp.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        raise NorelmoError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise NorelmoError(f"{url}: could not be read ({exc})") from exc


def published_sha1(name: str, checksum_files: tuple[str, ...]) -> tuple[str, str]:
    """(sha1, the URL it came from) of file `name` in the first checksum file that exists: a `sha1sums.txt`
    (`<sha1>  <name>` lines) or a dump run's `dumpstatus.json`."""
    missing = []
    for url in checksum_files:
        try:
            text = fetch_text(url)
        except NorelmoError as exc:
            missing.append(str(exc))
            continue
        if url.endswith(".json"):
            jobs = json.loads(text).get("jobs", {})
            found = [job.get("files", {}).get(name, {}).get("sha1") for job in jobs.values()]
            found = [sha1 for sha1 in found if sha1]
        else:
            found = [line.split()[0] for line in text.splitlines() if line.split()[1:] == [name]]
        if not found:
            raise NorelmoError(f"{url}: no checksum for {name}")
        return found[0].lower(), url
    raise NorelmoError(
        f"no published checksum for {name}: {'; '.join(missing)} "
        "(set the corpus's sha1, or sha1: none to skip the check)"
    )


@dataclass(frozen=True)
class Check:
    """What a download is held to: the config's sha1 (wins; "none" skips the check), else the checksum files
    published beside it, else the first download of the same URL in this project (`seen`)."""

    sha1: str | None = None
    checksum_files: tuple[str, ...] = ()
    seen: Path | None = None
    sha1_source: str = "config"  # where `sha1` comes from, for the record and the error

    @property
    def against_first_download(self) -> bool:
        return self.seen is not None and not self.sha1 and not self.checksum_files

    def expected(self, url: str, name: str) -> tuple[str | None, str]:
        if self.sha1 == "none":
            return None, "none (config says sha1: none)"
        if self.sha1:
            return self.sha1.lower(), self.sha1_source
        if self.checksum_files:
            return published_sha1(name, self.checksum_files)
        if not self.against_first_download:
            return None, "none"
        first = seen_before(self.seen, url)
        if first:
            return first["sha1"], f"first download, {first['time']}"
        return None, "none published; recorded as this URL's first download"


def download(
    url: str, dest: Path, check: Check | str | None = None, progress: bool = True, record: Path | None = None
) -> dict:
    """Download `url` to `dest` (a `.part` file left by an interrupted run is continued with a Range request),
    held to `check` (a bare string: the config's sha1); `record`: the run's downloads.json, which gets an entry."""
    _refuse_insecure(url)
    check = check if isinstance(check, Check) else Check(sha1=check)
    dest = Path(dest)
    published_name = os.path.basename(urllib.parse.urlsplit(url).path)
    expected, source = check.expected(url, published_name)  # before the download: a missing checksum costs no bytes
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            final_url = resp.geturl()  # after redirects
            _refuse_insecure(final_url)
            if have and resp.status != 206:  # the server ignored the Range header: start over
                have = 0
            total = resp.length + have if resp.length is not None else None
            with (
                open(part, "ab" if have else "wb") as fh,
                progress_bar(
                    total=total, initial=have, unit="B", unit_scale=True, desc=dest.name, disable=not progress
                ) as bar,
            ):
                while block := resp.read(CHUNK):
                    fh.write(block)
                    bar.update(len(block))
    except urllib.error.HTTPError as exc:
        raise NorelmoError(f"{url}: HTTP {exc.code} {exc.reason}; download failed") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise NorelmoError(f"{url}: download failed ({exc}); rerun to resume from {part}") from exc
    if total is not None and part.stat().st_size != total:
        raise NorelmoError(f"{url}: got {part.stat().st_size} of {total} bytes; rerun to resume from {part}")
    got = sha1_of(part)
    if expected is not None and got != expected:
        part.unlink()
        raise NorelmoError(f"{url}: sha1 is {got}, {source} says {expected}; the download was discarded")
    entry = {
        "url": url,
        "final_url": final_url,
        "file": str(dest),
        "size": part.stat().st_size,
        "sha1": got,
        "checksum": source,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    os.replace(part, dest)
    if check.against_first_download:
        record_download(check.seen, url, entry, keep_first=True)
    if record:
        record_download(record, url, entry)
    return entry
