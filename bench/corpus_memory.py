"""Peak memory of every corpus stage as the corpus grows: NoReC's training reviews once, twice and four times.

    python bench/corpus_memory.py                      # ../shared/data/norec/norec-train.txt x1, x2, x4
    python bench/corpus_memory.py --sizes 1,2 --model results/rehearsal-norec/udpipe/trained.udpipe

Each size is a real Snakemake run (`--cores 2`) of the workflow's corpus stages (extract, tokenize,
count_tokens, vocab) on the file repeated that many times, with the same 8 shards, so every job's input
grows with the corpus. The UDPipe model is the NoReC rehearsal's (config/rehearsal/norec.yaml), given as
`udpipe.model`, so no size trains its own. Peak RSS is Snakemake's benchmark figure (the job's whole
process tree, its UDPipe workers included), the largest over a stage's jobs; flat means the 4x column
equals the 1x column, not 4 times it. The runs go to results/bench-memory-x{N}/ and are removed after,
unless --keep.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NOREC = ROOT.parent / "shared" / "data" / "norec" / "norec-train.txt"
MODEL = ROOT / "results" / "rehearsal-norec" / "udpipe" / "trained.udpipe"
STAGES = ["extract", "tokenize", "count_tokens", "vocab"]


def repeated(source: Path, times: int, out: Path) -> Path:
    """`source` written `times` times over into `out`, documents kept apart by a blank line."""
    with open(out, "wb") as dst:
        for _ in range(times):
            with open(source, "rb") as src:
                shutil.copyfileobj(src, dst, 1 << 24)
            dst.write(b"\n")
    return out


def run_size(source: Path, times: int, model: Path, tmp: Path) -> dict[str, list[tuple[float, float]]]:
    """(wall s, peak RSS MiB) of every job, by stage, for the corpus repeated `times` times."""
    run = f"bench-memory-x{times}"
    corpus = repeated(source, times, tmp / f"corpus-x{times}.txt")
    config = {
        "run": run,
        "corpora": [{"name": "norec", "text": str(corpus)}],
        "shards": 8,
        "udpipe": {"model": str(model)},
        "vocab": {"size": 100000},
    }
    cfg = tmp / f"{run}.yaml"
    cfg.write_text(yaml.safe_dump(config))
    target = f"results/{run}/vocab/stats.json"
    cmd = [sys.executable, "-m", "snakemake", target, "--cores", "2", "--configfile", str(cfg), "--quiet", "rules"]
    subprocess.run(cmd, cwd=ROOT, check=True)
    jobs: dict[str, list[tuple[float, float]]] = {}
    for stage in STAGES:
        rows = []
        for tsv in sorted((ROOT / "results" / run / "benchmarks" / stage).glob("*.tsv")):
            with open(tsv) as fh:
                rows += [(float(r["s"]), float(r["max_rss"])) for r in csv.DictReader(fh, delimiter="\t")]
        jobs[stage] = rows
    corpus.unlink()
    return jobs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,2,4", help="how many times the corpus is repeated, per run")
    ap.add_argument("--model", type=Path, default=MODEL, help="the UDPipe model every size tokenizes with")
    ap.add_argument("--keep", action="store_true", help="keep results/bench-memory-x*/")
    ap.add_argument("--corpus", type=Path, default=NOREC, help="the text to repeat (default: NoReC's training reviews)")
    args = ap.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus} is missing: this bench reads NoReC from ../shared/data, or give --corpus")
    if not args.model.exists():
        raise SystemExit(f"{args.model} is missing: run config/rehearsal/norec.yaml first, or pass --model")
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in sizes:
            results[k] = run_size(args.corpus, k, args.model.resolve(), Path(tmp))
            if not args.keep:
                shutil.rmtree(ROOT / "results" / f"bench-memory-x{k}")
    mb = args.corpus.stat().st_size / 1e6
    print(f"{args.corpus.name} ({mb:,.1f} MB) repeated {', '.join(f'{k}x' for k in sizes)}; 8 shards, 2 cores")
    head = ["stage"] + [f"peak RSS MiB {k}x" for k in sizes] + [f"longest job s {k}x" for k in sizes]
    print("| " + " | ".join(head) + f" | RSS {sizes[-1]}x / {sizes[0]}x |\n|" + "---|" * (len(head) + 1))
    for stage in STAGES:
        rss = [max(r for _, r in results[k][stage]) for k in sizes]
        wall = [max(s for s, _ in results[k][stage]) for k in sizes]
        cells = [stage, *(f"{r:,.0f}" for r in rss), *(f"{s:,.1f}" for s in wall), f"{rss[-1] / rss[0]:.2f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
