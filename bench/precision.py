"""train.precision: does bf16 train the same model as fp32? Held-out loss curves side by side, seeds for the noise.

    python bench/precision.py                          # tiny config, 400 steps, seeds 0 1 2, held-out every 50 steps
    python bench/precision.py --steps 600 --every 100 --plot precision.png

bench/train.py's tiny config (dropout 0.1, batch 32, the defaults otherwise) on UD Bokmål text from ../shared/data
(the bundled CoNLL-U without it); the first 100 sentences are held out, and every `--every` steps the model is
scored on them with this project's full-softmax evaluation (float32, as inference always is): held-out loss in
nats per token, the mean of both directions. Each precision trains from the same seeds; the spread over the seeds
is the noise the gap between the precisions is compared with. On CPUs bf16 needs AVX512-BF16 or AMX to be fast;
GPUs' tensor cores have it.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

HELDOUT = 100


def one_run(precision: str, seed: int, steps: int, every: int) -> dict:
    from train import heldout_setup

    from norelmo.elmo.train import Trainer
    from norelmo.evaluate.perplexity import heldout_perplexity

    run = heldout_setup("tiny", HELDOUT, seed=seed, precision=precision)
    m, train, types, heldout, batches = run.model, run.train, run.types, run.heldout, run.batches
    trainer = Trainer(m, train, len(run.vocab), run.tmp / "ckpt")
    curve, seconds = [], 0.0
    for step in range(1, steps + 1):
        batch = next(batches)
        start = time.perf_counter()
        trainer.train_step(batch)
        seconds += time.perf_counter() - start
        if step % every == 0:
            curve.append((step, math.log(heldout_perplexity(trainer.model, types, heldout)["mean"])))
    return {"precision": precision, "seed": seed, "curve": curve,
            "tokens_per_s": steps * train.batch_size * m.unroll_steps / seconds}  # fmt: skip


def plot(runs: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for r in runs:
        steps, losses = zip(*r["curve"], strict=True)
        ax.plot(steps, losses, color="C0" if r["precision"] == "fp32" else "C3", alpha=0.7,
                label=r["precision"] if r["seed"] == runs[0]["seed"] else None)  # fmt: skip
    ax.set_xlabel("training step")
    ax.set_ylabel("held-out loss (nats per token, full softmax)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--every", type=int, default=50)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--plot", type=Path, help="write the curves as a PNG here")
    ap.add_argument("--json", type=Path, help="write the runs here too")
    a = ap.parse_args()
    runs = [one_run(p, seed, a.steps, a.every) for p in ("fp32", "bf16") for seed in a.seeds]
    by = {p: [r for r in runs if r["precision"] == p] for p in ("fp32", "bf16")}
    print(f"\ntiny config, batch 32, {len(a.seeds)} seeds each; held-out loss (nats per token) of the first {HELDOUT} "
          "sentences, mean ± sd over the seeds")  # fmt: skip
    print("| step | fp32 | bf16 | bf16 - fp32 | within the seeds' spread |")
    print("|---|---|---|---|---|")
    within = []
    for k, (step, _) in enumerate(by["fp32"][0]["curve"]):
        cells, means, sds = [], [], []
        for p in ("fp32", "bf16"):
            values = [r["curve"][k][1] for r in by[p]]
            means.append(statistics.fmean(values))
            sds.append(statistics.stdev(values) if len(values) > 1 else 0.0)
            cells.append(f"{means[-1]:.4f} ± {sds[-1]:.4f}")
        gap = means[1] - means[0]
        within.append(abs(gap) <= max(sds))
        print(f"| {step} | {cells[0]} | {cells[1]} | {gap:+.4f} | {'yes' if within[-1] else 'no'} |")
    for p in ("fp32", "bf16"):
        print(f"{p}: {statistics.fmean(r['tokens_per_s'] for r in by[p]):,.0f} tokens/s (training steps only)")
    print(f"verdict: bf16 within the seeds' spread at {sum(within)} of {len(within)} evaluation points")
    if a.plot:
        plot(runs, a.plot)
    if a.json:
        a.json.write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
