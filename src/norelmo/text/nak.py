"""The Norwegian Newspaper Corpus (Norsk Aviskorpus, NAK) read from its archives as Språkbanken publishes them.

Layouts (facts from NorBERT's preprocessing scripts, ltgoslo/NorBERT preprocessing/, and the archive list in
malteos/llm-datasets; see README, the NorELMo variants):
- norsk_aviskorpus.zip, 1998-2011: `1/` gzip files of one token per line (a `<U...>` line starts an article,
  other `<...>` lines are markup, `|` lines are skipped, `.` `!` `?` `¶` end a sentence); `2/` a .tar.gz per
  newspaper of running text (a `##U...>` line starts an article, other `##...>` lines are headers, `¶` is
  dropped, lines of one word are skipped, `<...>` tags are stripped); `3/` a .tar.gz per newspaper of XML
  files, one per article.
- nak_YYYY.tar, 2012-2019: `YYYY/nob/.../*.xml` and `YYYY/nno/.../*.xml`, one article per file. An article's
  text is its `div` elements of type title, caption and text, a paragraph per `p`.
Text files are Latin-1; XML files declare ISO-8859-1 and are decoded as declared. A member whose path has no
`nno` folder counts as Bokmål (`nob`): the 1998-2011 archive does not mark the written standard.

Archives are read as they lie, never unpacked: zip members by random access, the yearly tars by seeking over
the members a shard does not own, the nested gzip and tar.gz streams by streaming. Every shard job walks the
same articles in the same order and keeps every n-th; only its own articles are decoded and parsed.
"""

from __future__ import annotations

import gzip
import re
import tarfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from ..errors import NorelmoError

FIRST_YEAR, LAST_YEAR = 1998, 2019
ZIP_LAST_YEAR = 2011  # norsk_aviskorpus.zip holds 1998-2011, one archive; later years have one tar each
ZIP_NAME = "norsk_aviskorpus.zip"
MIRROR = "https://www.nb.no/sbfil/tekst"
STANDARDS = {"nob": ("nob",), "nno": ("nno",), "both": ("nob", "nno")}
ARTICLE_DIVS = {"title", "caption", "text"}
SENTENCE_ENDS = {".", "!", "?", "¶"}
# Detokenizing the 1998-2005 token-per-line text only has to give UDPipe running text, which it tokenizes
# again: no space before closing punctuation, none after opening brackets and quotes.
NO_SPACE_BEFORE = {".", ",", ":", ";", "!", "?", ")", "]", "}", "»", "”", "%"}
NO_SPACE_AFTER = {"(", "[", "{", "«", "“"}
TAG = re.compile(r"<[^>]*>")
ARCHIVE_ERRORS = (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, zlib.error)


def archive_names(first: int, last: int) -> list[str]:
    """The archives that hold the years first..last: the 1998-2011 zip (whole) and a tar per later year."""
    names = [ZIP_NAME] if first <= ZIP_LAST_YEAR else []
    return names + [f"nak_{year}.tar" for year in range(max(first, ZIP_LAST_YEAR + 1), last + 1)]


def standard_of(member: str) -> str:
    return "nno" if "nno" in Path(member).parts else "nob"


@dataclass
class Article:
    """One article as the walk meets it: `read()` gives its paragraphs, and is called only for owned articles."""

    member: str
    read: object  # () -> list[str]
    archive: Path | None = None


def xml_paragraphs(data: bytes) -> list[str]:
    """Title, caption and body of a NAK XML article, a paragraph per `p` (a div without any: its own text)."""
    root = ElementTree.fromstring(data)  # the declared encoding (ISO-8859-1) decodes it
    paragraphs = []
    for div in root.iter("div"):
        if div.get("type") not in ARTICLE_DIVS:
            continue
        ps = list(div.iter("p"))
        for text in ("".join(p.itertext()) for p in ps) if ps else ["".join(div.itertext())]:
            text = " ".join(text.split())
            if text:
                paragraphs.append(text)
    return paragraphs


def detokenized(tokens: list[str]) -> str:
    out = ""
    for token in tokens:
        if out and token not in NO_SPACE_BEFORE and out[-1] not in NO_SPACE_AFTER:
            out += " "
        out += token
    return out


def token_articles(lines: Iterator[bytes]) -> Iterator[list[bytes]]:
    """The raw lines of each article of a token-per-line stream (`<U...>` starts one)."""
    article: list[bytes] = []
    for raw in lines:
        if raw.startswith(b"<U"):
            if article:
                yield article
            article = []
        else:
            article.append(raw)
    if article:
        yield article


def token_paragraphs(lines: list[bytes]) -> list[str]:
    """An article of one token per line as sentences of running text, a sentence a paragraph."""
    paragraphs, sentence = [], []
    for raw in lines:
        token = raw.decode("latin-1").strip()
        if not token or token == "|" or (token.startswith("<") and token.endswith(">")):
            continue
        if token != "¶":
            sentence.append(token)
        if token in SENTENCE_ENDS and sentence:
            paragraphs.append(detokenized(sentence))
            sentence = []
    if sentence:
        paragraphs.append(detokenized(sentence))
    return paragraphs


