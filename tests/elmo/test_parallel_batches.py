"""train.batch_processes: batches made in worker processes, and a pool that closes when the trainer is done."""

import os
import signal
import subprocess
import sys

# Batches of about 0.5 MB, far more than a pipe holds: closing the pool while workers are sending them back
# is where Pool.terminate() alone hung (within 3 closes in each of 3 tries before the fix).
CLOSE_ROUNDS = """
import sys
from pathlib import Path
from norelmo.elmo.batch_workers import parallel_batches
from norelmo.elmo.batches import BatchMaker
from norelmo.elmo.token_types import corpus_types
from norelmo.elmo.type_shapes import batch_layout

path = Path(sys.argv[1])
lines = [f"ord{k % 997} setning{k % 389} og {k} til{k % 53} ." for k in range(6000)]
path.write_text("\\n".join(lines), encoding="utf-8")
vocab = ["<S>", "</S>", "<UNK>"] + [f"ord{k}" for k in range(997)]
types = corpus_types(vocab, None, [path], 50)
for _ in range(8):
    batches = parallel_batches(BatchMaker([path], types, 96, 20, 500, 0, **batch_layout([[1, 4], [2, 4]], True)), 3)
    for _ in range(3):
        next(batches)
    batches.close()
print("closed 8 times")
"""


def test_batch_workers_close_while_large_batches_are_in_flight(tmp_path):
    out = tmp_path / "out.txt"
    with open(out, "w") as fh:  # a file, not a pipe: stuck workers would hold a pipe open after a kill
        proc = subprocess.Popen(
            [sys.executable, "-c", CLOSE_ROUNDS, str(tmp_path / "t.txt")], stdout=fh, stderr=fh, start_new_session=True
        )
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise AssertionError("closing the batch workers hung:\n" + out.read_text()) from None
    assert proc.returncode == 0 and out.read_text().strip().endswith("closed 8 times"), out.read_text()


def test_training_with_batch_processes_leaves_no_worker_behind(tmp_path):
    import dataclasses
    import multiprocessing

    from norelmo.elmo.train import train_bilm

    from .tiny import TINY, TINY_TRAIN, tiny_corpus

    lines = [f"ord{k % 97} setning{k % 89} og {k} til{k % 53} ." for k in range(600)]
    path, vocab, _ = tiny_corpus(tmp_path, lines)
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    before = set(multiprocessing.active_children())
    train = dataclasses.replace(TINY_TRAIN, batch_size=16, batch_processes=2, xla=False)
    summary = train_bilm(TINY, train, [path], tmp_path / "vocab.txt", 16 * 5 * 6, tmp_path / "ckpt", tmp_path / "logs",
                         progress=False)  # fmt: skip
    assert summary["batches"] == 6
    assert set(multiprocessing.active_children()) == before  # the batch workers ended with the training
