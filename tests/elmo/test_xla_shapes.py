"""With XLA every batch shape compiles anew: batches come in at most four shapes, the same after a resume."""

import numpy as np

from norelmo.elmo.batches import BatchMaker
from norelmo.elmo.chars import PAD_CHAR
from norelmo.elmo.token_types import corpus_types
from norelmo.elmo.type_shapes import batch_layout, type_count_buckets

# Every fifth sentence has a long token (longer than the short types' 16 columns hold), a different one each time.
LINES = [
    f"setning {k} har {k % 7} ord og {k % 13} til , kanskje {k * 3}" + (" ." if k % 5 else f" kommunestyremedlem{k} .")
    for k in range(400)
]
FILTERS = [[1, 4], [2, 4], [3, 8]]


def test_type_counts_are_padded_to_at_most_four_sizes_that_every_batch_fits(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    vocab = ["<S>", "</S>", "<UNK>"] + sorted({w for x in LINES for w in x.split()})
    types = corpus_types(vocab, None, [path], 50)
    made = BatchMaker([path], types, 8, 10, 4, seed=1, **batch_layout(FILTERS, xla=True))
    sizes = made.complete.type_sizes
    # 2 x 8 x 10 = 160 positions, rounded up: the last pair holds any batch.
    assert 1 <= len(sizes) <= 4 and sizes[-1] == (256, 160)
    shapes, saved, longs = set(), None, 0
    for k in range(200):
        batch = next(made)
        distinct = len(np.unique(batch.positions))
        assert (batch.short_chars.shape[0], batch.long_chars.shape[0]) in sizes
        assert batch.short_chars.shape[0] + batch.long_chars.shape[0] >= distinct
        # Fixed widths: short types cut to the columns the widest filter needs, long ones whole.
        assert batch.short_chars.shape[1] == 16 and batch.long_chars.shape[1] == 50  # 12 bytes + <bow>, <eow>, 3
        short_rows = batch.positions[batch.positions < batch.short_chars.shape[0]]
        long_rows = batch.positions[batch.positions >= batch.short_chars.shape[0]] - batch.short_chars.shape[0]
        assert (batch.short_chars[short_rows, -FILTERS[-1][0] :] == PAD_CHAR).all()  # one all-padding window kept
        assert (batch.long_chars[long_rows, 16 - FILTERS[-1][0]] != PAD_CHAR).all()  # too long to cut
        longs += len(np.unique(long_rows))
        shapes.add((batch.short_chars.shape, batch.long_chars.shape))
        if k == 50:
            saved = batch.state
    assert longs > 0 and len(shapes) <= 4
    resumed = BatchMaker([path], types, 8, 10, 4, seed=1, state=saved, **batch_layout(FILTERS, xla=True))
    assert resumed.complete.type_sizes == made.complete.type_sizes


def test_bucket_sizes_cover_the_median_the_largest_and_every_position():
    counts = [(2300, 80), (2500, 90), (2600, 100), (3100, 120)]
    assert type_count_buckets(counts, most=7680) == ((2560, 96), (3328, 128), (4096, 160), (7680, 7680))
    assert type_count_buckets([(10, 0), (12, 1)], most=40) == ((256, 32), (256, 64))  # no group of 0 rows


def test_batches_made_in_worker_processes_equal_those_made_here(tmp_path):
    from norelmo.elmo.batch_workers import parallel_batches

    path = tmp_path / "t.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    vocab = ["<S>", "</S>", "<UNK>"] + sorted({w for x in LINES for w in x.split()})[:40]
    types = corpus_types(vocab, None, [path], 50)

    def maker():
        return BatchMaker([path], types, 8, 10, 6, seed=4, state_resets=0.2, **batch_layout(FILTERS, xla=False))

    here, there = maker(), parallel_batches(maker(), processes=2)
    for _ in range(12):
        a, b = next(here), next(there)
        for field in vars(a):
            assert np.array_equal(getattr(a, field), getattr(b, field)), field
    there.close()
