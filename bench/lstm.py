"""One LSTM level of training (both directions, forward and backward pass): the two directions one after the
other, as the trainer runs them on CPUs, against side by side in one batched recurrence, as it runs them
where XLA compiles the step (GPUs).

    python bench/lstm.py                     # tiny and NorELMo shapes, TensorFlow on this CPU
    python bench/lstm.py --configs full --xla

Shapes from bench/train.py's configs (window 20; tiny: batch 32, LSTM 256, projection 64; NorELMo: 192, 2048,
512), random inputs and weights, clips active; one tf.function computes both directions' outputs and the
gradients of every weight. Each row is the best of 3 timed passes; `--xla` compiles the functions with XLA
(on a CPU that says little about a GPU: there the side-by-side form halves the kernels of the recurrence).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SHAPES = {"tiny": (32, 20, 64, 256), "full": (192, 20, 512, 2048)}  # batch, steps, projection, LSTM
CALLS = {"tiny": 30, "full": 3}  # per timed pass


def level_function(b: int, t: int, p: int, d: int, side_by_side: bool, xla: bool):
    """A tf.function running both directions' layers of one level on time-major inputs, with gradients."""
    import numpy as np
    import tensorflow as tf

    from norelmo.elmo.lstm import projected_lstm

    rng = np.random.default_rng(0)

    def rand(*shape, scale=0.1):
        return tf.constant(rng.normal(0, scale, shape).astype(np.float32))

    weights = [[tf.Variable(rand(2 * p, 4 * d)), tf.Variable(rand(4 * d)), tf.Variable(rand(d, p))] for _ in "fb"]
    x = rand(t, 2, b, p, scale=1.0)  # (T, direction, B, P)
    zeros = [tf.zeros([b, d]), tf.zeros([b, p])]

    @tf.function(jit_compile=xla)
    def level():
        with tf.GradientTape() as tape:
            if side_by_side:
                stacked = [tf.stack(pair) for pair in zip(*weights, strict=True)]
                out = projected_lstm(x, *stacked, *(tf.stack([z, z]) for z in zeros), 3.0, 3.0)[0]
            else:
                outs = [projected_lstm(x[:, k], *weights[k], *zeros, 3.0, 3.0)[0] for k in range(2)]
                out = tf.stack(outs, axis=1)
            loss = tf.reduce_sum(out * out)
        return loss, tape.gradient(loss, [v for w in weights for v in w])

    return level


def time_level(config: str, side_by_side: bool, xla: bool) -> float:
    """Best of 3 passes, in ms per call."""
    level = level_function(*SHAPES[config], side_by_side, xla)
    float(level()[0])  # trace, compile, warm up
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(CALLS[config]):
            loss, _ = level()
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
    print(
        f"| config | directions | ms per level (forward + backward){' XLA' if a.xla else ''} | vs one after the other |"
    )
    print("|---|---|---|---|")
    for config in a.configs.split(","):
        alone = time_level(config, False, a.xla)
        both = time_level(config, True, a.xla)
        print(f"| {config} | one after the other | {alone:.2f} | 1.00x |")
        print(f"| {config} | side by side (batched) | {both:.2f} | {alone / both:.2f}x |")


if __name__ == "__main__":
    main()
