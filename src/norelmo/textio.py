"""Read UTF-8 text line by line, naming the file and line of any byte that is not UTF-8."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .errors import NorelmoError


def utf8_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, line without its newline) for every line of `path`.

    Lines are decoded one at a time (a text-mode file decodes whole buffers, so its error could
    not say which line is bad).
    """
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                yield lineno, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise NorelmoError(f"{path}:{lineno}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
