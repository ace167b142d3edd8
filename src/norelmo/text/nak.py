"""The Norwegian Newspaper Corpus (Norsk Aviskorpus, NAK) read from its archives as Språkbanken publishes them.

Layouts (facts from NorBERT's preprocessing scripts, ltgoslo/NorBERT preprocessing/, NbAiLab/notram's corpus guide
and scripts, the es_text_analytics Aviskorpus loader and the archive list in malteos/llm-datasets; see
docs/design.md, the newspaper corpus):
- norsk_aviskorpus.zip, 1998-2011: `1/` gzip files of token-per-line text (or, gzipped, a tar of such files);
  `2/` a .tar.gz per newspaper of `##`-headed running text in `.txt` files; `3/` a .tar.gz per newspaper of XML
  files, one per article, in `nob/` and `nno/` folders.
- nak_YYYY.tar, 2012-2019: XML articles under `YYYY/nob/...` and `YYYY/nno/...`, or a .tar.gz per newspaper
  holding them (`YYYY/*.tar.gz`, as notram's guide unpacks them).
The text forms and their decoding are text.nak_text's.

What is read: `.xml` files as XML articles; `.tar`, `.tar.gz` and `.tgz` files as archives, walked like the
outer one; `.gz` files as token-per-line or running text, or as a tar where that is what they hold; `.txt` files
and files without a suffix as text when their first line is an article header. Every other member (a DTD, a
readme, an `.html4` copy) is skipped and counted. An article's written standard is the innermost `nob` or `nno`
folder of its path, nested archives included; an article whose path names neither is read as Bokmål (the
1998-2011 sections 1 and 2 do not mark it, and hold ten Bokmål newspapers) and counted as unmarked.

Archives are read as they lie, never unpacked: zip members by random access, the yearly tars by seeking over
the members a shard does not own, nested archives by streaming. Every shard job walks the same articles in the
same order and keeps every n-th; only its own articles are decoded and parsed. A tar must end with its two
end-of-archive blocks (Python's tarfile and GNU tar stop quietly at a cut header); an archive, or a zip section,
in which no article is found is an error, never an empty corpus.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree

from ..errors import NorelmoError
from .nak_text import (
    is_running_text,
    is_token_text,
    running_articles,
    running_paragraphs,
    token_articles,
    token_paragraphs,
    xml_paragraphs,
)

FIRST_YEAR, LAST_YEAR = 1998, 2019
ZIP_LAST_YEAR = 2011  # norsk_aviskorpus.zip holds 1998-2011, one archive; later years have one tar each
ZIP_NAME = "norsk_aviskorpus.zip"
MIRROR = "https://www.nb.no/sbfil/tekst"
STANDARDS = {"nob": ("nob",), "nno": ("nno",), "both": ("nob", "nno")}
UNMARKED_STANDARD = "nob"
ARCHIVE_ERRORS = (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, zlib.error)
BLOCK = 512
HEAD_BYTES = 1024  # what is read of a text or gzip member to see what it holds
LAYOUTS = (
    "XML articles (*.xml), token-per-line text (<U...> headers) or ##-headed running text (*.txt, *.gz), "
    "and .tar, .tar.gz or .tgz archives of them"
)
# Per archive, in a shard's stats: what this shard read (summed over shards, the archive's whole) ...
READ_COUNTS = (
    "articles_nob", "articles_nno", "articles_unmarked", "articles_unreadable", "articles_empty",
    "articles_decoded_against_declaration",
)  # fmt: skip
# ... and what every shard meets on its walk, counted by shard 0 alone so that the shards' sum is the archive's.
WALK_COUNTS = ("members_skipped", "articles_other_standard")


def archive_names(first: int, last: int) -> list[str]:
    """The archives that hold the years first..last: the 1998-2011 zip (whole) and a tar per later year."""
    names = [ZIP_NAME] if first <= ZIP_LAST_YEAR else []
    return names + [f"nak_{year}.tar" for year in range(max(first, ZIP_LAST_YEAR + 1), last + 1)]


def standard_of(path: str) -> str | None:
    """`nob` or `nno`: the innermost folder so named in an article's path; None where it names neither."""
    for part in reversed(PurePosixPath(path).parts[:-1]):
        if part in ("nob", "nno"):
            return part
    return None


@dataclass
class Article:
    """One article as the walk meets it: `read()` gives its paragraphs and whether they were decoded against their
    declared encoding, and is called only for owned articles, while the walk is at them."""

    member: str
    standard: str
    unmarked: bool
    read: Callable[[], tuple[list[str], bool]]
    archive: Path | None = None


