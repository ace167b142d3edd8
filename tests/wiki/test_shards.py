"""Sharding the bundled multistream dump and plain-text corpus."""

import bz2
import json

import pytest

from norelmo.errors import NorelmoError
from norelmo.wiki import shards as shards_module
from norelmo.wiki.dump import (
    dump_text,
    iter_pages,
    multistream_ranges,
    pages_in,
    read_multistream_index,
    site_info_of,
    split_pages,
)
from norelmo.wiki.shards import extract_dump_shard, extract_text_shard

from ..conftest import DUMP, INDEX, SAMPLE


def documents(path):
    return [d for d in path.read_text(encoding="utf-8").split("\n\n") if d.strip()]


@pytest.mark.parametrize("shards", [1, 3])
def test_multistream_shards_hold_exactly_the_articles_of_a_sequential_read(tmp_path, shards):
    whole = tmp_path / "whole.txt"
    extract_dump_shard(DUMP, None, 0, 1, whole, tmp_path / "whole.json")
    parts = []
    for k in range(shards):
        extract_dump_shard(DUMP, INDEX, k, shards, tmp_path / f"s{k}.txt", tmp_path / f"s{k}.json")
        parts += documents(tmp_path / f"s{k}.txt")
    assert parts == documents(whole)
    stats = [json.loads((tmp_path / f"s{k}.json").read_text()) for k in range(shards)]
    assert sum(s["pages_seen"] for s in stats) == sum(1 for _ in iter_pages(DUMP))
    assert sum(s["articles_kept"] for s in stats) == len(parts) >= 50


def test_plain_dump_shards_partition_the_articles(tmp_path):
    whole = tmp_path / "whole.txt"
    extract_dump_shard(DUMP, None, 0, 1, whole, tmp_path / "whole.json")
    parts = []
    for k in range(2):
        extract_dump_shard(DUMP, None, k, 2, tmp_path / f"p{k}.txt", tmp_path / f"p{k}.json")
        parts += documents(tmp_path / f"p{k}.txt")
    assert sorted(parts) == sorted(documents(whole))


def test_redirects_and_other_namespaces_are_counted_not_kept(tmp_path):
    stats = extract_dump_shard(DUMP, None, 0, 1, tmp_path / "a.txt", tmp_path / "a.json")
    text = (tmp_path / "a.txt").read_text(encoding="utf-8")
    assert stats["redirects"] > 0 and stats["other_namespaces"] > 0
    assert "OMDIRIGERING" not in text and "Jeg skriver om norske byer" not in text  # a Bruker: page
    for leak in ("{{", "}}", "[[Kategori", "<ref", "mini|", "px|", "&nbsp;"):
        assert leak not in text


def test_stream_ranges_cover_every_stream_once():
    offsets = read_multistream_index(INDEX)
    size = DUMP.stat().st_size
    for shards in (1, 2, 5, 50):
        ranges = multistream_ranges(offsets, size, shards)
        assert len(ranges) == shards
        covered = [r for r in ranges if r[0] < r[1]]
        assert covered[0][0] == offsets[0] and covered[-1][1] == size
        assert all(a[1] == b[0] for a, b in zip(covered, covered[1:], strict=False))


def test_text_corpus_shards_split_documents(tmp_path):
    pattern = str(SAMPLE / "news" / "*.txt")
    counts = [extract_text_shard(pattern, k, 2, tmp_path / f"n{k}.txt", tmp_path / f"n{k}.json") for k in range(2)]
    assert counts[0]["documents"] + counts[1]["documents"] == 40


def test_text_shards_read_their_own_bytes_and_together_every_document_once(tmp_path):
    """Documents of any length across files (blank lines of spaces, CRLF, runs of blank lines, a file without a
    final newline, an empty file): any shard count gives every document once, in corpus order."""
    import random

    rng = random.Random(7)
    docs = []
    for f in range(4):
        lines = []
        for d in range(rng.randint(0, 30)):
            paragraphs = [f"f{f} d{d} p{p} " + "ord " * rng.randint(1, 40) for p in range(rng.randint(1, 5))]
            docs.append([" ".join(p.split()) for p in paragraphs])
            lines += paragraphs + [rng.choice(["", "  ", "\r", "", "\n"])]
        eol = "\r\n" if f == 2 else "\n"
        (tmp_path / f"c{f}.txt").write_text(eol.join(lines).rstrip("\n") if f == 3 else eol.join(lines) + eol)
    pattern = str(tmp_path / "c*.txt")
    for shards in (1, 2, 3, 7, 64):
        got = []
        for k in range(shards):
            extract_text_shard(pattern, k, shards, tmp_path / "s.txt", tmp_path / "s.json")
            text = (tmp_path / "s.txt").read_text()
            got += [d.split("\n") for d in text.split("\n\n") if d.strip()]
        assert got == docs, shards


