"""Each workflow stage of a finished run: time, memory, sizes and rates, and what they predict at scale.

    python bench/stages.py                                   # the bundled sample (results/sample)
    python bench/stages.py config/rehearsal/norec.yaml       # a run by its config file
    python bench/stages.py results/rehearsal-norec           # or by its results folder

The first table is measured: Snakemake's benchmark file of every job (wall time, CPU time, peak RSS of the
job's process tree), the sizes of the stage's inputs and outputs on disk, and a rate per CPU core (the
stages run as parallel shard jobs, so per core is what carries to another machine). Shards of a stage are
summed for wall and CPU seconds; "longest" is the slowest single job.

The second table extrapolates the corpus stages to Bokmål Wikipedia (160 M words) and the NorBERT corpus
(about 1.9 billion) on a 16-core node with one GPU. The corpus stages scale by this run's per-core rates
over 16 cores, except extraction of Wikipedia's dumps, which runs at the dump rate bench/extract.py
measured (its text is parsed wikitext, not plain text as here). Training and the held-out pass use the
NorELMo config's rate on one H200 measured elsewhere (docs/performance.md, the GPU check), not this run's model.
Sources of every extrapolated figure are printed under the table.
"""

from __future__ import annotations

import csv
import glob
import json
import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# Measured elsewhere, named where they were measured.
GPU_TRAIN_TOKENS_PER_S = 317_900  # NorELMo config, fp32, compiled step on one H200 (docs/performance.md, the GPU check)
GPU_HELDOUT_S = 1.0  # 10,000 held-out sentences at 100,000 words on an H200, estimated (bench/heldout.py)
DUMP_MB_PER_CORE_S = 11.0  # bz2 XML through extraction per core (docs/performance.md, extraction; bench/extract.py)
WIKI_XML_MB_PER_MWORD = 28.0  # nowiki: about 4.5 GB of XML for 160 M words (earlier estimate, docs/performance.md)
NODE_CORES = 16
TARGETS = {  # name: (words from Wikipedia dumps, words from plain text)
    "Bokmål Wikipedia": (160e6, 0.0),
    "NorBERT corpus": (200e6, 1.7e9),  # Bokmål + Nynorsk Wikipedia and the Norwegian Newspaper Corpus
}
ORDER = ["download", "extract", "train_udpipe", "tokenize", "count_tokens", "vocab", "train", "export", "evaluate"]


@dataclass
class Job:
    wall: float
    cpu: float
    rss_mib: float


def read_jobs(results: Path) -> dict[str, list[Job]]:
    """Benchmark rows by stage; the evaluation's rules count as stages of their own (evaluate/pos ...)."""
    stages: dict[str, list[Job]] = defaultdict(list)
    for tsv in sorted((results / "benchmarks").glob("*/*.tsv")):
        name = tsv.parent.name if tsv.parent.name != "evaluate" else f"evaluate/{tsv.stem}"
        with open(tsv) as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                rss = float(row["max_rss"]) if row["max_rss"] not in ("-", "", "NA") else 0.0
                stages[name].append(Job(float(row["s"]), float(row.get("cpu_time") or 0), rss))
    return stages


def size(paths) -> int:
    return sum(Path(p).stat().st_size for p in paths if Path(p).is_file())


def shard_stats(results: Path, folder: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((results / folder).glob("*/shard-*.json"))]


def corpus_sources(config: dict | None) -> list[Path]:
    if config is None:
        return []
    out = []
    for corpus in config["corpora"]:
        for key in ("dump", "index"):
            if key in corpus and not str(corpus[key]).startswith("http"):
                out.append(ROOT / corpus[key])
        if "text" in corpus:
            pattern = corpus["text"] if Path(corpus["text"]).is_absolute() else str(ROOT / corpus["text"])
            out += [Path(p) for p in sorted(glob.glob(pattern, recursive=True))]
    return out


