"""Vocabulary counting: peak memory as the corpus grows, against counting a corpus read whole.

    python bench/vocab.py

Corpora are the UD Bokmål dev+test text (../shared/data) repeated 1, 8 and 64 times (types fixed,
tokens growing), and the same with every token made unique per repetition (types growing with
tokens). Each measurement runs in its own process; peak RSS is reported above the interpreter's
own start-up RSS. The baseline, measured in the same run, is the common one-liner that reads the
whole corpus and counts `text.split()` with collections.Counter.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UD = ROOT.parent / "shared" / "data" / "ud-no-bokmaal"


def sentences() -> list[str]:
    out = []
    for path in sorted(UD.glob("*.conllu")):
        out += [
            line[len("# text = ") :]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# text = ")
        ]
    return out


def write_corpus(path: Path, repeat: int, new_types: bool) -> None:
    base = sentences()
    with open(path, "w", encoding="utf-8") as fh:
        for r in range(repeat):
            for s in base:
                fh.write((" ".join(f"{t}_{r}" for t in s.split()) if new_types and r else s) + "\n")


def worker(kind: str, corpus: Path, out: Path) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    import matplotlib.pyplot  # noqa: F401 - imported before the baseline RSS: the plot's library is not data

    from norelmo.text.vocab import build_vocabulary, count_tokens, write_counts

    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if kind == "norelmo":
        write_counts(*count_tokens([corpus]), out / "counts.tsv")
        stats = build_vocabulary([out / "counts.tsv"], 30000, out)
        tokens, types = stats["tokens"], stats["types"]
    else:
        from collections import Counter

        counts = Counter(corpus.read_text(encoding="utf-8").split())
        tokens, types = sum(counts.values()), len(counts)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss
    return {"tokens": tokens, "types": types, "seconds": elapsed, "peak_mib": peak / 1024}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
        return
    tmp = Path(tempfile.mkdtemp())
    head = f"{'corpus':<22}{'MB':>7}{'tokens':>10}{'types':>9}{'norelmo MiB':>13}{'tok/s':>10}"
    print(head + f"{'read-whole MiB':>16}{'ratio':>7}")
    for new_types in (False, True):
        for repeat in (1, 8, 64):
            corpus = tmp / f"c{repeat}{new_types}.txt"
            write_corpus(corpus, repeat, new_types)
            rows = {}
            for kind in ("norelmo", "baseline"):
                cmd = [sys.executable, __file__, "--worker", kind, str(corpus), str(tmp)]
                rows[kind] = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            n, b = rows["norelmo"], rows["baseline"]
            name = f"x{repeat} " + ("new types" if new_types else "same types")
            mb = corpus.stat().st_size / 1e6
            ratio = n["peak_mib"] / max(b["peak_mib"], 0.1)
            row = f"{name:<22}{mb:>7.1f}{n['tokens']:>10}{n['types']:>9}{n['peak_mib']:>13.1f}"
            print(row + f"{n['tokens'] / n['seconds']:>10.0f}{b['peak_mib']:>16.1f}{ratio:>7.2f}")


if __name__ == "__main__":
    main()
