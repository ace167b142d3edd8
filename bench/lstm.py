"""The trainer's LSTMs (BidirectionalLM.window_lstms: both directions, every layer, forward and backward pass)
with the directions one after the other, as the trainer runs them on CPUs, against side by side in one
batched recurrence, as it runs them where XLA compiles the step (GPUs).

    python bench/lstm.py                     # tiny and NorELMo configs, TensorFlow on this CPU
    python bench/lstm.py --configs full --xla

bench/train.py's configs (window 20; tiny: batch 32, LSTM 256, projection 64; NorELMo: 192, 2048, 512) with
their dropout, the model's starting weights, random token vectors; one tf.function computes the top outputs
and the gradients of every LSTM weight. Each row is the best of 3 timed passes; `--xla` compiles it with XLA
(on a CPU that says little about a GPU: there the side-by-side form halves the kernels of the recurrence).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

CALLS = {"tiny": 30, "full": 3}  # per timed pass


def lstms_function(config: str, side_by_side: bool, xla: bool):
    """A tf.function running the model's window_lstms over one batch's windows, with the LSTM weights' gradients."""
    import tensorflow as tf
    from train import run_config

    from norelmo.elmo.model import BidirectionalLM, dropout_scales

    cfg, rows = run_config(config).model, run_config(config).train.batch_size
    model = BidirectionalLM.initialized(cfg, vocab_size=None, seed=0)
    model.directions_side_by_side = side_by_side
    steps, p, layers = cfg.unroll_steps, cfg.lstm.projection_dim, cfg.lstm.n_layers
    xs = tf.unstack(tf.random.stateless_normal([2, steps, rows, p], [1, 2]))
    states = model.zero_states(rows)
    dropout = dropout_scales(cfg.dropout, tf.constant([3, 4], tf.int64), [2, layers, steps], (0, rows), [rows, p])
    variables = [v for name, v in model.weights.items() if name.startswith("RNN_")]

    @tf.function(jit_compile=xla)
    def lstms():
        with tf.GradientTape() as tape:
            tops, _ = model.window_lstms(xs, states, dropout)
            loss = sum(tf.reduce_sum(top * top) for top in tops)
        return loss, tape.gradient(loss, variables)

    return lstms


def time_lstms(config: str, side_by_side: bool, xla: bool) -> float:
    """Best of 3 passes, in ms per call."""
    lstms = lstms_function(config, side_by_side, xla)
    float(lstms()[0])  # trace, compile, warm up
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(CALLS[config]):
            loss, _ = lstms()
        float(loss)
        best = min(best, (time.perf_counter() - start) / CALLS[config])
    return best * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", default="tiny,full")
    ap.add_argument("--xla", action="store_true", help="compile with XLA (jit_compile=True)")
    a = ap.parse_args()
    from norelmo.elmo.cluster import size_cpu_thread_pools

    size_cpu_thread_pools()
    xla = " XLA" if a.xla else ""
    print(f"| config | directions | ms per call (forward + backward){xla} | vs one after the other |")
    print("|---|---|---|---|")
    for config in a.configs.split(","):
        alone = time_lstms(config, False, a.xla)
        both = time_lstms(config, True, a.xla)
        print(f"| {config} | one after the other | {alone:.2f} | 1.00x |")
        print(f"| {config} | side by side (batched) | {both:.2f} | {alone / both:.2f}x |")


if __name__ == "__main__":
    main()
