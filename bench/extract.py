"""Dump extraction: this project against wikiextractor 3.1.0 (--no-templates) on the same real dump.

    python bench/extract.py [DUMP] [--repeats N]

DUMP defaults to the real enwiki excerpt in ../shared/data/wiki-dumps/ (6.09 MB of XML). The bench
installs wikiextractor 3.1.0 from PyPI into a temporary folder and runs both with 1 and 2 worker
processes, each run in a fresh process, timed as the best of --repeats runs (default 5; a shared VM's
timings wander by 30%). XML MB/s counts uncompressed XML; residue counts leftover markup per 1,000 output
words; 'words kept' is output words over the words of the articles' wikitext (namespace 0, no
redirects). Rows 'parser only' and 'spans + parser' are this project's earlier cleaners (every page
through mwparserfromhell; the span scanner first), run by the same reader: what each step bought.
norelmo's start-up alone (interpreter and imports) follows, then its runs split into the work (timed inside
the process) and the rest (interpreter, imports, exit), with the scaling a perfect split of the work would reach.
Then the reader alone (mwxml's streaming reader against the page-chunk reader the extraction uses),
and peak memory per process (and time, best of 3) over the dump and its pages repeated 8 and 16
times. A multistream shard with fewer than 4 stream groups per worker is read like a plain dump (x1
here), one with more by workers decompressing stream groups (x8, x16): compare those two for flatness.
"""

from __future__ import annotations

import argparse
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
# 'thumb|', not 'thumb': the word is prose too ("rule of thumb"); as markup it is a file link's option.
RESIDUE = ["{{", "}}", "[[", "]]", "|", "<ref", "thumb|", "px|", "Category:", "Kategori:", "&amp;", "&nbsp;"]


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


# The earlier cleaners, swapped in for the one extract_dump_shard uses.
VARIANTS = {
    "now": "",
    "parser only": "shards.clean_wikitext = clean.parsed_lines",
    "spans + parser": "shards.clean_wikitext = lambda t, r: clean.parsed_lines("
    "(spans.drop_spans(t, r) or t).replace(spans.CUT, ''), r)",
}
NORELMO = """
import sys, json, resource, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from norelmo.wiki import clean, shards, spans
{variant}
out = Path(sys.argv[3])
index = Path(sys.argv[5]) if sys.argv[5] else None
start = time.perf_counter()
s = shards.extract_dump_shard(Path(sys.argv[2]), index, 0, 1, out / "s.txt", out / "s.json", int(sys.argv[4]))
s["work_seconds"] = time.perf_counter() - start
# VmHWM, not ru_maxrss: the latter keeps the bench's own peak across the exec that started this process.
s["rss_self"] = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
s["rss_workers"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(s))
"""


