"""Write one text shard of a dump or plain-text corpus: documents split by a blank line, a paragraph a line."""

from __future__ import annotations

import contextlib
import itertools
import signal
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..atomic import atomic_json, atomic_text
from ..errors import NorelmoError
from ..inputs import text_corpus_files
from ..parallel import ordered_map
from ..progress import progress_bar
from ..text.corpus import shard_documents
from ..text.nak import shard_articles
from .clean import clean_wikitext, is_redirect_text
from .dump import (
    Page,
    dump_text,
    multistream_ranges,
    pages_in,
    read_multistream_index,
    read_siteinfo,
    site_info_of,
    split_pages,
    stream_range_text,
)
from .namespaces import LinkRules, namespace_names


def _document_text(docs: Iterable[list[str]], stats: Counter) -> str:
    """Documents as shard text (a paragraph a line, a blank line after each), counted into `stats`."""
    pieces = []
    for paragraphs in docs:
        pieces.append("\n".join(paragraphs) + "\n\n")
        stats["documents"] += 1
        stats["paragraphs"] += len(paragraphs)
        stats["characters"] += sum(len(p) for p in paragraphs)
    return "".join(pieces)


def _write_shard(blocks: Iterable[str], out_text: Path, out_stats: Path, stats: Counter) -> None:
    with atomic_text(out_text) as fh:
        for block in blocks:
            fh.write(block)
    atomic_json(out_stats, dict(sorted(stats.items())))


MAX_PAGE_CHARS = 2_000_000  # wikitext beyond this is cut off; real articles stay far below
PAGE_SECONDS = 30  # a page whose cleaning takes longer is dropped
# Work per task handed to a worker (pages vary 1000-fold in size): characters of page XML, or bytes of
# bz2 streams of a multistream dump (about 3.5 characters of XML each).
CHUNK_CHARS = 1 << 18
CHUNK_BYTES = 1 << 16
STREAM_TASKS_PER_WORKER = 4
DUMP_STATS = (
    "pages_seen", "articles_kept", "articles_empty", "redirects", "other_namespaces",
    "documents", "paragraphs", "characters", "pages_capped", "pages_timed_out",
)  # fmt: skip


class PageTimeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise PageTimeout in the block after `seconds` (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise PageTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def clean_capped(wikitext: str, rules: LinkRules) -> tuple[list[str], str | None]:
    """Cleaned paragraphs, and 'capped' or 'timed_out' when a pathological page hit a limit."""
    capped = None
    if len(wikitext) > MAX_PAGE_CHARS:
        cut = wikitext.rfind("\n", 0, MAX_PAGE_CHARS)
        wikitext, capped = wikitext[: cut if cut > 0 else MAX_PAGE_CHARS], "capped"
    try:
        with _time_limit(PAGE_SECONDS):
            return clean_wikitext(wikitext, rules), capped
    except (PageTimeout, RecursionError):
        return [], "timed_out"


_rules: LinkRules | None = None
_source: Path | None = None
_index: Path | None = None


def _init_worker(rules: LinkRules, source: Path, index: Path | None) -> None:
    global _rules, _source, _index
    _rules, _source, _index = rules, source, index


def _clean_task(task: str | tuple[int, int]) -> tuple[str, Counter]:
    """Clean the articles of a task: a chunk of <page> elements as XML text, or the byte range of some
    streams of a multistream dump, which the worker reads and decompresses itself. Returns the shard
    text of its articles and the counts (one string crosses between processes, not every paragraph)."""
    if isinstance(task, str):
        pages = pages_in(task, _source)
    else:
        xmls = split_pages(stream_range_text(_source, *task, _index), _source)
        pages = (p for xml in xmls for p in pages_in(xml, _source))
    counts = Counter()
    docs = []
    for text in _article_texts(pages, counts):
        paragraphs, limit = clean_capped(text, _rules)
        if limit is not None:
            counts[f"pages_{limit}"] += 1
        if paragraphs:
            counts["articles_kept"] += 1
            docs.append(paragraphs)
        else:
            counts["articles_empty"] += 1
    return _document_text(docs, counts), counts


def _article_texts(pages: Iterable[Page], stats: Counter) -> Iterator[str]:
    for page in pages:
        stats["pages_seen"] += 1
        if page.namespace != 0:
            stats["other_namespaces"] += 1
        elif page.redirect is not None or is_redirect_text(page.text):
            stats["redirects"] += 1
        else:
            yield page.text


def _xml_chunks(pages: Iterable[str]) -> Iterator[str]:
    chunk, size = [], 0
    for page in pages:
        chunk.append(page)
        size += len(page)
        if size >= CHUNK_CHARS:
            yield "".join(chunk)
            chunk, size = [], 0
    if chunk:
        yield "".join(chunk)


def _stream_groups(offsets: list[int], start: int, end: int) -> Iterator[tuple[int, int]]:
    """Byte ranges of consecutive whole streams within [start, end), about CHUNK_BYTES each."""
    group = start
    for offset in offsets:
        if group < offset < end and offset - group >= CHUNK_BYTES:
            yield group, offset
            group = offset
    if group < end:
        yield group, end


def extract_dump_shard(
    dump: Path,
    index: Path | None,
    shard: int,
    shards: int,
    out_text: Path,
    out_stats: Path,
    workers: int = 1,
    progress: bool = False,
) -> dict:
    """Clean the articles of shard `shard` (0-based) of `shards` and write them to `out_text`.

    With a multistream index the shard is a contiguous byte range of bz2 streams, decoded on its
    own (by the workers, a group of streams each). Without one, each shard decompresses the whole
    dump and keeps every `shards`-th page, which is then all it parses and cleans.
    """
    dump = Path(dump)
    stats = Counter(dict.fromkeys(DUMP_STATS, 0))  # every count present, zeros included
    if not dump.is_file():
        raise NorelmoError(f"{dump}: dump file not found")
    if index is not None:
        offsets = read_multistream_index(Path(index))
        if offsets[0] >= dump.stat().st_size:
            raise NorelmoError(f"{index}: offsets point past the end of {dump}; index and dump do not match")
        try:
            rules = LinkRules.from_namespaces(namespace_names(read_siteinfo(dump, offsets[0])))
        except NorelmoError as exc:
            raise NorelmoError(f"{exc}; does the index {index} belong to this dump?") from exc
        start, end = multistream_ranges(offsets, dump.stat().st_size, shards)[shard]
        tasks, share = list(_stream_groups(offsets, start, end)), 2
        if len(tasks) < STREAM_TASKS_PER_WORKER * workers:
            # Too few stream groups to share out evenly (a 100-page stream can take a third of a small
            # shard's time): read like a plain dump, this process cutting the XML into finer chunks.
            tasks, share = _xml_chunks(split_pages(stream_range_text(dump, start, end, index), dump)), 4
    else:
        header: list[str] = []
        pages = split_pages(dump_text(dump), dump, header)
        first = list(itertools.islice(pages, 1))  # the header is read by then
        rules = LinkRules.from_namespaces(namespace_names(site_info_of("".join(header), dump)))
        tasks, share = _xml_chunks(p for i, p in enumerate(itertools.chain(first, pages)) if i % shards == shard), 4
    init = (rules, dump, None if index is None else Path(index))
    # Forked: the cleaner is pure Python and C regexes, no threads or models to copy (the pool starts
    # before the progress bar's thread). Shared: this process cleans tasks too; it decompresses the
    # XML it hands out, or only reads the index (stream groups), so it takes a task when each worker
    # has 4, or 2, queued (bench/extract.py, x8 and x16 excerpts: 85% to 88% scaling on 2 cores).
    with (
        ordered_map(_clean_task, tasks, workers, _init_worker, init, fork=True, share=share) as results,
        contextlib.closing(progress_bar(desc=f"{dump.name} shard {shard}", unit="page", disable=not progress)) as bar,
    ):  # the bar ends before any error message is printed

        def blocks():
            for block, counts in results:
                stats.update(counts)
                bar.update(counts["pages_seen"])
                yield block

        _write_shard(blocks(), out_text, out_stats, stats)
    return dict(stats)


def _text_files(pattern: str) -> list[Path]:
    files = text_corpus_files(pattern)
    if not files:
        raise NorelmoError(f"{pattern}: no plain-text files match")
    return files


def extract_nak_shard(
    archives: list[str | Path], standard: str, shard: int, shards: int, out_text: Path, out_stats: Path
) -> dict:
    """Shard `shard` of the Norwegian Newspaper Corpus: every `shards`-th article of the archives in `standard`,
    read from the archives as they lie (text.nak)."""
    stats = Counter()
    articles = shard_articles([Path(a) for a in archives], standard, shard, shards, stats)
    _write_shard((_document_text([a], stats) for a in articles), out_text, out_stats, stats)
    return dict(stats)


def extract_text_shard(
    pattern: str, shard: int, shards: int, out_text: Path, out_stats: Path, json_field: str | None = None
) -> dict:
    """Shard `shard` of a plain-text corpus (text or JSON lines, plain or compressed): its share of the documents,
    whitespace normalized (text.corpus.shard_documents)."""
    stats = Counter()
    docs = shard_documents(_text_files(pattern), shard, shards, json_field)
    _write_shard((_document_text([d], stats) for d in docs), out_text, out_stats, stats)
    return dict(stats)