def test_invalid_utf8_in_a_later_shard_names_its_line(tmp_path):
    bad = tmp_path / "avis.txt"
    bad.write_bytes(b"".join(b"Dokument %d er fint.\n\n" % i for i in range(100)) + b"Her er \xe6 feil.\n")
    with pytest.raises(NorelmoError, match=r"avis.txt:201: not valid UTF-8"):
        extract_text_shard(str(bad), 3, 4, tmp_path / "x.txt", tmp_path / "x.json")


def test_missing_text_corpus_is_one_clear_error(tmp_path):
    with pytest.raises(NorelmoError, match="no plain-text files match"):
        extract_text_shard(str(tmp_path / "none-*.txt"), 0, 1, tmp_path / "x.txt", tmp_path / "x.json")
    assert not (tmp_path / "x.txt").exists()


def test_dump_that_is_not_bz2_is_one_clear_error(tmp_path):
    bad = tmp_path / "nowiki-pages-articles.xml.bz2"
    bad.write_text("this is not bzip2")
    with pytest.raises(NorelmoError, match=str(bad)):
        extract_dump_shard(bad, None, 0, 1, tmp_path / "x.txt", tmp_path / "x.json")
    assert not (tmp_path / "x.txt").exists()


def test_invalid_utf8_in_a_text_corpus_names_file_and_line(tmp_path):
    bad = tmp_path / "avis.txt"
    bad.write_bytes(b"God dag.\n\nHer er \xe6 feil.\n")
    with pytest.raises(NorelmoError, match=r"avis.txt:3: not valid UTF-8"):
        extract_text_shard(str(bad), 0, 1, tmp_path / "x.txt", tmp_path / "x.json")
    assert not (tmp_path / "x.txt").exists()


@pytest.mark.parametrize("groups_per_worker", [0, 10**6])  # workers read stream groups; this process cuts XML
def test_workers_reading_stream_groups_give_the_sequential_read(tmp_path, monkeypatch, groups_per_worker):
    monkeypatch.setattr(shards_module, "CHUNK_BYTES", 1)  # one stream per task: many tasks, all in flight
    monkeypatch.setattr(shards_module, "CHUNK_CHARS", 1)  # one page per task
    monkeypatch.setattr(shards_module, "STREAM_TASKS_PER_WORKER", groups_per_worker)
    whole = tmp_path / "whole.txt"
    extract_dump_shard(DUMP, None, 0, 1, whole, tmp_path / "whole.json")
    for shards in (1, 2):
        parts = []
        for k in range(shards):
            out = tmp_path / f"w{shards}-{k}.txt"
            extract_dump_shard(DUMP, INDEX, k, shards, out, tmp_path / f"w{shards}-{k}.json", workers=2)
            parts += documents(out)
        assert parts == documents(whole)


def test_dump_text_reads_multistream_single_stream_and_plain_xml_alike(tmp_path):
    xml = bz2.decompress(DUMP.read_bytes())  # the bundled dump is multistream: many bz2 streams end to end
    single, plain = tmp_path / "single.xml.bz2", tmp_path / "plain.xml"
    single.write_bytes(bz2.compress(xml))
    plain.write_bytes(xml)
    for path in (DUMP, single, plain):
        assert "".join(dump_text(path)) == xml.decode("utf-8")


def test_a_dump_cut_inside_a_bz2_stream_is_named_truncated(tmp_path):
    cut = tmp_path / "cut.xml.bz2"
    cut.write_bytes(DUMP.read_bytes()[:-100])
    with pytest.raises(NorelmoError, match=f"{cut}: the dump is truncated"):
        "".join(dump_text(cut))


def test_the_page_chunk_reader_reads_what_mwxml_streams(tmp_path):
    header = []
    chunked = [p for xml in split_pages(dump_text(DUMP), DUMP, header) for p in pages_in(xml, DUMP)]
    assert chunked == list(iter_pages(DUMP)) and len(chunked) > 50
    assert site_info_of("".join(header), DUMP).dbname == "nowiki"
