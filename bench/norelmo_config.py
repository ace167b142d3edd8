"""The NorELMo configuration itself on a finished run's corpus, for a bounded number of steps: what a user plans by.

    python bench/norelmo_config.py                                  # results/rehearsal-norec, 200 steps
    python bench/norelmo_config.py --run results/rehearsal-norec --steps 200 --heldout-sentences 10000

Trains the schema's defaults (NorELMo: char CNN of 2,048 filters, two highway layers, LSTM 2048 with projection
512, 8,192 negatives, batch 192) on the run's token shards and 100,000-word vocabulary with the real commands a
user runs, each in its own process, on this machine's CPU (train.gpus 0):
`norelmo train` for --steps batches (its stats file says steps x batch x unroll tokens, one epoch), `norelmo
export` of the checkpoint it wrote, and `norelmo perplexity` on the first --heldout-sentences sentences of the
first token shard, which is the pass the trainer makes after every epoch (train.heldout_sentences, default
10,000). Prints wall time, peak RSS (of the process; batch_processes is 0), the trainer's measured tokens/s, and
the sizes of what each writes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


# Runs a command and prints its peak RSS in KiB: the wrapper's only child, so the figure is the command's own.
PEAK = (
    "import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(rc)"
)


def timed(cmd: list[str], log: Path) -> tuple[float, float, str]:
    """(wall s, peak RSS GiB, stdout) of a command run to completion; its stderr goes to `log`."""
    start = time.perf_counter()
    with open(log, "w") as err:
        proc = subprocess.run([sys.executable, "-c", PEAK, *cmd], stdout=subprocess.PIPE, stderr=err, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:2])} failed ({proc.returncode}); its output: {log}")
    peak_kib = int(log.read_text().strip().splitlines()[-1])
    return wall, peak_kib / 2**20, proc.stdout


def size_mb(paths) -> float:
    return sum(p.stat().st_size for p in paths if p.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, default=ROOT / "results" / "rehearsal-norec", help="a finished run's results")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--heldout-sentences", type=int, default=10000)
    ap.add_argument("--keep", type=Path, help="keep the checkpoints, logs and model here")
    a = ap.parse_args()
    shards = sorted(a.run.glob("tokens/*/shard-*.txt"))
    if not shards or not (a.run / "vocab" / "vocab.txt").exists():
        raise SystemExit(f"{a.run} has no token shards or vocabulary: run its workflow first")
    work = Path(a.keep or tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    batch, unroll = 192, 20  # the schema's defaults, which this config keeps
    config = work / "norelmo.yaml"
    train = {"epochs": 1, "gpus": 0, "checkpoint_every": a.steps, "log_every": 50, "heldout_sentences": 0}
    config.write_text(yaml.safe_dump({"model": {}, "train": train}))
    stats = work / "stats.json"
    stats.write_text(json.dumps({"n_train_tokens": a.steps * batch * unroll}))
    vocab = a.run / "vocab" / "vocab.txt"
    common = ["--config", str(config), "--vocab", str(vocab), "--stats", str(stats)]
    common += ["--checkpoints", str(work / "ckpt")]
    norelmo = str(BIN / "norelmo")

    rows = []
    cmd = [norelmo, "train", *common, "--types", str(a.run / "vocab" / "vocab.tsv"), "--logs", str(work / "logs")]
    wall, rss, _ = timed([*cmd, *map(str, shards)], work / "train.log")
    measured = json.loads((work / "logs" / "train.json").read_text()).get("measured_tokens_per_s", 0)
    ckpt = sorted((work / "ckpt").glob("ckpt-*.index"))[-1]
    writes = f"{size_mb(ckpt.parent.glob(ckpt.stem + '.*')):,.0f} MB checkpoint"
    rate = f"{measured:,.0f} tokens/s measured by the trainer, {a.steps * batch * unroll / wall:,.0f} over the job"
    rows.append(("train", wall, rss, writes, rate))

    model, archive = work / "model", work / "model.zip"
    wall, rss, _ = timed([norelmo, "export", *common, "--out", str(model), "--zip", str(archive)], work / "export.log")
    writes = f"model.hdf5 {size_mb([model / 'model.hdf5']):,.0f} MB, zip {size_mb([archive]):,.0f} MB"
    rows.append(("export", wall, rss, writes, ""))

    cmd = [norelmo, "perplexity", str(model), str(shards[0]), "--vocab", str(vocab)]
    wall, rss, out = timed([*cmd, "--sentences", str(a.heldout_sentences)], work / "perplexity.log")
    scored = json.loads(out)
    rate = f"{scored['tokens']:,} tokens, {2 * scored['tokens'] / wall:,.0f} scored tokens/s (both directions)"
    rows.append((f"held-out pass ({scored['sentences']:,} sentences)", wall, rss, "", rate))

    entries = len(vocab.read_text(encoding="utf-8").splitlines())
    print(f"NorELMo config, {a.steps} steps of batch {batch} on {a.run} ({entries:,} vocabulary entries), this CPU")
    print("| stage | wall s | peak RSS GiB | writes | rate |\n|---|---|---|---|---|")
    for name, wall, rss, writes, rate in rows:
        print(f"| {name} | {wall:,.1f} | {rss:.2f} | {writes} | {rate} |")
    if not a.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