def running_articles(lines: Iterator[bytes]) -> Iterator[list[bytes]]:
    """The raw lines of each article of 2005-2011 running text (`##U...>` starts one; other headers go)."""
    article: list[bytes] = []
    for raw in lines:
        line = raw.strip()
        if line.startswith(b"##") and line.endswith(b">"):
            if line.startswith(b"##U") and article:
                yield article
                article = []
            continue
        article.append(line)
    if article:
        yield article


def running_paragraphs(lines: list[bytes]) -> list[str]:
    paragraphs = []
    for raw in lines:
        line = " ".join(TAG.sub("", raw.decode("latin-1").replace("¶", "")).split())
        if line != "|" and len(line.split()) > 1:
            paragraphs.append(line)
    return paragraphs


def _zip_articles(path: Path, standards: tuple[str, ...]) -> Iterator[Article]:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir() or standard_of(name) not in standards:
                continue
            if name.endswith(".xml"):
                yield Article(name, lambda n=name: xml_paragraphs(zf.read(n)))
                continue
            try:
                yield from _zip_member_articles(zf, name, standards)
            except ARCHIVE_ERRORS as exc:
                raise NorelmoError(f"{path}: {name}: truncated or corrupt member ({exc})") from exc


def _zip_member_articles(zf: zipfile.ZipFile, name: str, standards: tuple[str, ...]) -> Iterator[Article]:
    """The articles of a compressed member of the 1998-2011 zip, streamed from it."""
    if name.endswith((".tar.gz", ".tgz")):
        # A newspaper's articles: running text (2/), or an XML file each (3/). An owned XML article is read
        # while the stream is at it (shard_articles reads before it moves on).
        with zf.open(name) as raw, tarfile.open(fileobj=raw, mode="r|gz") as tar:
            for member in members_of(tar):
                inner = f"{name}/{member.name}"
                if not member.isfile() or standard_of(member.name) not in standards:
                    continue
                if member.name.endswith(".xml"):
                    yield Article(inner, lambda m=member: xml_paragraphs(tar.extractfile(m).read()))
                    continue
                for lines in running_articles(iter(tar.extractfile(member))):
                    yield Article(inner, lambda lines=lines: running_paragraphs(lines))
    elif name.endswith(".gz"):
        with zf.open(name) as raw, gzip.open(raw) as fh:
            for lines in token_articles(iter(fh)):
                yield Article(name, lambda lines=lines: token_paragraphs(lines))


def members_of(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """A tar's members one by one, not kept: TarFile's own iteration keeps every header it has read, and a
    year of NAK is hundreds of thousands of files."""
    while (member := tar.next()) is not None:
        tar.members = []
        yield member


def _tar_articles(path: Path, standards: tuple[str, ...]) -> Iterator[Article]:
    with tarfile.open(path, "r:") as tar:  # seekable: members a shard does not own are skipped, not read
        last = "its first member"
        for member in members_of(tar):
            last = member.name
            if member.isfile() and member.name.endswith(".xml") and standard_of(member.name) in standards:
                yield Article(member.name, lambda m=member: xml_paragraphs(tar.extractfile(m).read()))
        # Walking a seekable tar reads headers only, and one cut short in a member's data ends like a whole one.
        if tar.offset > path.stat().st_size:
            raise tarfile.ReadError(f"it ends inside {last}")


def nak_articles(archives: list[Path], standard: str) -> Iterator[Article]:
    """Every article of the archives (in the order given) written in `standard`, as the walk meets them."""
    for path in archives:
        member = ""
        try:
            walk = _zip_articles if path.suffix == ".zip" else _tar_articles
            for article in walk(path, STANDARDS[standard]):
                member, article.archive = article.member, path
                yield article
        except ARCHIVE_ERRORS as exc:
            where = f"{path}: after {member}" if member else str(path)
            raise NorelmoError(f"{where}: truncated or corrupt archive ({exc})") from exc


def shard_articles(archives: list[Path], standard: str, shard: int, shards: int, stats: Counter) -> Iterator[list[str]]:
    """The paragraphs of every `shards`-th article, from article `shard` on. An XML article that does not parse
    is skipped and counted (`articles_unreadable`), as NorBERT's extraction, one process per file, skipped it."""
    for index, article in enumerate(nak_articles(archives, standard)):
        if index % shards != shard:
            continue
        try:
            paragraphs = article.read()
        except ElementTree.ParseError:
            stats["articles_unreadable"] += 1
            continue
        except ARCHIVE_ERRORS as exc:
            raise NorelmoError(f"{article.archive}: {article.member}: truncated or corrupt member ({exc})") from exc
        if paragraphs:
            yield paragraphs
        else:
            stats["articles_empty"] += 1


def local_archives(folder: Path, first: int, last: int) -> list[Path]:
    return [folder / name for name in archive_names(first, last)]
