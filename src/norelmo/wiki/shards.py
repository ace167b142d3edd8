"""Write one text shard of a dump or plain-text corpus: documents split by a blank line, a paragraph a line."""

from __future__ import annotations

import glob
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..atomic import atomic_path, atomic_text
from ..errors import NorelmoError
from ..textio import utf8_lines
from .clean import clean_wikitext, is_redirect_text
from .dump import (
    Page,
    iter_pages,
    iter_stream_range,
    multistream_ranges,
    open_dump,
    read_multistream_index,
    read_siteinfo,
)
from .namespaces import LinkRules, namespace_names


def _write_documents(docs: Iterable[list[str]], out_text: Path, out_stats: Path, stats: Counter) -> None:
    with atomic_text(out_text) as fh:
        for paragraphs in docs:
            fh.write("\n".join(paragraphs) + "\n\n")
            stats["documents"] += 1
            stats["paragraphs"] += len(paragraphs)
            stats["characters"] += sum(len(p) for p in paragraphs)
    with atomic_text(out_stats) as fh:
        json.dump(dict(sorted(stats.items())), fh, indent=2)
        fh.write("\n")


def _articles(pages: Iterable[Page], rules: LinkRules, stats: Counter) -> Iterator[list[str]]:
    for page in pages:
        stats["pages_seen"] += 1
        if page.namespace != 0:
            stats["other_namespaces"] += 1
        elif page.redirect is not None or is_redirect_text(page.text):
            stats["redirects"] += 1
        else:
            paragraphs = clean_wikitext(page.text, rules)
            if paragraphs:
                stats["articles_kept"] += 1
                yield paragraphs
            else:
                stats["articles_empty"] += 1


def extract_dump_shard(
    dump: Path, index: Path | None, shard: int, shards: int, out_text: Path, out_stats: Path
) -> dict:
    """Clean the articles of shard `shard` (0-based) of `shards` and write them to `out_text`.

    With a multistream index the shard is a contiguous byte range of bz2 streams, decoded on its
    own. Without one, each shard streams the whole dump and keeps every `shards`-th page: parsing
    the XML is cheap next to cleaning the wikitext, which is what gets divided.
    """
    dump, stats = Path(dump), Counter()
    if not dump.is_file():
        raise NorelmoError(f"{dump}: dump file not found")
    if index is not None:
        offsets = read_multistream_index(Path(index))
        if offsets[0] >= dump.stat().st_size:
            raise NorelmoError(f"{index}: offsets point past the end of {dump}; index and dump do not match")
        rules = LinkRules.from_namespaces(namespace_names(read_siteinfo(dump, offsets[0])))
        start, end = multistream_ranges(offsets, dump.stat().st_size, shards)[shard]
        pages = iter_stream_range(dump, start, end)
    else:
        mw = open_dump(dump)
        rules = LinkRules.from_namespaces(namespace_names(mw.site_info))
        pages = (p for i, p in enumerate(iter_pages(dump)) if i % shards == shard)
    _write_documents(_articles(pages, rules, stats), out_text, out_stats, stats)
    return dict(stats)


def text_corpus_files(pattern: str) -> list[Path]:
    """The files a `text` corpus entry names: a path or a glob, sorted."""
    files = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
    if not files:
        raise NorelmoError(f"{pattern}: no plain-text files match")
    return files


def _text_documents(files: list[Path], stats: Counter) -> Iterator[list[str]]:
    for path in files:
        doc: list[str] = []
        for _, line in utf8_lines(path):
            line = " ".join(line.split())
            if line:
                doc.append(line)
            elif doc:
                yield doc
                doc = []
        if doc:
            yield doc


def extract_text_shard(pattern: str, shard: int, shards: int, out_text: Path, out_stats: Path) -> dict:
    """Shard `shard` of a plain-text corpus: every `shards`-th document, normalized whitespace."""
    stats = Counter()
    docs = (d for i, d in enumerate(_text_documents(text_corpus_files(pattern), stats)) if i % shards == shard)
    _write_documents(docs, out_text, out_stats, stats)
    return dict(stats)


def merge_stats(paths: Iterable[Path], out: Path) -> dict:
    """Sum the per-shard stats JSON files into one."""
    total = Counter()
    for p in paths:
        total.update(json.loads(Path(p).read_text()))
    with atomic_path(out) as tmp:
        tmp.write_text(json.dumps(dict(sorted(total.items())), indent=2) + "\n")
    return dict(total)
