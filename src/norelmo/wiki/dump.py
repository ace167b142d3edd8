"""Read pages from a pages-articles dump: whole-file streaming, or byte ranges of a multistream dump."""

from __future__ import annotations

import bz2
import codecs
import contextlib
import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import mwxml

from ..errors import NorelmoError


@dataclass(frozen=True)
class Page:
    id: int
    title: str
    namespace: int
    redirect: str | None
    text: str


def _pages(dump: mwxml.Dump, source: Path) -> Iterator[Page]:
    try:
        for page in dump:
            for revision in page:  # pages-articles dumps carry one revision per page
                yield Page(page.id, page.title, page.namespace, page.redirect, revision.text or "")
    except EOFError as exc:
        raise NorelmoError(f"{source}: the dump is truncated ({exc})") from exc
    except (OSError, ValueError) as exc:
        raise NorelmoError(f"{source}: unreadable dump ({exc})") from exc
    except Exception as exc:  # mwxml raises bare expat errors for malformed XML
        if type(exc).__name__ in ("ExpatError", "MalformedDataError", "ParseError"):
            raise NorelmoError(f"{source}: malformed XML ({exc})") from exc
        raise


def _open(path: Path, mode: str, **kwargs):
    """A dump or index file, bz2-compressed (by its suffix) or plain."""
    return (bz2.open if path.suffix == ".bz2" else open)(path, mode, **kwargs)


def _encoding_of(head: bytes) -> str:
    """UTF-8, unless the XML starts with a UTF-16 byte-order mark (some old dumps do)."""
    return "utf-16" if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8"


