"""Batch making at the NorELMo config: tokens/s by worker-process count, and the shapes XLA compiles.

    python bench/batches.py                      # 0 (in the trainer's process), 1, 2, ... workers up to the cores
    python bench/batches.py --processes 0 4 8 --batches 400 --shape-batches 3000
    python bench/batches.py --corpus tokens.txt       # another text: a sentence per line, tokens split by spaces

Batch 192 x unroll 20, 8192 negatives, the vocabulary padded to 100,000 words, train.state_resets 0.1,
the XLA layout (all 50 character columns, type counts padded to at most 4 sizes). Text: the UD Bokmål
treebank in ../shared/data when present, else the bundled CoNLL-U (read over and over). The goal for a
GPU trainer is 3x its step rate: 900,000 tokens/s. The baseline is 0 workers, the trainer's own process.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

FILTERS = [[1, 32], [2, 32], [3, 64], [4, 128], [5, 256], [6, 512], [7, 1024]]  # NorELMo's
BATCH, UNROLL, NEGATIVES = 192, 20, 8192


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cores = len(os.sched_getaffinity(0))
    ap.add_argument("--processes", type=int, nargs="+", default=sorted({0, *range(1, cores + 1)}))
    ap.add_argument("--batches", type=int, default=200, help="timed batches per process count")
    ap.add_argument("--shape-batches", type=int, default=2000, help="batches whose XLA shapes are counted")
    ap.add_argument(
        "--corpus", type=Path, help="tokenized text to batch instead (bench/train.py --export-step's corpus.txt)"
    )
    a = ap.parse_args()

    import numpy as np
    from train import corpus_sentences, write_corpus

    from norelmo.elmo.batch_workers import parallel_batches
    from norelmo.elmo.batches import BatchMaker
    from norelmo.elmo.token_types import corpus_types
    from norelmo.elmo.type_shapes import batch_layout

    tmp = Path(tempfile.mkdtemp())
    if a.corpus:
        text, lines = a.corpus.name, a.corpus.read_text(encoding="utf-8").splitlines()
        corpus, vocab = write_corpus(tmp, [tokens for tokens in map(str.split, lines) if tokens])
    else:
        corpus, vocab = write_corpus(tmp)
        text = corpus_sentences()[1]
    vocab += [f"<pad{i}>" for i in range(100000 - len(vocab))]
    types = corpus_types(vocab, None, [corpus], 50)

    def maker():
        return BatchMaker([corpus], types, BATCH, UNROLL, NEGATIVES, 0, **batch_layout(FILTERS, True), state_resets=0.1)

    print(f"text: {text}; {cores} cores; NorELMo batch {BATCH} x {UNROLL}, {NEGATIVES} negatives\n")
    print("| worker processes | ms per batch | tokens/s | vs 0 workers |\n|---|---|---|---|")
    base = None
    for processes in a.processes:
        batches = parallel_batches(maker(), processes)
        for _ in range(max(4, 2 * processes)):  # pool started, pipeline full
            next(batches)
        start = time.perf_counter()
        for _ in range(a.batches):
            next(batches)
        elapsed = time.perf_counter() - start
        batches.close()
        rate = a.batches * BATCH * UNROLL / elapsed
        base = base or rate
        print(f"| {processes} | {1000 * elapsed / a.batches:.2f} | {rate:,.0f} | {rate / base:.2f}x |")

    made = maker()
    start = time.perf_counter()
    for _ in range(a.batches):
        made.next_windows()
    packing = (time.perf_counter() - start) / a.batches
    print(f"\nwindow packing alone (sequential, in the trainer's process): {1000 * packing:.2f} ms per batch, so at "
          f"most {BATCH * UNROLL / packing:,.0f} tokens/s however many workers finish the batches")  # fmt: skip

    made = maker()
    sizes = made.complete.type_sizes
    used, padding, counts, longs = collections.Counter(), 0, [], []
    start = time.perf_counter()
    for _ in range(a.shape_batches):
        batch = next(made)
        distinct = len(np.unique(batch.positions))
        size = (len(batch.short_chars), len(batch.long_chars))
        used[size] += 1
        padding += sum(size) - distinct
        counts.append(distinct)
        longs.append(len(np.unique(batch.positions[batch.positions >= size[0]])))
    print(f"\nXLA (short, long) type-count sizes probed from the first batches: {sizes}")
    print(
        f"over {a.shape_batches} batches ({a.shape_batches * BATCH * UNROLL:,} tokens): distinct types per batch "
        f"{min(counts)} to {max(counts)}, median {int(np.median(counts))}, of them long (all "
        f"{batch.long_chars.shape[1]} characters; the rest {batch.short_chars.shape[1]}) {min(longs)} to {max(longs)}; "
        f"step shapes compiled: {len(used)} ({', '.join(f'{s} rows: {n} batches' for s, n in sorted(used.items()))}); "
        f"padding rows {padding / sum(counts):.1%} of the distinct types ({time.perf_counter() - start:.1f} s)"
    )


if __name__ == "__main__":
    main()
