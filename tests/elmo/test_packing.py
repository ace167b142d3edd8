"""The window packing (planned with integers, gathered per array) equals its plain definition, row by row."""

import numpy as np

from norelmo.elmo.sentences import SentenceStream, WindowRows
from norelmo.elmo.token_types import corpus_types
from norelmo.evaluate.datasets import read_tagged_conllu

from ..conftest import CONLLU


def plain_windows(stream: SentenceStream, b: int, t: int, windows: int):
    """bilm-tf's packing written out: each row reads sentence after sentence, a sentence's last id is never an input."""
    rows, out = [np.zeros(0, np.int32)] * b, []
    for _ in range(windows):
        inputs, following = np.zeros((b, t), np.int32), np.zeros((b, t), np.int32)
        for r in range(b):
            pos, row = 0, rows[r]
            while pos < t:
                if len(row) <= 1:
                    row = next(stream)
                n = min(len(row) - 1, t - pos)
                inputs[r, pos : pos + n], following[r, pos : pos + n] = row[:n], row[1 : n + 1]
                row, pos = row[n:], pos + n
            rows[r] = row
        out.append((inputs, following))
    return out


def test_windows_equal_the_plain_packing_across_shards_passes_and_a_resume(tmp_path):
    sentences = [s.forms for s in read_tagged_conllu(CONLLU)]
    files = []
    for k, part in enumerate((sentences[:40], sentences[40:])):  # two shards of different sizes
        files.append(tmp_path / f"shard-{k}.txt")
        files[-1].write_text("\n".join(" ".join(s) for s in part) + "\n", encoding="utf-8")
    vocab = ["<S>", "</S>", "<UNK>"] + sorted({w for s in sentences[:60] for w in s})  # the rest: <UNK>
    types = corpus_types(vocab, None, files, 50)
    total = sum(len(s) + 1 for s in sentences)
    b, t = 7, 5
    windows = 3 * total // (b * t)  # about three passes over both shards
    for reverse in (False, True):
        expected = plain_windows(SentenceStream(files, types, reverse, seed=4), b, t, windows)
        rows = WindowRows(SentenceStream(files, types, reverse, seed=4), b, t)
        for k, (inputs, following) in enumerate(expected):
            if k == windows // 2:  # a resume from the saved position continues the same windows
                saved = rows.state()
                rows = WindowRows(SentenceStream(files, types, reverse, 4, saved["stream"]), b, t, saved["rows"])
            got = rows.next_window()
            assert np.array_equal(got[0], inputs) and np.array_equal(got[1], following), (reverse, k)