class _Replayed(io.RawIOBase):
    """A stream whose first bytes were read to see what it holds, read again from its start."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _sniffed(stream: IO[bytes]) -> tuple[bytes, IO[bytes]]:
    head = stream.read(HEAD_BYTES)
    return head, io.BufferedReader(_Replayed(head, stream), 1 << 16)


def _is_tar(head: bytes) -> bool:
    return head[257:262] == b"ustar"  # POSIX and GNU headers both carry the magic there


def _header_recorder() -> type[tarfile.TarInfo]:
    """A TarInfo class that keeps the last header block its tar read: the block where the walk stopped tells a
    complete tar (a block of zeros) from one cut inside or at a header, which tarfile ends quietly."""

    class Recorded(tarfile.TarInfo):
        last_block = b""

        @classmethod
        def frombuf(cls, buf, encoding, errors):
            Recorded.last_block = bytes(buf)
            return super().frombuf(buf, encoding, errors)

    return Recorded


def _tar_members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """A tar's file members one by one, not kept: TarFile's own iteration keeps every header it has read, and a
    year of NAK is hundreds of thousands of files."""
    while (member := tar.next()) is not None:
        tar.members = []
        if member.isfile():
            yield member


def _check_end(tar: tarfile.TarFile, second_block: bytes, where: str, last: str) -> None:
    first_block = tar.tarinfo.last_block
    if len(first_block) < BLOCK:
        how = "inside a header" if first_block else "without its end-of-archive blocks"
    elif first_block.count(0) != BLOCK:
        how = "at a header that does not parse"
    elif second_block != bytes(BLOCK):
        how = "with one of its two end-of-archive blocks"
    else:
        return
    raise NorelmoError(f"{where}: truncated or corrupt archive: it ends {how}, after {last}")


class _ArchiveWalk:
    """The articles of one archive, as the walk meets them; what else it meets is counted."""

    def __init__(self, path: Path, standards: tuple[str, ...]):
        self.path, self.standards = path, standards
        self.walked = Counter()  # WALK_COUNTS
        self.section = ""  # a zip's top folder (1/, 2/, 3/); a tar is one section
        self.found: Counter = Counter()  # articles of any standard, per section
        self.skipped: dict[str, Counter] = {}  # the skipped members' suffixes, per section: for the errors

    def articles(self) -> Iterator[Article]:
        if self.path.suffix == ".zip":
            yield from self._zip()
        else:
            with tarfile.open(self.path, "r:", tarinfo=_header_recorder()) as tar:  # seekable: unowned members skip
                yield from self._tar(tar, "", str(self.path))
        for section in sorted(self.skipped.keys() - self.found.keys()):
            where = f"{self.path}: {section}/: no article in this section" if section else f"{self.path}: no article"
            raise NorelmoError(f"{where}: looked for {LAYOUTS}; {self._skipped_in(section)}")
        if not self.found and not self.skipped:
            raise NorelmoError(f"{self.path}: no article: it holds no file")

    def _skipped_in(self, section: str) -> str:
        kinds = self.skipped.get(section, Counter()).most_common(6)
        return "found " + ", ".join(f"{n} {kind}" for kind, n in kinds) if kinds else "found no file"

    def _zip(self) -> Iterator[Article]:
        with zipfile.ZipFile(self.path) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                name = info.filename
                self.section = name.split("/", 1)[0] if "/" in name else ""
                try:
                    yield from self._member(name, lambda n=name: zf.open(n))
                except ARCHIVE_ERRORS as exc:
                    raise NorelmoError(f"{self.path}: {name}: truncated or corrupt member ({exc})") from exc

    def _tar(self, tar: tarfile.TarFile, prefix: str, where: str) -> Iterator[Article]:
        """The articles of a tar's members (`prefix` before their names); then a check that it ended whole. After
        the block that stopped the walk, the file, or stream, is at the block after it."""
        last = "its first member"
        for member in _tar_members(tar):
            last = member.name
            yield from self._member(prefix + member.name, lambda m=member: tar.extractfile(m))
        _check_end(tar, tar.fileobj.read(BLOCK), where, last)

    def _member(self, name: str, open_member: Callable[[], IO[bytes]]) -> Iterator[Article]:
        base = PurePosixPath(name).name.lower()
        if base.endswith(".xml"):
            yield from self._article(name, lambda: xml_paragraphs(open_member().read()))
        elif base.endswith(".tar"):
            with open_member() as raw:
                yield from self._nested_tar(name, raw)
        elif base.endswith((".tar.gz", ".tgz")):
            with open_member() as raw, gzip.GzipFile(fileobj=raw) as gz:
                yield from self._nested_tar(name, gz)
        elif base.endswith(".gz"):
            with open_member() as raw, gzip.GzipFile(fileobj=raw) as gz:
                head, stream = _sniffed(gz)
                if _is_tar(head):
                    yield from self._nested_tar(name, stream)
                elif not (yield from self._text(name, head, stream)):
                    what = "neither a tar nor token-per-line or running text"
                    raise NorelmoError(f"{self.path}: {name}: {what}; it begins {head[:40]!r}")
        elif base.endswith(".txt") or "." not in base:
            with open_member() as raw:
                head, stream = _sniffed(raw)
                if not (yield from self._text(name, head, stream)):
                    self._skip(base)
        else:
            self._skip(base)

    def _skip(self, base: str) -> None:
        self.walked["members_skipped"] += 1
        kind = f"{PurePosixPath(base).suffix} files" if PurePosixPath(base).suffix else "other files"
        self.skipped.setdefault(self.section, Counter())[kind] += 1

    def _nested_tar(self, name: str, stream: IO[bytes]) -> Iterator[Article]:
        with tarfile.open(fileobj=stream, mode="r|", tarinfo=_header_recorder()) as tar:
            yield from self._tar(tar, f"{name}/", f"{self.path}: {name}")
        while stream.read(1 << 20):  # to its end: a cut or corrupt compressed stream is an error too
            pass

    def _text(self, name: str, head: bytes, stream: IO[bytes]) -> Iterator[Article]:
        """The articles of a token-per-line or running-text stream; returns False where it is neither."""
        if is_token_text(head):
            split, paragraphs = token_articles, token_paragraphs
        elif is_running_text(head):
            split, paragraphs = running_articles, running_paragraphs
        else:
            return False
        for lines in split(iter(stream)):
            yield from self._article(name, lambda lines=lines: paragraphs(lines))
        return True

    def _article(self, name: str, read: Callable[[], tuple[list[str], bool]]) -> Iterator[Article]:
        self.found[self.section] += 1
        marked = standard_of(name)
        standard = marked or UNMARKED_STANDARD
        if standard in self.standards:
            yield Article(name, standard, marked is None, read, self.path)
        else:
            self.walked["articles_other_standard"] += 1


def nak_articles(archives: list[Path], standard: str, walked: dict[str, Counter] | None = None) -> Iterator[Article]:
    """Every article of the archives (in the order given) written in `standard`, as the walk meets them; what each
    walk met besides goes to `walked[archive name]`."""
    for path in archives:
        walk = _ArchiveWalk(path, STANDARDS[standard])
        member = ""
        try:
            for article in walk.articles():
                member = article.member
                yield article
        except ARCHIVE_ERRORS as exc:
            where = f"{path}: after {member}" if member else str(path)
            raise NorelmoError(f"{where}: truncated or corrupt archive ({exc})") from exc
        if walked is not None:
            walked[path.name] = walk.walked


def shard_articles(archives: list[Path], standard: str, shard: int, shards: int, stats: Counter) -> Iterator[list[str]]:
    """The paragraphs of every `shards`-th article, from article `shard` on. An XML article that does not parse
    is skipped and counted (`articles_unreadable`), as NorBERT's extraction, one process per file, skipped it.
    `stats` gets the totals and, under `archives`, the counts of each archive (READ_COUNTS, WALK_COUNTS)."""
    per_archive: dict[str, Counter] = {Path(a).name: Counter() for a in archives}
    walked: dict[str, Counter] = {}
    for index, article in enumerate(nak_articles(archives, standard, walked)):
        if index % shards != shard:
            continue
        counts = per_archive[article.archive.name]
        try:
            paragraphs, against = article.read()
        except ElementTree.ParseError:
            counts["articles_unreadable"] += 1
            continue
        except ARCHIVE_ERRORS as exc:
            raise NorelmoError(f"{article.archive}: {article.member}: truncated or corrupt member ({exc})") from exc
        counts[f"articles_{article.standard}"] += 1
        counts["articles_unmarked"] += article.unmarked
        counts["articles_decoded_against_declaration"] += against
        if paragraphs:
            yield paragraphs
        else:
            counts["articles_empty"] += 1
    for name, counts in per_archive.items():
        if shard == 0:
            counts.update(walked.get(name, Counter()))
        stats.update({key: counts[key] for key in (*READ_COUNTS, *WALK_COUNTS)})
    stats["archives"] = {name: {key: c[key] for key in (*READ_COUNTS, *WALK_COUNTS)} for name, c in per_archive.items()}
