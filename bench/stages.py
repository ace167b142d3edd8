"""Wall time, CPU time and peak memory of each workflow stage, from Snakemake's benchmark files.

    python bench/stages.py [results/sample]

Run it after `python3 tasks.py sample`. Shards of a stage are summed for CPU seconds and shown
both as the sum and the longest single job; the baseline column is each stage's share of the
summed job time.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

ORDER = ["download", "extract", "train_udpipe", "tokenize", "vocab", "train", "export"]


def main(results: Path) -> None:
    stages: dict[str, list[dict]] = defaultdict(list)
    for tsv in sorted((results / "benchmarks").glob("*/*.tsv")):
        with open(tsv) as fh:
            stages[tsv.parent.name] += list(csv.DictReader(fh, delimiter="\t"))
    if not stages:
        raise SystemExit(f"no benchmark files under {results}/benchmarks; run the workflow first")
    total = sum(float(r["s"]) for rows in stages.values() for r in rows)
    print(f"{'stage':<14}{'jobs':>5}{'sum wall s':>12}{'max job s':>11}{'cpu s':>9}{'peak RSS MiB':>14}{'share':>8}")
    for name in sorted(stages, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER)):
        rows = stages[name]
        wall = [float(r["s"]) for r in rows]
        cpu = sum(float(r.get("cpu_time", 0) or 0) for r in rows)
        rss = max(float(r["max_rss"]) if r["max_rss"] not in ("-", "") else 0.0 for r in rows)
        share = sum(wall) / total
        print(f"{name:<14}{len(rows):>5}{sum(wall):>12.2f}{max(wall):>11.2f}{cpu:>9.2f}{rss:>14.1f}{share:>8.1%}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "results/sample"))
