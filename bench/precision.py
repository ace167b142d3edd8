"""train.precision: does bf16 train the same model as fp32? And does the XLA step, the GPUs' default, train the
same model as the CPUs' step? Held-out loss curves side by side, seeds for the noise.

    python bench/precision.py                          # tiny config, 400 steps, seeds 0 1 2, held-out every 50 steps
    python bench/precision.py --steps 600 --every 100 --plot precision.png
    python bench/precision.py --variants fp32 bf16 xla-fp32 xla-bf16

bench/train.py's tiny config (dropout 0.1, batch 32, the defaults otherwise) on UD Bokmål text from ../shared/data
(the bundled CoNLL-U without it); the first 100 sentences are held out, and every `--every` steps the model is
scored on them with this project's full-softmax evaluation (float32, as inference always is): held-out loss in
nats per token, the mean of both directions. Each precision trains from the same seeds; the spread over the seeds
is the noise the gap between the precisions is compared with. On CPUs bf16 needs AVX512-BF16 or AMX to be fast;
GPUs' tensor cores have it. The xla- variants train with train.xla: true, here on the CPU: the step that GPUs run
(character CNN as matmuls, both directions' LSTMs side by side, XLA's own random numbers for the dropout), in its
batch layout (all types at full width, row counts in buckets); XLA on CPUs takes bf16 operands into float32 products,
as tensor cores accumulate them. xla-fp32-wavefront: that step with the LSTM levels as a wavefront
(model.levels_as_wavefront; the same dropout masks, so it should follow xla-fp32 within float rounding).
Every variant is compared with the first.
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
VARIANTS = {  # name: (train.precision, train.xla, the LSTM levels as a wavefront)
    "fp32": ("fp32", False, False),
    "bf16": ("bf16", False, False),
    "xla-fp32": ("fp32", True, False),
    "xla-bf16": ("bf16", True, False),
    "xla-fp32-wavefront": ("fp32", True, True),
}


def one_run(variant: str, seed: int, steps: int, every: int) -> dict:
    from train import heldout_setup

    from norelmo.elmo.train import Trainer
    from norelmo.evaluate.perplexity import heldout_perplexity

    precision, xla, wavefront = VARIANTS[variant]
    run = heldout_setup("tiny", HELDOUT, seed=seed, precision=precision, xla=xla)
    m, train, types, heldout, batches = run.model, run.train, run.types, run.heldout, run.batches
    trainer = Trainer(m, train, len(run.vocab), run.tmp / "ckpt", xla=xla)
    trainer.model.levels_as_wavefront = wavefront
    curve, seconds = [], []
    for step in range(1, steps + 1):
        batch = next(batches)
        start = time.perf_counter()
        trainer.train_step(batch)
        seconds.append(time.perf_counter() - start)
        if step % every == 0:
            curve.append((step, math.log(heldout_perplexity(trainer.model, types, heldout)["mean"])))
    # The median step: the steps that trace a new batch shape (and compile it, with XLA) are a few outliers.
    return {"variant": variant, "seed": seed, "curve": curve,
            "tokens_per_s": train.batch_size * m.unroll_steps / statistics.median(seconds)}  # fmt: skip


def plot(runs: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    colors = {v: f"C{k}" for k, v in enumerate(dict.fromkeys(r["variant"] for r in runs))}
    for r in runs:
        steps, losses = zip(*r["curve"], strict=True)
        ax.plot(steps, losses, color=colors[r["variant"]], alpha=0.7,
                label=r["variant"] if r["seed"] == runs[0]["seed"] else None)  # fmt: skip
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
    ap.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=["fp32", "bf16"],
                    help="what to train (the first is the reference): " + " ".join(VARIANTS))  # fmt: skip
    ap.add_argument("--plot", type=Path, help="write the curves as a PNG here")
    ap.add_argument("--json", type=Path, help="write the runs here too")
    a = ap.parse_args()
    runs = [one_run(v, seed, a.steps, a.every) for v in a.variants for seed in a.seeds]
    by = {v: [r for r in runs if r["variant"] == v] for v in a.variants}
    ref, others = a.variants[0], a.variants[1:]
    print(f"\ntiny config, batch 32, {len(a.seeds)} seeds each; held-out loss (nats per token) of the first {HELDOUT} "
          f"sentences, mean ± sd over the seeds; gaps against {ref}, 'in' where within the seeds' spread")  # fmt: skip
    print("| step | " + " | ".join(a.variants) + "".join(f" | {v} - {ref}" for v in others) + " |")
    print("|---" * (1 + len(a.variants) + len(others)) + "|")
    within = {v: [] for v in others}
    for k, (step, _) in enumerate(by[ref][0]["curve"]):
        mean, sd = {}, {}
        for v in a.variants:
            values = [r["curve"][k][1] for r in by[v]]
            mean[v], sd[v] = statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0
        gaps = []
        for v in others:
            gap = mean[v] - mean[ref]
            within[v].append(abs(gap) <= max(sd[v], sd[ref]))
            gaps.append(f"{gap:+.4f} {'in' if within[v][-1] else 'out'}")
        print(
            f"| {step} | "
            + " | ".join(f"{mean[v]:.4f} ± {sd[v]:.4f}" for v in a.variants)
            + "".join(f" | {g}" for g in gaps)
            + " |"
        )
    for v in a.variants:
        print(f"{v}: {statistics.fmean(r['tokens_per_s'] for r in by[v]):,.0f} tokens/s (training steps only)")
    for v in others:
        print(
            f"verdict: {v} within the seeds' spread of {ref} at {sum(within[v])} of {len(within[v])} evaluation points"
        )
    if a.plot:
        plot(runs, a.plot)
    if a.json:
        a.json.write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