def xml_encoding(path: Path) -> str:
    """The encoding of a dump's XML, from its first bytes (_encoding_of)."""
    with _open(path, "rb") as fh:
        return _encoding_of(fh.read(2))


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """What goes wrong while reading a dump file, as one NorelmoError naming it."""
    if path.stat().st_size == 0:
        raise NorelmoError(f"{path}: the dump file is empty")
    try:
        yield
    except EOFError as exc:
        raise NorelmoError(f"{path}: the dump is truncated ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise NorelmoError(f"{path}: malformed XML (not valid {xml_encoding(path)}: {exc})") from exc
    except OSError as exc:
        raise NorelmoError(f"{path}: not a readable bz2 dump ({exc})") from exc


def open_dump(path: Path) -> mwxml.Dump:
    """An mwxml Dump over a whole (bz2-compressed or plain) XML dump; multistream files read fine too."""
    with _reading(path):
        fh = _open(path, "rt", encoding=xml_encoding(path))
        try:
            return mwxml.Dump.from_file(fh)
        except (EOFError, OSError):
            raise
        except Exception as exc:
            raise NorelmoError(f"{path}: no MediaWiki <siteinfo> header could be read ({exc})") from exc


def iter_pages(path: Path) -> Iterator[Page]:
    """Every page of a dump, in file order."""
    yield from _pages(open_dump(path), path)


def read_multistream_index(index: Path) -> list[int]:
    """Sorted distinct stream offsets from a `offset:page_id:title` index (bz2 or plain)."""
    offsets = set()
    try:
        with _open(index, "rt", encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                head = line.split(":", 1)[0]
                if not head.isdigit():
                    raise NorelmoError(f"{index}:{lineno}: expected 'offset:page_id:title', got {line.strip()!r}")
                offsets.add(int(head))
    except OSError as exc:
        raise NorelmoError(f"{index}: unreadable index ({exc})") from exc
    if not offsets:
        raise NorelmoError(f"{index}: the multistream index lists no pages")
    return sorted(offsets)


def multistream_ranges(offsets: list[int], dump_size: int, shards: int) -> list[tuple[int, int]]:
    """Split the page streams into `shards` contiguous byte ranges of about equal size.

    A range may end in the footer stream; the reader skips what is not a page.
    """
    bounds = [*offsets, dump_size]
    streams = list(zip(bounds[:-1], bounds[1:], strict=False))
    total = dump_size - offsets[0]
    ranges, start = [], 0
    for k in range(1, shards + 1):
        target = offsets[0] + total * k / shards
        end = start
        while end < len(streams) and (streams[end][1] <= target or end == start):
            end += 1
        if k == shards:
            end = len(streams)
        if end > start:
            ranges.append((streams[start][0], streams[end - 1][1]))
        else:
            ranges.append((streams[-1][1], streams[-1][1]))  # more shards than streams: an empty range
        start = end
    return ranges


def read_siteinfo(path: Path, first_offset: int):
    """mwxml SiteInfo from the header stream (bytes before the first page stream)."""
    xml = "".join(stream_range_text(path, 0, first_offset))
    if "<siteinfo>" not in xml:
        raise NorelmoError(f"{path}: the first bz2 stream holds no <siteinfo> header")
    return site_info_of(xml, path)


# -- pages as XML text, for workers to parse ------------------------------------------------------
# mwxml's streaming reader runs in one process; read that way, the XML was the serial part of an
# extraction with several workers. Here the reading process only decompresses and cuts the text at
# <page> elements (dumps escape '<' in text, so the tags are found by plain search); the workers
# parse their chunks with mwxml (pages_in) and clean them.
PAGE_OPEN, PAGE_CLOSE = "<page>", "</page>"
READ_BYTES = 1 << 18


def bz2_pieces(fh, limit: float = math.inf) -> Iterator[bytes]:
    """The decompressed bytes of the bz2 streams read from the raw file `fh` (at most `limit` bytes of it), the
    streams end to end as in multistream dumps, one piece per chunk of compressed bytes read.

    Raises OSError on bytes that are not bz2 and EOFError where the last stream is cut short. Not bz2.open: it
    hands out what each read asks for, stopping a block's inverse transform mid-way and resuming it on the next
    read, after the cleaner has had the cache; decompressing whole chunks took half the time inside an extraction
    (0.155 s against 0.284 for the enwiki excerpt, one process) and the same alone (0.14 s).
    """
    decomp, started = bz2.BZ2Decompressor(), False
    while limit > 0 and (data := fh.read(int(min(READ_BYTES, limit)))):
        limit -= len(data)
        while data:
            out = decomp.decompress(data)
            started = True
            yield out
            if not decomp.eof:
                break
            data, decomp, started = decomp.unused_data, bz2.BZ2Decompressor(), False
    if started:
        raise EOFError("the compressed data ends inside a bz2 stream")


def dump_text(path: Path) -> Iterator[str]:
    """The decompressed, decoded XML of a whole dump (bz2, multistream too, or plain), piece by piece."""
    with _reading(path), open(path, "rb") as fh:
        pieces = bz2_pieces(fh) if path.suffix == ".bz2" else iter(lambda: fh.read(READ_BYTES), b"")
        # The encoding from the first bytes in hand: opening the file again to read two bytes would decompress
        # its first bz2 block twice (15 ms of the excerpt's serial start, in every plain-dump shard).
        head, decoder = b"", None
        for piece in pieces:
            if decoder is None:
                head += piece
                if len(head) < 2:
                    continue
                decoder = codecs.getincrementaldecoder(_encoding_of(head))(errors="strict")
                piece, head = head, b""
            yield decoder.decode(piece)
        yield head.decode("utf-8") if decoder is None else decoder.decode(b"", final=True)


def split_pages(text: Iterable[str], source: Path, header: list[str] | None = None) -> Iterator[str]:
    """Each <page> element of the XML pieces in `text`, as text. With `header` (a list), what comes before
    the first page is appended to it before the first page is yielded; without, the text starts at a page."""
    buf, pos, in_header = "", 0, header is not None
    for piece in text:
        buf = buf[pos:] + piece
        pos = 0
        while True:
            start = buf.find(PAGE_OPEN, pos)
            if start < 0:
                break
            if in_header:
                header.append(buf[:start])
                in_header = False
            elif buf[pos:start].strip():
                raise NorelmoError(f"{source}: malformed XML (text between pages: {buf[pos:start].strip()[:60]!r})")
            end = buf.find(PAGE_CLOSE, start)
            if end < 0:
                pos = start  # the page goes on in the next piece
                break
            pos = end + len(PAGE_CLOSE)
            yield buf[start:pos]
    rest = buf[pos:]
    if in_header:
        header.append(rest)
    elif PAGE_OPEN in rest:
        raise NorelmoError(f"{source}: the dump is truncated (a <page> without its end)")
    elif rest.replace("</mediawiki>", "").strip():
        raise NorelmoError(f"{source}: malformed XML (after the last page: {rest.strip()[:60]!r})")


def site_info_of(header: str, source: Path):
    """mwxml's SiteInfo from the text before a dump's first page."""
    try:
        return mwxml.Dump.from_file(io.StringIO(header + "</mediawiki>\n")).site_info
    except Exception as exc:
        raise NorelmoError(f"{source}: no MediaWiki <siteinfo> header could be read ({exc})") from exc


def pages_in(xml: str, source: Path) -> Iterator[Page]:
    """The pages of consecutive <page> elements (split_pages' output joined), read by mwxml."""
    yield from _pages(mwxml.Dump.from_page_xml(io.StringIO(xml)), source)


def stream_range_text(path: Path, start: int, end: int, index: Path | None = None) -> Iterator[str]:
    """The XML of the bz2 streams between byte offsets [start, end) of a multistream dump, piece by piece."""
    hint = f"; does the index {index} belong to this dump?" if index else ""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        fh.seek(start)
        try:
            for piece in bz2_pieces(fh, end - start):
                yield decoder.decode(piece)
        except OSError as exc:
            raise NorelmoError(f"{path}: bytes at offset {start} are not a bz2 stream ({exc}){hint}") from exc
        except EOFError as exc:
            raise NorelmoError(f"{path}: truncated bz2 stream in the range starting at offset {start}") from exc
    yield decoder.decode(b"", final=True)
