"""Read UTF-8 text line by line, naming the file and line of any byte that is not UTF-8."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import NorelmoError


def decode_utf8(raw: bytes, where: Callable[[], str]) -> str:
    """`raw` decoded without its newline; not UTF-8: one error at `where()` (file:line, worked out only then)."""
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise NorelmoError(f"{where()}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc


def utf8_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, line without its newline) for every line of `path`.

    Lines are decoded one at a time (a text-mode file decodes whole buffers, so its error could
    not say which line is bad).
    """
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            yield lineno, decode_utf8(raw, lambda n=lineno: f"{path}:{n}")


def line_number(path: str | Path, position: int) -> int:
    """The 1-based number of the line holding byte `position` of `path` (for errors found after a seek)."""
    with open(path, "rb") as fh:
        newlines, left = 0, position
        while left > 0:
            chunk = fh.read(min(left, 1 << 24))
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            left -= len(chunk)
    return newlines + 1


def utf8_line(path: str | Path, raw: bytes, position: int) -> str:
    """`raw`, the line at byte `position` of `path`, decoded without its newline; not UTF-8: names file and line."""
    return decode_utf8(raw, lambda: f"{path}:{line_number(path, position)}")
