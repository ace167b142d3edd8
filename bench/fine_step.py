"""Why the fine-grained parser's epoch costs what it does on CPU cores: one training step of the NorLM-sized parser
on a batch of fixed shape, under 1 and 2 threads and compiled with XLA, beside the BiLSTM's recurrent product alone.

    python bench/fine_step.py [--tokens 25] [--steps 20]

The batch is NoReC_fine-like: 50 sentences of up to `--tokens` tokens, 400 distinct forms of up to 16 characters,
256-d ELMo vectors (the NoReC rehearsal's width), gold labels drawn at random (the cost does not depend on them).
Each variant runs in its own process (TensorFlow fixes its thread pools at start). Printed: milliseconds per step
after warm-up, tokens per second, the first step (tracing, and XLA's compilation for this one shape), and the
BiLSTM's arithmetic rate over the whole step. Then the recurrent product of one step of one layer, both
directions as one batched product ((2, 50, 200) by (2, 200, 800)), 50 of them chained in one graph, under 1 and 2
threads: the loop's products are too small to split across cores, so a second core helps only the other work.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def configure_threads(threads: int):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    return tf


def step_timing(threads: int, xla: bool, tokens: int, steps: int) -> dict:
    tf = configure_threads(threads)
    import numpy as np

    from norelmo.evaluate.fine import NORLM_PARSER
    from norelmo.evaluate.graph_inputs import Batch
    from norelmo.evaluate.graph_parser import N_CLASSES, ParserTrainer, build_parser

    rng = np.random.default_rng(0)
    batch_size, forms, chars, elmo = 50, 400, 16, 256
    lengths = rng.integers(tokens - 3, tokens + 1, batch_size).astype(np.int32)
    lengths[0] = tokens
    gold = rng.integers(0, N_CLASSES, (batch_size, tokens + 1, tokens + 1)) * (
        rng.random((batch_size, tokens + 1, tokens + 1)) < 0.05
    )
    batch = Batch(
        np.arange(batch_size),
        rng.integers(2, 5000, (batch_size, tokens)).astype(np.int32),
        rng.integers(2, 90, (forms, chars)).astype(np.int32),
        rng.integers(0, forms, (batch_size, tokens)).astype(np.int32),
        lengths,
        rng.standard_normal((batch_size, tokens, elmo)).astype(np.float32),
        gold.astype(np.int32),
    )
    trainer = ParserTrainer(build_parser(20000, 100, elmo, NORLM_PARSER), NORLM_PARSER)
    if xla:
        trainer._train = tf.function(trainer._train.python_function, jit_compile=True)
    start = time.perf_counter()
    trainer.train_batch(batch)
    first = time.perf_counter() - start
    for _ in range(3):
        trainer.train_batch(batch)
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_batch(batch)
    seconds = (time.perf_counter() - start) / steps
    from fine_parser import bilstm_flops_per_node

    nodes = int((lengths + 1).sum())
    flops = nodes * bilstm_flops_per_node(NORLM_PARSER, elmo)
    return {
        "first_s": first,
        "ms": 1000 * seconds,
        "tokens_s": int(lengths.sum()) / seconds,
        "gflops": flops / seconds / 1e9,
    }


def recurrent_product(threads: int) -> dict:
    tf = configure_threads(threads)
    h = tf.random.normal((2, 50, 200))
    recurrent = tf.random.normal((2, 200, 800)) * 0.05

    @tf.function
    def chained(h):
        for _ in range(50):
            h = tf.tanh(tf.matmul(h, recurrent)[..., :200])
        return h

    chained(h)
    start = time.perf_counter()
    for _ in range(20):
        out = chained(h)
    out.numpy()
    seconds = (time.perf_counter() - start) / (20 * 50)
    return {"ms": 1000 * seconds, "gflops": 2 * 2 * 50 * 200 * 800 / seconds / 1e9}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", type=int, default=25, help="the batch's longest sentence")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--variant", help=argparse.SUPPRESS)  # one measurement, in a child process
    a = ap.parse_args()
    if a.variant:
        kind, threads, xla = a.variant.split(":")
        if kind == "step":
            result = step_timing(int(threads), xla == "xla", a.tokens, a.steps)
        else:
            result = recurrent_product(int(threads))
        print(json.dumps(result))
        return

    def measure(variant: str) -> dict:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
        cmd = [sys.executable, __file__, "--tokens", str(a.tokens), "--steps", str(a.steps), "--variant", variant]
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    print(f"one training step, 50 sentences of up to {a.tokens} tokens (NorLM-sized parser, 256-d ELMo):\n")
    print("| step | threads | ms/step | tokens/s | first step s | BiLSTM GFLOP/s | vs 2 threads |")
    print("|---|---|---|---|---|---|---|")
    rows = {}
    for label, variant in (
        ("as trained (tf.function)", "step:2:graph"),
        ("as trained (tf.function)", "step:1:graph"),
        ("compiled with XLA (jit_compile)", "step:2:xla"),
    ):
        rows[variant] = r = measure(variant)
        base = rows["step:2:graph"]["ms"]
        threads = variant.split(":")[1]
        print(
            f"| {label} | {threads} | {r['ms']:.0f} | {r['tokens_s']:,.0f} | {r['first_s']:.1f} | "
            f"{r['gflops']:.0f} | {base / r['ms']:.2f}x |",
            flush=True,
        )
    print("\nthe recurrent product of one layer's step, (2, 50, 200) x (2, 200, 800), 50 chained in one graph:\n")
    print("| threads | ms per product | GFLOP/s |\n|---|---|---|")
    for threads in (1, 2):
        r = measure(f"product:{threads}:graph")
        print(f"| {threads} | {r['ms']:.3f} | {r['gflops']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
