"""Plain-text corpora as users have them: gzip, bzip2 and xz files, JSON lines with a named field, and mixes."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import subprocess

import pytest

from norelmo.errors import NorelmoError
from norelmo.wiki.shards import extract_text_shard

from ..conftest import BIN

DOCS = [[f"Dokument {d} avsnitt {p}: " + "ord " * (1 + (7 * d + p) % 13) for p in range(1 + d % 4)] for d in range(40)]
DOCS = [[" ".join(p.split()) for p in doc] for doc in DOCS]
WRITE = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def as_text(docs) -> bytes:
    return "".join("\n".join(doc) + "\n\n" for doc in docs).encode()


def as_jsonl(docs) -> bytes:
    return "".join(
        json.dumps({"id": k, "text": "\n".join(doc)}, ensure_ascii=False) + "\n" for k, doc in enumerate(docs)
    ).encode()


def write(path, data: bytes):
    with WRITE.get(path.suffix, open)(path, "wb") as fh:
        fh.write(data)
    return path


def sharded(tmp_path, pattern: str, shards: int, json_field=None) -> list[list[str]]:
    docs = []
    for k in range(shards):
        extract_text_shard(pattern, k, shards, tmp_path / "s.txt", tmp_path / "s.json", json_field)
        docs += [d.split("\n") for d in (tmp_path / "s.txt").read_text().split("\n\n") if d.strip()]
    return docs


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
@pytest.mark.parametrize("kind", ["text", "jsonl"])
def test_compressed_files_give_the_documents_of_the_plain_ones(tmp_path, suffix, kind):
    encode, field = (as_text, None) if kind == "text" else (as_jsonl, "text")
    (tmp_path / "c").mkdir()
    for part in range(2):  # two files, so the running index carries over from one to the next
        write(tmp_path / "c" / f"part{part}{suffix}", encode(DOCS if part == 0 else DOCS[:17]))
    plain = sharded(tmp_path, str(tmp_path / "c" / "*"), 1, field)
    assert plain[: len(DOCS)] == DOCS
    for shards in (2, 3, 7):
        got = sharded(tmp_path, str(tmp_path / "c" / "*"), shards, field)
        assert sorted(map(tuple, got)) == sorted(map(tuple, plain)), shards


def test_a_mix_of_plain_and_compressed_jsonl_reads_every_document_once(tmp_path):
    (tmp_path / "c").mkdir()
    write(tmp_path / "c" / "a.jsonl", as_jsonl(DOCS[:25]))
    write(tmp_path / "c" / "b.jsonl.gz", as_jsonl(DOCS[25:]))
    for shards in (1, 2, 5, 64):
        got = sharded(tmp_path, str(tmp_path / "c" / "*"), shards, "text")
        assert sorted(map(tuple, got)) == sorted(map(tuple, DOCS)), shards


def test_a_jsonl_line_without_the_field_names_file_and_line(tmp_path):
    lines = as_jsonl(DOCS).splitlines(keepends=True)
    lines[30] = b'{"id": 30, "body": "no text field"}\n'
    plain = write(tmp_path / "avis.jsonl", b"".join(lines))
    with pytest.raises(NorelmoError, match=r"avis.jsonl:31: not a JSON object with a string field 'text'"):
        extract_text_shard(str(plain), 2, 3, tmp_path / "x.txt", tmp_path / "x.json", "text")
    packed = write(tmp_path / "avis.jsonl.xz", b"".join(lines))
    with pytest.raises(NorelmoError, match=r"avis.jsonl.xz:31: not a JSON object"):
        extract_text_shard(str(packed), 0, 1, tmp_path / "x.txt", tmp_path / "x.json", "text")
    assert not (tmp_path / "x.txt").exists()


def test_a_truncated_gzip_file_is_one_error_naming_it_and_nothing_is_written(tmp_path):
    whole = gzip.compress(as_text(DOCS))
    (tmp_path / "avis.txt.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(NorelmoError, match=r"avis.txt.gz: truncated or not a gz file"):
        extract_text_shard(str(tmp_path / "avis.txt.gz"), 0, 2, tmp_path / "x.txt", tmp_path / "x.json")
    assert not (tmp_path / "x.txt").exists() and not (tmp_path / "x.json").exists()


def test_extract_reads_gzipped_json_lines_from_the_command_line(tmp_path):
    write(tmp_path / "ncc.jsonl.gz", as_jsonl(DOCS))
    cmd = [str(BIN / "norelmo"), "extract", "--text", str(tmp_path / "ncc.jsonl.gz"), "--json-field", "text"]
    proc = subprocess.run([*cmd, "--out", str(tmp_path / "out"), "--shards", "2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    counts = [json.loads((tmp_path / "out" / f"shard-{k}.json").read_text())["documents"] for k in range(2)]
    assert counts == [20, 20]
