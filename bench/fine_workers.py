"""Seeds of the fine-grained parser one after another against side by side in worker processes
(evaluate.fine_workers), on NoReC_fine.

    python bench/fine_workers.py [--model DIR|none] [--epochs 2] [--seeds 2]

Runs the task (`evaluate_fine`) twice on the same data: `--seeds` seeds in this process one after another, then
the same seeds in that many spawned processes at once. Printed per layout: the parser's wall minutes (features
excluded), the mean seconds per epoch and seed, seeds of 100 epochs per hour at that rate, and the ratio to the
first layout; and each seed's figure in both layouts, which must agree (a seed's parser does not depend on where it
trains). `--model none` (the default) runs the parser without ELMo, whose cost per epoch is the ELMo parser's less
the linear map.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
FINE = ROOT.parent / "shared" / "data" / "norec-fine"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="none", help="a model directory, or `none`")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--seeds", type=int, default=2)
    a = ap.parse_args()
    from norelmo.evaluate.fine import evaluate_fine

    model = None if a.model == "none" else Path(a.model)
    files = tuple(FINE / f"{split}.json" for split in ("train", "dev", "test"))
    results = {}
    for workers in (1, a.seeds):
        start = time.perf_counter()
        result, _ = evaluate_fine(model, *files, epochs=a.epochs, seeds=a.seeds, workers=workers)
        results[workers] = (result, time.perf_counter() - start - 60 * result["features_minutes"])
    print(f"{a.seeds} seeds of {a.epochs} epochs on NoReC_fine, model {a.model}\n")
    print("| seeds trained | workers | parser wall min | s/epoch per seed | 100-epoch seeds per hour | speed-up |")
    print("|---|---|---|---|---|---|")
    base = results[1][1]
    for workers, (result, seconds) in results.items():
        epoch_s = sum(r["epoch_seconds"] for r in result["runs"]) / len(result["runs"])
        label = "one after another" if workers == 1 else "side by side"
        print(
            f"| {label} | {workers} | {seconds / 60:.1f} | {epoch_s:.1f} | "
            f"{3600 * a.seeds / seconds * a.epochs / 100:.2f} | {base / seconds:.2f}x |"
        )
    print("\n| seed | SF1 one after another | SF1 side by side |\n|---|---|---|")
    for r1, r2 in zip(results[1][0]["runs"], results[a.seeds][0]["runs"], strict=True):
        print(f"| {r1['seed']} | {100 * r1['f1']:.2f} | {100 * r2['f1']:.2f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"\npeak RSS: this process {peak:.2f} GiB, the largest worker {children:.2f} GiB")


if __name__ == "__main__":
    main()