def measured(results: Path, config: dict | None) -> tuple[list[dict], dict]:
    """Rows of the measured table, and the run's totals the extrapolation reads."""
    jobs = read_jobs(results)
    if not jobs:
        raise SystemExit(f"no benchmark files under {results}/benchmarks; run the workflow first")
    text = shard_stats(results, "text")
    tokens = shard_stats(results, "tokens")
    words = sum(s["tokens"] for s in tokens)
    pages = sum(s.get("pages_seen", 0) for s in text)
    train_json = results / "train" / "train.json"
    train = json.loads(train_json.read_text()) if train_json.exists() else {}
    ckpts = sorted((results / "checkpoints").glob("ckpt-*.index"), key=lambda p: int(p.stem.split("-")[1]))
    newest_ckpt = [*ckpts[-1].parent.glob(ckpts[-1].stem + ".*")] if ckpts else []
    perplexity = results / "eval" / "perplexity.json"
    heldout_tokens = json.loads(perplexity.read_text())["tokens"] if perplexity.exists() else 0
    sources = corpus_sources(config)
    io = {
        "extract": (sources, [*results.glob("text/*/shard-*")], pages or words, "pages" if pages else "words"),
        "train_udpipe": ([], [*results.glob("udpipe/*.udpipe")], 0, ""),
        "tokenize": ([*results.glob("text/*/shard-*.txt")], [*results.glob("tokens/*/shard-*")], words, "words"),
        "count_tokens": ([*results.glob("tokens/*/shard-*.txt")], [*results.glob("counts/*/*.tsv")], words, "words"),
        "vocab": ([*results.glob("counts/*/*.tsv")], [*results.glob("vocab/*")], words, "words"),
        "train": ([*results.glob("tokens/*/shard-*.txt")], newest_ckpt, 0, "tokens"),
        "export": (newest_ckpt, [*results.glob("model/*"), results / "model.zip"], 0, ""),
        "evaluate/perplexity": ([], [], heldout_tokens, "tokens"),
    }
    rows = []
    for name in sorted(jobs, key=lambda n: (ORDER.index(n.split("/")[0]) if n.split("/")[0] in ORDER else 99, n)):
        js = jobs[name]
        ins, outs, units, unit = io.get(name, ([], [], 0, ""))
        cpu = sum(j.cpu for j in js)
        if name == "train" and train.get("measured_tokens_per_s"):
            rate = f"{train['measured_tokens_per_s']:,.0f} tokens/s (whole job)"
        elif units and cpu > 0:
            rate = f"{units / cpu:,.0f} {unit}/core-s"
        else:
            rate = ""
        rows.append({
            "stage": name, "jobs": len(js), "wall_s": sum(j.wall for j in js), "longest_s": max(j.wall for j in js),
            "cpu_s": cpu, "peak_rss_mib": max(j.rss_mib for j in js), "in_mb": size(ins) / 1e6 if ins else None,
            "out_mb": size(outs) / 1e6 if outs else None, "rate": rate,
            "per_core": units / cpu if units and cpu > 0 else None,
        })  # fmt: skip
    totals = {"words": words, "characters": sum(s.get("characters", 0) for s in text), "train": train}
    return rows, totals


def extrapolated(rows: list[dict], totals: dict) -> list[tuple[str, list[str], str]]:
    """(stage, time per target, where the rate comes from) on a 16-core node with one GPU."""
    by = {r["stage"]: r for r in rows}
    words = totals["words"]
    text_words_per_core_s = words / by["extract"]["cpu_s"] if "extract" in by and by["extract"]["cpu_s"] else None

    def hours(seconds: float) -> str:
        return f"{seconds / 3600:.2f} h" if seconds >= 360 else f"{seconds / 60:.1f} min"

    out = []
    times = []
    for wiki_words, text_words in TARGETS.values():
        wiki_s = wiki_words / 1e6 * WIKI_XML_MB_PER_MWORD / DUMP_MB_PER_CORE_S / NODE_CORES
        text_s = text_words / text_words_per_core_s / NODE_CORES if text_words and text_words_per_core_s else 0.0
        times.append(hours(wiki_s + text_s))
    out.append(("extract", times, f"dumps {DUMP_MB_PER_CORE_S:g} MB XML/core-s (bench/extract.py); text: this run"))
    sizes = [sum(t) for t in TARGETS.values()]
    for stage in ("tokenize", "count_tokens"):
        if by.get(stage, {}).get("per_core"):
            rate = by[stage]["per_core"]
            out.append((stage, [hours(n / rate / NODE_CORES) for n in sizes], "this run, per core x 16"))
    if "vocab" in by:
        # One job reading every shard's counts: its work grows with the types more than the tokens, so
        # linear in the tokens is an upper bound.
        vocab_times = [hours(by["vocab"]["wall_s"] * n / words) for n in sizes]
        out.append(("vocab", vocab_times, "this run's one job, linear in tokens (an upper bound)"))
    epochs = 3
    gpu = f"NorELMo config, 3 epochs at {GPU_TRAIN_TOKENS_PER_S:,} tokens/s (one H200, measured elsewhere)"
    out.append(("train", [hours(epochs * n / GPU_TRAIN_TOKENS_PER_S) for n in sizes], gpu))
    heldout = [f"{epochs * GPU_HELDOUT_S:.0f} s" for _ in sizes]
    out.append(("held-out pass", heldout, "10,000 sentences per epoch, estimated for an H200 (bench/heldout.py)"))
    return out


def fmt(v, spec=",.1f") -> str:
    return "" if v is None else format(v, spec)


def main(arg: str) -> None:
    path = Path(arg)
    config = None
    if path.suffix in (".yaml", ".yml"):
        config = yaml.safe_load(path.read_text())
        results = ROOT / "results" / config["run"]
    else:
        results = path
    rows, totals = measured(results, config)
    print(f"{results}: {totals['words']:,} words tokenized")
    head = ["stage", "jobs", "wall s", "longest s", "CPU s", "peak RSS MiB", "in MB", "out MB", "rate"]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for r in rows:
        cells = [r["stage"], str(r["jobs"]), fmt(r["wall_s"]), fmt(r["longest_s"]), fmt(r["cpu_s"]),
                 fmt(r["peak_rss_mib"], ",.0f"), fmt(r["in_mb"]), fmt(r["out_mb"]), r["rate"]]  # fmt: skip
        print("| " + " | ".join(cells) + " |")
    if math.isclose(totals["words"], 0):
        return
    print(f"\nExtrapolated to a {NODE_CORES}-core node with one GPU:")
    names = list(TARGETS)
    print("| stage | " + " | ".join(f"{n} ({sum(TARGETS[n]) / 1e6:,.0f} M words)" for n in names) + " | rate from |")
    print("|---|" + "---|" * len(names) + "---|")
    for stage, times, source in extrapolated(rows, totals):
        print(f"| {stage} | " + " | ".join(times) + f" | {source} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "results" / "sample"))
