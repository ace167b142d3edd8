"""Dump extraction: this project against wikiextractor 3.1.0 (--no-templates) on the same real dump.

    python bench/extract.py [DUMP]

DUMP defaults to the real enwiki excerpt in ../shared/data/wiki-dumps/ (6.09 MB of XML). The bench
installs wikiextractor 3.1.0 from PyPI into a temporary folder and runs both with 1 and 2 worker
processes. XML MB/s counts uncompressed XML; residue counts leftover markup per 1,000 output words;
'words kept' is output words over the words of the articles' wikitext (namespace 0, no redirects).
"""

from __future__ import annotations

import bz2
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DUMP = (
    ROOT.parent
    / "shared"
    / "data"
    / "wiki-dumps"
    / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
)
RESIDUE = ["{{", "}}", "[[", "]]", "|", "<ref", "thumb", "px|", "Category:", "Kategori:", "&amp;", "&nbsp;"]


def article_words(dump: Path) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from norelmo.wiki.clean import is_redirect_text
    from norelmo.wiki.dump import iter_pages

    return sum(
        len(p.text.split())
        for p in iter_pages(dump)
        if p.namespace == 0 and p.redirect is None and not is_redirect_text(p.text)
    )


def residue(text: str) -> float:
    words = max(len(text.split()), 1)
    return 1000 * sum(text.count(r) for r in RESIDUE) / words


def run_norelmo(dump: Path, workers: int, tmp: Path) -> tuple[float, str, int]:
    out = tmp / f"norelmo-{workers}"
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path; from norelmo.wiki.shards import extract_dump_shard;"
        "out = Path(sys.argv[3]);"
        "s = extract_dump_shard(Path(sys.argv[2]), None, 0, 1, out / 's.txt', out / 's.json', int(sys.argv[4]));"
        "print(json.dumps(s))"
    )
    start = time.perf_counter()
    cmd = [sys.executable, "-c", code, str(ROOT / "src"), str(dump), str(out), str(workers)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    return elapsed, (out / "s.txt").read_text(encoding="utf-8"), stats["articles_kept"]


def run_wikiextractor(dump: Path, workers: int, tmp: Path, site: Path) -> tuple[float, str, int]:
    out = tmp / f"wikiextractor-{workers}"
    env = dict(os.environ, PYTHONPATH=str(site))
    cmd = [sys.executable, "-m", "wikiextractor.WikiExtractor", str(dump), "--no-templates", "--json", "-q"]
    cmd += ["--processes", str(workers), "-o", str(out)]
    start = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    docs = [
        json.loads(line) for f in sorted(out.rglob("wiki_*")) for line in f.read_text(encoding="utf-8").splitlines()
    ]
    texts = [d["text"] for d in docs if d["text"].strip()]
    return elapsed, "\n\n".join(texts), len(texts)


def main() -> None:
    dump = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DUMP
    tmp = Path(tempfile.mkdtemp())
    site = tmp / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), "wikiextractor==3.1.0"],
        check=True,
    )
    xml_mb = len(bz2.decompress(dump.read_bytes())) / 1e6
    words_in = article_words(dump)
    print(f"dump: {dump.name} ({xml_mb:.2f} MB XML, {words_in} words of article wikitext); {os.cpu_count()} cores")
    head = f"{'tool':<24}{'workers':>8}{'seconds':>9}{'XML MB/s':>10}{'articles/s':>12}{'scaling':>9}"
    print(head + f"{'residue/1k words':>18}{'words kept':>12}")
    for name, runner in (("norelmo", run_norelmo), ("wikiextractor 3.1.0", run_wikiextractor)):
        first = None
        for workers in (1, 2):
            args = (dump, workers, tmp) + ((site,) if runner is run_wikiextractor else ())
            seconds, text, articles = runner(*args)
            first = first or seconds
            scaling = f"{first / seconds / workers:.0%}" if workers > 1 else "-"
            kept = len(text.split()) / words_in
            row = (
                f"{name:<24}{workers:>8}{seconds:>9.2f}{xml_mb / seconds:>10.2f}{articles / seconds:>12.1f}{scaling:>9}"
            )
            print(row + f"{residue(text):>18.2f}{kept:>12.1%}")
    per_pattern = {}
    for name, runner in (("norelmo", run_norelmo), ("wikiextractor", run_wikiextractor)):
        args = (dump, 1, tmp) + ((site,) if runner is run_wikiextractor else ())
        text = runner(*args)[1]
        words = max(len(text.split()), 1)
        per_pattern[name] = {r: 1000 * text.count(r) / words for r in RESIDUE}
    print("\nresidue per 1,000 output words, by pattern:")
    print(f"{'pattern':<12}" + "".join(f"{n:>15}" for n in per_pattern))
    for r in RESIDUE:
        print(f"{r!r:<12}" + "".join(f"{per_pattern[n][r]:>15.2f}" for n in per_pattern))


if __name__ == "__main__":
    main()