def run_norelmo(dump: Path, workers: int, tmp: Path, index: Path | None = None, variant: str = "now"):
    out = tmp / f"norelmo-{workers}"
    cmd = [sys.executable, "-c", NORELMO.format(variant=VARIANTS[variant]), str(ROOT / "src"), str(dump), str(out)]
    start = time.perf_counter()
    proc = subprocess.run([*cmd, str(workers), str(index or "")], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    return elapsed, (out / "s.txt").read_text(encoding="utf-8"), stats["articles_kept"], stats


def run_wikiextractor(dump: Path, workers: int, tmp: Path, site: Path):
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
    return elapsed, "\n\n".join(texts), len(texts), {}


def time_start_up() -> tuple[float]:
    """Seconds for a fresh interpreter to import what the extraction runs (the NORELMO script's imports)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", NORELMO.split("{variant}")[0], str(ROOT / "src")], check=True)
    return (time.perf_counter() - start,)


def best_of(repeats: int, runner, *args):
    runs = [runner(*args) for _ in range(repeats)]
    return min(runs, key=lambda r: r[0])


def reading_alone(dump: Path) -> list[tuple[str, float]]:
    """Seconds to read every page (title, namespace, text) with each reader, best of 3, in this process."""
    from norelmo.wiki.dump import dump_text, iter_pages, pages_in, split_pages

    def streaming():
        return sum(len(p.text) for p in iter_pages(dump))

    def chunked():
        return sum(len(p.text) for xml in split_pages(dump_text(dump), dump, []) for p in pages_in(xml, dump))

    rows = []
    for name, read in (("mwxml's streaming reader", streaming), ("page-chunk reader", chunked)):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            read()
            times.append(time.perf_counter() - start)
        rows.append((name, min(times)))
    return rows


def dump_parts(dump: Path) -> tuple[str, str, str]:
    """A bz2 dump's XML as the header before its first page, its pages, and the footer after them."""
    xml = bz2.decompress(dump.read_bytes()).decode("utf-8")
    first, last = xml.index("<page>"), xml.rindex("</page>") + len("</page>")
    return xml[:first], xml[first:last], xml[last:]


def repeated_dump(dump: Path, times: int, out: Path) -> Path:
    """The dump with its pages written `times` over (same header and footer), bz2-compressed."""
    header, pages, footer = dump_parts(dump)
    out.write_bytes(bz2.compress((header + (pages + "\n") * times + footer).encode("utf-8"), 6))
    return out


def multistream_copy(dump: Path, out: Path, per_stream: int = 100) -> tuple[Path, Path]:
    """The dump as Wikimedia's multistream dumps are laid out (the pipeline's default input): a header
    stream, one bz2 stream per `per_stream` pages, a footer stream; and its offset:id:title index."""
    header, body, footer = dump_parts(dump)
    pages = [p + "</page>\n" for p in body.split("</page>")[:-1]]
    streams, lines = [bz2.compress(header.encode("utf-8"))], []
    offset = len(streams[0])
    for k in range(0, len(pages), per_stream):
        group = pages[k : k + per_stream]
        for p in group:
            page_id = p.split("<id>", 1)[1].split("</id>", 1)[0]
            title = p.split("<title>", 1)[1].split("</title>", 1)[0]
            lines.append(f"{offset}:{page_id}:{title}")
        streams.append(bz2.compress("".join(group).encode("utf-8")))
        offset += len(streams[-1])
    streams.append(bz2.compress(footer.encode("utf-8")))
    path, index = out / "excerpt-multistream.xml.bz2", out / "excerpt-multistream-index.txt.bz2"
    path.write_bytes(b"".join(streams))
    index.write_bytes(bz2.compress(("\n".join(lines) + "\n").encode("utf-8")))
    return path, index


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump", nargs="?", type=Path, default=DEFAULT_DUMP)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    dump = a.dump
    tmp = Path(tempfile.mkdtemp())
    site = tmp / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), "wikiextractor==3.1.0"],
        check=True,
    )
    xml_mb = len(bz2.decompress(dump.read_bytes())) / 1e6
    words_in = article_words(dump)
    multi, index = multistream_copy(dump, tmp)
    print(f"dump: {dump.name} ({xml_mb:.2f} MB XML, {words_in} words of article wikitext); {os.cpu_count()} cores")
    print("input 'bz2': the file as it is; 'multistream': the same XML in 100-page bz2 streams with an index,")
    print(f"as the pipeline downloads dumps. Seconds: best of {a.repeats} runs, each in a fresh process.")
    head = f"{'tool':<30}{'input':<13}{'workers':>8}{'seconds':>9}{'XML MB/s':>10}{'articles/s':>12}{'scaling':>9}"
    print(head + f"{'residue/1k words':>18}{'words kept':>12}{'vs wikiextractor':>18}")
    rows = []
    for form, path, idx in (("bz2", dump, None), ("multistream", multi, index)):
        rows += [("wikiextractor 3.1.0", form, w, run_wikiextractor, (path, w, tmp, site)) for w in (1, 2)]
        if form == "bz2":
            rows += [(f"norelmo, {v}", form, 1, run_norelmo, (path, 1, tmp, None, v)) for v in VARIANTS if v != "now"]
        rows += [("norelmo", form, w, run_norelmo, (path, w, tmp, idx)) for w in (1, 2)]
    first, baseline, texts = {}, {}, {}
    work = {}  # (input, workers): norelmo's best run as (seconds in all, seconds of extract_dump_shard itself)
    for name, form, workers, runner, args in rows:
        seconds, text, articles, stats = best_of(a.repeats, runner, *args)
        if name == "norelmo":
            work[form, workers] = seconds, stats["work_seconds"]
        first.setdefault((name, form), seconds)
        if name.startswith("wikiextractor"):
            baseline[form, workers] = seconds
        texts[name] = text
        scaling = f"{first[name, form] / seconds / workers:.0%}" if workers > 1 else "-"
        kept = len(text.split()) / words_in
        row = f"{name:<30}{form:<13}{workers:>8}{seconds:>9.2f}{xml_mb / seconds:>10.2f}{articles / seconds:>12.1f}"
        ratio = baseline[form, workers] / seconds
        print(row + f"{scaling:>9}{residue(text):>18.3f}{kept:>12.1%}{ratio:>17.2f}x")
    start_up = best_of(a.repeats, time_start_up)[0]
    print(f"\nnorelmo's start-up (a fresh interpreter importing it, best of {a.repeats}): {start_up:.2f} s. Its runs")
    print("above, split into the work (extract_dump_shard, timed inside the process; with 2 workers the pool's start")
    print("and end included) and the rest, serial in every run (interpreter, imports, exit):")
    print(f"{'input':<13}{'workers':>8}{'seconds':>9}{'work':>8}{'rest':>8}")
    for (form, workers), (seconds, inside) in work.items():
        print(f"{form:<13}{workers:>8}{seconds:>9.3f}{inside:>8.3f}{seconds - inside:>8.3f}")
    # Two workers at best halve the 1-worker work and keep the 2-worker run's rest: t2 >= rest2 + work1 / 2.
    bounds = {}
    for form in ("bz2", "multistream"):
        (t1, work1), (t2, work2) = work[form, 1], work[form, 2]
        bounds[form] = t1 / (2 * (t2 - work2) + work1)
    print("With the work split perfectly between 2 workers the scaling from 1 to 2 workers could at most be")
    print("t1 / (2 rest2 + work1): " + ", ".join(f"{form} {bound:.0%}" for form, bound in bounds.items()) + ".")
    print("\nresidue per 1,000 output words, by pattern:")
    shown = {"norelmo": texts["norelmo"], "wikiextractor": texts["wikiextractor 3.1.0"]}
    print(f"{'pattern':<12}" + "".join(f"{n:>15}" for n in shown))
    for r in RESIDUE:
        print(f"{r!r:<12}" + "".join(f"{1000 * t.count(r) / max(len(t.split()), 1):>15.3f}" for t in shown.values()))
    print("\nreading alone (bz2 + XML, every page's title, namespace and text), best of 3, in one process:")
    for name, seconds in reading_alone(dump):
        print(f"{name:<30}{seconds:>9.2f} s{xml_mb / seconds:>10.2f} MB/s")
    sizes = []
    for times in (1, 8, 16):
        plain = dump if times == 1 else repeated_dump(dump, times, tmp / f"x{times}.xml.bz2")
        (tmp / f"x{times}").mkdir()
        sizes.append((f"excerpt x{times}", plain, None, times * xml_mb))
        sizes.append((f"excerpt x{times}", *multistream_copy(plain, tmp / f"x{times}"), times * xml_mb))
    sizes.sort(key=lambda size: size[2] is not None)  # plain dumps first
    print("\npeak memory (max RSS, MiB) of the reading process and of each worker, norelmo:")
    print(
        f"{'dump':<18}{'input':<13}{'XML MB':>8}{'workers':>8}{'reading process':>17}{'per worker':>12}{'seconds':>9}"
    )
    for label, path, idx, mb in sizes:
        one = 0.0
        for workers in (1, 2):
            seconds, _, _, stats = best_of(3, run_norelmo, path, workers, tmp, idx)
            one = one or seconds
            per_worker = f"{stats['rss_workers'] / 1024:.0f}" if workers > 1 else "-"
            form = "multistream" if idx else "bz2"
            row = f"{label:<18}{form:<13}{mb:>8.1f}{workers:>8}{stats['rss_self'] / 1024:>17.0f}{per_worker:>12}"
            scaling = f"{one / seconds / workers:.0%}" if workers > 1 else "-"
            print(row + f"{seconds:>9.2f}{scaling:>9}")


if __name__ == "__main__":
    main()
