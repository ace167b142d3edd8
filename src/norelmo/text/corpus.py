"""The documents of a plain-text corpus as users have it, one shard at a time.

A corpus is a list of files: UTF-8 text (a paragraph a line, documents split by a blank line) or JSON lines (a
document per line, its text in a named field, paragraphs split by newlines), each plain or compressed with gzip,
bzip2 or xz (by suffix: .gz, .bz2, .xz). Plain files are split by bytes: shard k reads the documents between the
cuts at k/n and (k+1)/n of their bytes, seeking to its own share. A compressed file cannot be entered in the
middle, so every shard streams the compressed files and keeps every n-th of their documents; decompressing is
cheap next to tokenizing the same text (gzip about 300 MB/s, UDPipe about 1 MB/s per core).
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..errors import NorelmoError
from ..textio import decode_utf8, line_number, utf8_line

OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
STREAM_ERRORS = (EOFError, OSError, lzma.LZMAError, zlib.error)


def is_compressed(path: Path) -> bool:
    return path.suffix in OPENERS


def _paragraphs(line: str, json_field: str | None, where) -> list[str]:
    """The paragraphs a decoded line gives: itself (text), or its document's (JSON lines); whitespace normalized.
    `where()` names the file and line for an error."""
    if json_field is None:
        text = " ".join(line.split())
        return [text] if text else []
    if not line.strip():
        return []
    try:
        value = json.loads(line)[json_field]
        if not isinstance(value, str):
            raise TypeError(f"{json_field!r} is a {type(value).__name__}")
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise NorelmoError(f"{where()}: not a JSON object with a string field {json_field!r} ({exc!r})") from exc
    return [p for p in (" ".join(par.split()) for par in value.splitlines()) if p]


def _cut(fh, boundary: int, json_lines: bool) -> int:
    """Where the documents after byte `boundary` begin: just past the first line end (JSON lines) or the first
    blank line (text) that starts at or after it. Two neighbouring shards compute the same cut from the same
    boundary, so each document is read by exactly one of them."""
    fh.seek(boundary - 1)
    position = boundary - 1 + len(fh.readline())  # the first line starting at or after the boundary
    if json_lines:
        return position
    for line in iter(fh.readline, b""):
        position += len(line)
        if not line.strip():
            return position
    return position


def _documents(lines: Iterator[tuple[str, object]], json_field: str | None) -> Iterator[list[str]]:
    """Documents from (decoded line, where() for errors) pairs: a JSON object per line, or text split at blank lines."""
    doc: list[str] = []
    for line, where in lines:
        paragraphs = _paragraphs(line, json_field, where)
        if json_field is not None:
            if paragraphs:
                yield paragraphs
        elif paragraphs:
            doc += paragraphs
        elif doc:
            yield doc
            doc = []
    if doc:
        yield doc


def _plain_lines(path: Path, start: int, end: int, size: int, json_lines: bool) -> Iterator[tuple[str, object]]:
    """The lines of a plain file between the cuts at bytes `start` and `end` (0 and `size`: its own start and end,
    where documents also begin and end)."""
    with open(path, "rb") as fh:
        first = 0 if start <= 0 else _cut(fh, start, json_lines)
        last = size if end >= size else _cut(fh, end, json_lines)
        fh.seek(first)
        position = first
        while position < last:
            raw = fh.readline()
            if not raw:
                break  # the file shrank under us; what is there is read
            yield utf8_line(path, raw, position), lambda at=position: f"{path}:{line_number(path, at)}"
            position += len(raw)


def _stream_lines(path: Path) -> Iterator[tuple[str, object]]:
    """The lines of a compressed file, streamed; a truncated or corrupt stream is one error naming it."""
    try:
        with OPENERS[path.suffix](path, "rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                where = lambda n=lineno: f"{path}:{n}"  # noqa: E731
                yield decode_utf8(raw, where), where
    except STREAM_ERRORS as exc:
        raise NorelmoError(f"{path}: truncated or not a {path.suffix[1:]} file ({exc})") from exc


def shard_documents(files: list[Path], shard: int, shards: int, json_field: str | None = None) -> Iterator[list[str]]:
    """The documents of shard `shard` of `shards`, each a list of paragraphs: the plain files' share by bytes
    (their bytes taken as one sequence, in path order), then every `shards`-th document of the compressed files."""
    plain = [p for p in files if not is_compressed(p)]
    sizes = [p.stat().st_size for p in plain]
    total = sum(sizes)
    low, high = total * shard // shards, total * (shard + 1) // shards
    offset = 0
    for path, size in zip(plain, sizes, strict=True):
        start, end, offset = low - offset, high - offset, offset + size
        if end > 0 and start < size and low < high:
            yield from _documents(_plain_lines(path, start, end, size, json_field is not None), json_field)
    index = 0
    for path in (p for p in files if is_compressed(p)):
        for doc in _documents(_stream_lines(path), json_field):
            if index % shards == shard:
                yield doc
            index += 1
