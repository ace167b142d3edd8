"""The newspaper-corpus reader on real Norwegian text: NoReC's reviews as NAK articles in each archive layout.

    python bench/nak.py                      # the first 5,000 reviews of ../shared/data/norec/norec-train.txt
    python bench/nak.py --reviews 20000

Each review becomes one XML article (title, caption, body paragraphs, a byline that must not come out), every
fifth in a `nno` folder, every tenth written in UTF-8 under its ISO-8859-1 declaration, a DTD and an `.html4`
copy beside them. The layouts: a year tar of XML folders (`nak_2013.tar`), a year tar of one .tar.gz per
newspaper (`nak_2014.tar`), and the 1998-2011 zip's section 3 (`norsk_aviskorpus.zip`, a .tar.gz per newspaper
with nob/nno folders inside). Each is read by `extract_nak_shard` in 2 shards, once for nob and once for nno, and
what comes out is compared with what went in, document by document: lost and invented must both be 0.

Baseline, measured in the same run: the same documents as a plain-text corpus (`extract_text_shard`), which
reads them without archives, XML or decoding checks.
"""

from __future__ import annotations

import argparse
import io
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

from norelmo.wiki.shards import extract_nak_shard, extract_text_shard

NOREC = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "norec" / "norec-train.txt"
PAPERS = ["ap", "bt", "vg", "dt", "sa"]
DTD = b"<!ELEMENT document (head, body)>\n"


def reviews(path: Path, n: int) -> list[list[str]]:
    docs, doc = [], []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                doc.append(" ".join(line.split()))
            elif doc:
                docs.append(doc)
                doc = []
                if len(docs) == n:
                    break
    return docs


def article_xml(paragraphs: list[str], utf8: bool) -> bytes:
    title, *body = paragraphs
    text = "".join(f"<p>{escape(p)}</p>" for p in body)
    page = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<document><head><meta name="paper" content="x"/></head><body>'
        f'<div type="title"><p>{escape(title)}</p></div><div type="byline"><p>Av NoReC</p></div>'
        f'<div type="text">{text}</div></body></document>\n'
    )
    return page.encode("utf-8" if utf8 else "latin-1", errors="replace" if not utf8 else "strict")


def expected_text(paragraphs: list[str], utf8: bool) -> tuple[str, ...]:
    """What the reader must give back: Latin-1 cannot hold every character of a review; those became `?`."""
    if utf8:
        return tuple(paragraphs)
    return tuple(p.encode("latin-1", errors="replace").decode("latin-1") for p in paragraphs)


def add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def build(docs: list[list[str]], folder: Path) -> tuple[dict[str, Path], dict[str, Counter]]:
    """The three archives, and the documents each standard must give."""
    members = []  # (paper, standard, name, bytes)
    expected = {"nob": Counter(), "nno": Counter()}
    for k, doc in enumerate(docs):
        standard, utf8 = ("nno" if k % 5 == 4 else "nob"), k % 10 == 3
        paper = PAPERS[k % len(PAPERS)]
        members.append((paper, standard, f"{k:06d}.xml", article_xml(doc, utf8)))
        expected[standard][expected_text(doc, utf8)] += 1
    archives = {}
    with tarfile.open(folder / "nak_2013.tar", "w") as tar:
        for paper, standard, name, data in members:
            add(tar, f"2013/{standard}/{paper}/{name}", data)
        add(tar, "2013/nob/document.dtd", DTD)
        add(tar, "2013/LESMEG.html4", b"<html><body>Norsk aviskorpus 2013</body></html>")
    archives["year tar, XML folders"] = folder / "nak_2013.tar"

    def paper_targz(paper: str) -> bytes:
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w:gz") as tar:
            for p, standard, name, data in members:
                if p == paper:
                    add(tar, f"{paper}/{standard}/{name}", data)
            add(tar, f"{paper}/document.dtd", DTD)
        return out.getvalue()

    papers = {paper: paper_targz(paper) for paper in PAPERS}
    (folder / "nested").mkdir()
    with tarfile.open(folder / "nested" / "nak_2014.tar", "w") as tar:
        for paper, data in papers.items():
            add(tar, f"2014/{paper}.tar.gz", data)
    archives["year tar, a .tar.gz per paper"] = folder / "nested" / "nak_2014.tar"
    with zipfile.ZipFile(folder / "norsk_aviskorpus.zip", "w") as zf:
        for paper, data in papers.items():
            zf.writestr(f"3/{paper}.tar.gz", data)
    archives["zip, section 3"] = folder / "norsk_aviskorpus.zip"
    return archives, expected


def documents(text: str) -> Counter:
    return Counter(tuple(block.split("\n")) for block in text.split("\n\n") if block.strip())


def read_archive(path: Path, standard: str, out: Path) -> tuple[float, Counter, Counter]:
    start, got, stats = time.perf_counter(), Counter(), Counter()
    for shard in range(2):
        text, meta = out / f"{standard}-{shard}.txt", out / f"{standard}-{shard}.json"
        result = extract_nak_shard([path], standard, shard, 2, text, meta)
        got += documents(text.read_text(encoding="utf-8"))
        stats.update({k: v for k, v in result.items() if isinstance(v, int)})
    return time.perf_counter() - start, got, stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reviews", type=int, default=5000)
    ap.add_argument("--corpus", type=Path, default=NOREC)
    args = ap.parse_args()
    docs = reviews(args.corpus, args.reviews)
    words = sum(len(p.split()) for d in docs for p in d)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archives, expected = build(docs, tmp)
        plain = tmp / "plain.txt"
        plain.write_text("".join("\n".join(d) + "\n\n" for d in docs), encoding="utf-8")
        start = time.perf_counter()
        for shard in range(2):
            extract_text_shard(str(plain), shard, 2, tmp / f"plain-{shard}.txt", tmp / f"plain-{shard}.json")
        baseline = time.perf_counter() - start
        print(f"{len(docs):,} NoReC reviews, {words:,} words; 2 shards, each read once per standard\n")
        print("| layout | archive MB | standard | documents in | out | lost | invented | skipped | decoded against "
              "declaration | s | MB/s | time / plain text |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for layout, path in archives.items():
            mb = path.stat().st_size / 1e6
            for standard in ("nob", "nno"):
                (tmp / "out").mkdir(exist_ok=True)
                seconds, got, stats = read_archive(path, standard, tmp / "out")
                want = expected[standard]
                lost, invented = sum((want - got).values()), sum((got - want).values())
                print(
                    f"| {layout} | {mb:.1f} | {standard} | {sum(want.values()):,} | {sum(got.values()):,} | {lost} | "
                    f"{invented} | {stats['members_skipped']} | {stats['articles_decoded_against_declaration']} | "
                    f"{seconds:.2f} | {mb / seconds:.1f} | {seconds / baseline:.1f}x |"
                )
        print(f"\nbaseline: the same {len(docs):,} documents as a plain-text corpus, 2 shards: {baseline:.2f} s")


if __name__ == "__main__":
    main()
