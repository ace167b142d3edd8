"""Training batches the way bilm-tf builds them: endless sentence streams packed into fixed windows.

Each batch row is a stream of consecutive sentences cut into `unroll_steps`-token windows; the
part of a sentence that does not fit continues in the same row of the next batch, which is why
the LSTM state of each row is carried from one batch to the next.

Everything here is a pure function of the seed and a small, JSON-serializable state, so a run
killed at any batch resumes on exactly the batches it would have seen. Per batch it also does the
work that is cheaper on the host: the distinct token types of both directions (the character CNN
then runs once per type, not once per position) and the sampled-softmax negatives.
"""

from __future__ import annotations

import json
import math
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from ..errors import NorelmoError
from .chars import BOS, EOS, split_short_long, token_char_ids

# With XLA every shape compiles anew (30-40 s for the NorELMo step on a GPU), so the counts of a batch's
# short and long distinct types, the shapes that vary, are padded to one of four pairs of sizes, multiples of
# XLA_TYPE_ROUND and XLA_LONG_ROUND (long types are a few percent: 89 of 2,524 in a NorELMo batch of UD Bokmål).
XLA_TYPE_ROUND = 256
XLA_LONG_ROUND = 32
PROBED_BATCHES = 32
# Without XLA, each group's row count (short and long types) is rounded up to a multiple of this: oneDNN
# creates its kernels for each new shape and keeps them, so unrounded counts, new batch after batch, cost
# kernel creation and memory that grows through the run (bench/train.py's tiny config: peak RSS 1.13 GiB
# after 183 steps, 0.98 rounded). At most 31 rows of padding: a few percent of a batch's types.
TYPE_ROWS_ROUND = 32


def batch_layout(filters: list, xla: bool) -> dict:
    """BatchMaker's shape options for a compiled step: short and long types each cut to the characters the
    CNN needs; XLA compiles each shape anew, so there the two widths are fixed and the counts padded."""
    return {"pad_types": xla, "widest_filter": max(width for width, _ in filters)}


def _padded(rows: np.ndarray, spare: np.ndarray, size: int) -> np.ndarray:
    """`rows`, then copies of the `spare` row up to `size` rows (no position points at the copies: their
    gradients are zero)."""
    return np.concatenate([rows, np.repeat(spare, size - len(rows), axis=0)])


def _rounded_count(n: int) -> int:
    """`n` rows rounded up to a positive multiple of TYPE_ROWS_ROUND."""
    return max(1, math.ceil(n / TYPE_ROWS_ROUND)) * TYPE_ROWS_ROUND


def type_count_buckets(counts: list[tuple[int, int]], most: int) -> tuple[tuple[int, int], ...]:
    """At most four padded (short, long) type counts for counts like `counts` (a run's first batches):
    about their medians, their largest, a quarter above those, and `most` each (every position a type of
    its own), so every batch fits one and a typical one pads little. Each count grows from one to the
    next, so the first pair that holds both of a batch's counts is its smallest fit."""

    def padded(k: float, multiple: int) -> int:  # never 0 rows: a group without types still has its spare row
        return min(math.ceil(most / multiple), max(1, math.ceil(k / multiple))) * multiple

    short, long = np.array(counts).reshape(-1, 2).T
    wanted = ((np.median(short), np.median(long)), (short.max(), long.max()))
    wanted += ((1.25 * short.max(), 1.25 * long.max()), (most, most))
    return tuple(sorted({(padded(s, XLA_TYPE_ROUND), padded(lg, XLA_LONG_ROUND)) for s, lg in wanted}))


class TokenTypes:
    """Every token type of the corpus: vocabulary words first (their ids are softmax ids), then the rest.

    Inputs keep the characters of out-of-vocabulary tokens, as bilm-tf does; only targets become <UNK>.
    """

    def __init__(self, vocab: list[str], others: Iterable[str], max_chars: int):
        self.words = list(vocab)
        self.n_vocab = len(vocab)
        seen = set(self.words)
        self.words += [w for w in others if w not in seen]
        self.index = {w: i for i, w in enumerate(self.words)}
        self.unk = self.index["<UNK>"]
        self.bos, self.eos = self.index[BOS], self.index[EOS]
        self.chars = np.stack([token_char_ids(w, max_chars) for w in self.words]).astype(np.int16)

    def encode(self, tokens: list[str]) -> np.ndarray:
        return np.array([self.bos, *(self.index.get(t, self.unk) for t in tokens), self.eos], np.int32)

    def targets(self, type_ids: np.ndarray) -> np.ndarray:
        return np.where(type_ids < self.n_vocab, type_ids, self.unk).astype(np.int32)


class SentenceStream:
    """Sentences forever: shards in a seeded random order per pass, lines in a seeded order per shard.

    Its whole position is (pass, shard position, line position). With `reverse`, each sentence is
    read right to left ([</S>, last, ..., first, <S>]) for the backward language model.
    """

    def __init__(
        self,
        files: list[Path],
        types: TokenTypes,
        reverse: bool,
        seed: int,
        state: dict | None = None,
        heldout: int = 0,
    ):
        if not files:
            raise NorelmoError("no tokenized training files were given")
        self.files, self.types, self.reverse, self.seed = [Path(f) for f in files], types, reverse, seed
        self.heldout_path, self.heldout = heldout_split(self.files, heldout)
        saved = state or {"pass": 0, "shard": 0, "line": 0}
        self.passes, self.shard, self.line = saved["pass"], saved["shard"], saved["line"]
        self._loaded_key: tuple[int, int] | None = None
        self._count = 0  # sentences of the loaded shard (0: none loaded)
        self._encoded: tuple | None = None  # (path, flat type ids, sentence starts, ends)

    @property
    def state(self) -> dict:
        return {"pass": self.passes, "shard": self.shard, "line": self.line}

    def _rng(self, *keys: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, int(self.reverse), *keys])

    def _load_shard(self) -> None:
        """The current shard's sentences, in this pass's reading order."""
        key = (self.passes, self.shard)
        if self._loaded_key == key:
            return
        order = self._rng(key[0]).permutation(len(self.files))
        path = self.files[order[key[1]]]
        if self._encoded is None or self._encoded[0] != path:  # one file: encoded once for every pass
            self._encoded = (path, *self._encode(path))
        _, flat, starts, ends = self._encoded
        order = self._rng(*key, 1).permutation(len(starts))
        # Plain lists: next_span runs once per sentence, and a list index is far cheaper than an array's.
        self._flat, self._starts, self._ends = flat, starts[order].tolist(), ends[order].tolist()
        self._loaded_key, self._count = key, len(starts)

    def _encode(self, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A shard as one array of type ids (each sentence reversed in place for the backward LM), and its
        sentences' starts and ends in it."""
        skip = self.heldout if path == self.heldout_path else 0
        with open(path, encoding="utf-8") as fh:
            lines = [tokens for tokens in map(str.split, fh) if tokens][skip:]  # held out: never trained on
        # One dict lookup per token for the whole shard; sentences are spans of one array, so the window
        # packing (the part of batch making that cannot run in other processes) gathers them at once.
        index, unk, bos, eos = self.types.index, self.types.unk, self.types.bos, self.types.eos
        flat = np.array([i for tokens in lines for i in (bos, *map(index.get, tokens, repeat(unk)), eos)], np.int32)
        lengths = np.array([len(tokens) + 2 for tokens in lines], np.int64)
        ends = np.cumsum(lengths)
        starts = ends - lengths
        if self.reverse:  # each sentence right to left, still in file order
            which = np.repeat(np.arange(len(lengths)), lengths)
            flat = flat[starts[which] + ends[which] - 1 - np.arange(len(flat))]
        return flat, starts, ends

    def next_span(self) -> tuple[np.ndarray, int, int]:
        """The next sentence as (array, start, end): array[start:end] are its type ids."""
        if self.line < self._count:  # _count is the loaded shard's, and only the loop below moves to another
            k = self.line
            self.line += 1
            return self._flat, self._starts[k], self._ends[k]
        for _ in range(len(self.files) + 1):
            self._load_shard()
            if self.line < self._count:
                return self.next_span()
            self.line = 0
            self.shard += 1
            if self.shard == len(self.files):
                self.shard = 0
                self.passes += 1
        raise NorelmoError(f"the training files hold no sentences: {', '.join(map(str, self.files))}")

    def __next__(self) -> np.ndarray:
        flat, start, end = self.next_span()
        return flat[start:end]

    def __iter__(self) -> Iterator[np.ndarray]:
        return self


class WindowRows:
    """Packs a sentence stream into (batch_size, unroll_steps) windows of inputs and next-token inputs.

    Each row reads sentence after sentence: `<S> w1 ... wn </S>` gives the inputs `<S> w1 ... wn` and the next
    inputs `w1 ... wn </S>`, cut into windows; what is left of a row's sentence carries over to its next window.
    A row is a span (array, start, end) of the stream's arrays, so a window is planned with integers and made
    with one gather per array (the per-piece slicing was most of batch making's sequential time).
    """

    def __init__(self, stream: SentenceStream, batch_size: int, unroll_steps: int, rows: list | None = None):
        self.stream, self.batch_size, self.unroll_steps = stream, batch_size, unroll_steps
        if rows is None:
            rows = [[]] * batch_size
        self.rows = []
        for r in rows:
            carried = np.array(r, np.int32)
            self.rows.append((carried, 0, len(carried)))

    def restart(self, rows: np.ndarray) -> None:
        """Drop what is left of these rows' sentences, so their next windows start at a sentence start."""
        for r in np.flatnonzero(rows):
            self.rows[r] = (self.rows[r][0], 0, 0)

    def next_window(self) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, next inputs), both (batch_size, unroll_steps) type ids."""
        b, t = self.batch_size, self.unroll_steps
        pieces: dict[int, tuple[np.ndarray, list[int], list[int], list[int]]] = {}  # array id -> its pieces
        for r in range(b):
            pos, (array, start, end) = 0, self.rows[r]
            while pos < t:
                if end - start <= 1:  # a final </S> (or nothing) left: never an input
                    array, start, end = self.stream.next_span()
                n = min(end - start - 1, t - pos)
                _, dest, src, lengths = pieces.setdefault(id(array), (array, [], [], []))
                dest.append(r * t + pos)
                src.append(start)
                lengths.append(n)
                start += n
                pos += n
            self.rows[r] = (array, start, end)
        inputs, following = np.zeros(b * t, np.int32), np.zeros(b * t, np.int32)
        for array, dest, src, lengths in pieces.values():
            n = np.array(lengths)
            within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
            at, take = np.repeat(dest, n) + within, np.repeat(src, n) + within
            inputs[at] = array[take]
            following[at] = array[take + 1]
        return inputs.reshape(b, t), following.reshape(b, t)

    def state(self) -> dict:
        rows = [array[start:end].tolist() for array, start, end in self.rows]
        return {"stream": dict(self.stream.state), "rows": rows}


def heldout_split(files: list[Path], n: int) -> tuple[Path, int]:
    """Where the held-out sentences come from: the first `n` sentences of the first file (sorted),
    but never more than a tenth of that file, so a small corpus still has most of it to train on."""
    first = sorted(Path(f) for f in files)[0]
    with open(first, encoding="utf-8") as fh:
        available = sum(1 for line in fh if line.split())
    return first, min(n, available // 10)


def heldout_sentences(files: list[Path], n: int) -> list[list[str]]:
    path, n = heldout_split(files, n)
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if len(out) == n:
                break
            if line.split():
                out.append(line.split())
    return out


def log_uniform_probability(ids: np.ndarray, range_max: int) -> np.ndarray:
    """P(id) of TF's log-uniform (Zipfian) candidate sampler over [0, range_max)."""
    ids = np.asarray(ids, np.float64)
    return np.log((ids + 2.0) / (ids + 1.0)) / math.log(range_max + 1.0)


def sample_log_uniform_unique(rng: np.random.Generator, num_sampled: int, range_max: int) -> tuple[np.ndarray, int]:
    """`num_sampled` distinct ids drawn log-uniformly (ascending), and how many draws it took.

    This mirrors tf.random.log_uniform_candidate_sampler(unique=True): the first `num_sampled`
    distinct ids in draw order, from a seeded numpy generator so that a resumed run draws the same
    negatives as an uninterrupted one. Draws come in chunks of a quarter of `num_sampled`; a chunk
    whose new ids all fit is taken whole by marking them (no sort), and only the chunk where the
    count is reached is sorted to find where in it that happens: 0.5 ms instead of 2.4 for 8192 of
    100,000 ids (one direction of a NorELMo batch), where an np.unique over every draw sorts them all.
    """
    log_range = math.log(range_max + 1.0)
    seen, marked = np.zeros(range_max, bool), np.zeros(range_max, bool)
    count, drawn, chunk = 0, 0, max(num_sampled // 4, 256)
    while True:
        more = np.floor(np.exp(rng.random(chunk) * log_range)).astype(np.int64) - 1
        more = np.clip(more, 0, range_max - 1)
        marked[:] = False
        marked[more] = True
        marked &= ~seen
        fresh = int(np.count_nonzero(marked))
        if count + fresh < num_sampled:
            seen |= marked
            count, drawn = count + fresh, drawn + chunk
            continue
        values, first = np.unique(more, return_index=True)
        first_new = np.sort(first[~seen[values]])[: num_sampled - count]  # draw positions of the new ids
        seen[more[first_new]] = True
        return np.flatnonzero(seen).astype(np.int32), drawn + int(first_new[-1]) + 1


def expected_count(ids: np.ndarray, num_tries: int, range_max: int) -> np.ndarray:
    """Expected times `ids` appear in `num_tries` log-uniform draws, as TF's unique samplers report it."""
    p = log_uniform_probability(ids, range_max)
    return (-np.expm1(num_tries * np.log1p(-p))).astype(np.float32)


@dataclass
class Batch:
    """One training step's inputs, for both directions (axis 0: forward, backward)."""

    step: int  # 0-based index of this batch in the run
    # Character ids of the batch's distinct types, short ones and long ones, each group cut to its
    # own width (see BatchMaker); neither is empty (a spare <S> row fills in).
    short_chars: np.ndarray  # (U1, width1)
    long_chars: np.ndarray  # (U2, width2)
    positions: np.ndarray  # (2, batch, unroll) index into [short_chars; long_chars] of each input token
    targets: np.ndarray  # (2, batch, unroll) softmax ids of the next tokens
    true_expected: np.ndarray  # (2, batch, unroll) sampler's expected count of each target
    sampled: np.ndarray  # (2, negatives) sampled softmax ids
    sampled_expected: np.ndarray  # (2, negatives)
    # (2, batch) 1.0 where a row's LSTM state starts from zero at this batch (its window starts a sentence)
    resets: np.ndarray
    state: str  # JSON of the pipeline position after this batch; saved with checkpoints


@dataclass
class Windows:
    """The sequential part of a batch: both directions' packed windows and the pipeline position after them."""

    step: int
    inputs: np.ndarray  # (2, batch, unroll) type ids
    following: np.ndarray  # (2, batch, unroll) the next type ids
    resets: np.ndarray  # (2, batch)
    state: str


@dataclass
class BatchCompleter:
    """The rest of a batch, a pure function of its windows: targets, distinct types and their
    characters, negatives. Made in other processes when batch making runs in several (parallel_batches)."""

    types: TokenTypes
    negatives: int
    seed: int
    widest_filter: int | None
    type_sizes: tuple[tuple[int, int], ...]

    def __call__(self, w: Windows) -> Batch:
        v = self.types.n_vocab
        targets = self.types.targets(w.following)
        distinct, positions = np.unique(w.inputs, return_inverse=True)
        short_chars, long_chars, positions = self._type_chars(distinct, positions)
        rng = np.random.default_rng([self.seed, w.step, 7])
        sampled, true_exp, sampled_exp = [], [], []
        for d in range(2):
            ids, tries = sample_log_uniform_unique(rng, self.negatives, v)
            sampled.append(ids)
            sampled_exp.append(expected_count(ids, tries, v))
            true_exp.append(expected_count(targets[d], tries, v))
        return Batch(
            step=w.step,
            short_chars=short_chars,
            long_chars=long_chars,
            positions=positions.reshape(w.inputs.shape).astype(np.int32),
            targets=targets,
            true_expected=np.stack(true_exp),
            sampled=np.stack(sampled),
            sampled_expected=np.stack(sampled_exp),
            resets=w.resets,
            state=w.state,
        )

    def _type_chars(self, distinct: np.ndarray, positions: np.ndarray):
        """Character ids of the two groups, and `positions` renumbered to index [short; long]."""
        chars = self.types.chars[distinct].astype(np.int32)
        spare = self.types.chars[self.types.bos].astype(np.int32)[np.newaxis]
        if self.widest_filter is None:  # every type at full width, unpadded
            return chars, spare, positions
        short, long, short_width, long_width = split_short_long(chars, self.widest_filter)
        if self.type_sizes:
            # XLA: long types keep every column, so both widths are the run's; the counts padded to a size pair.
            long_width = chars.shape[1]
            sizes = next((s, lg) for s, lg in self.type_sizes if s >= len(short) and lg >= len(long))
        else:
            sizes = (_rounded_count(len(short)), _rounded_count(len(long)))
        short_chars, long_chars = (
            _padded(chars[rows, :width], spare[:, :width], size)
            for rows, width, size in zip((short, long), (short_width, long_width), sizes, strict=True)
        )
        new_index = np.empty(len(distinct), np.int64)
        new_index[short] = np.arange(len(short))
        new_index[long] = len(short_chars) + np.arange(len(long))
        return short_chars, long_chars, new_index[positions]


class BatchMaker:
    """Forward and backward windows, their distinct types, and per-direction negatives, step by step."""

    def __init__(
        self,
        files: list[Path],
        types: TokenTypes,
        batch_size: int,
        unroll_steps: int,
        negatives: int,
        seed: int,
        state: str | None = None,
        heldout: int = 0,
        pad_types: bool = False,
        widest_filter: int | None = None,
        state_resets: float = 0.0,
    ):
        """`widest_filter` (the character CNN's): split the distinct types into short and long ones,
        each cut to the columns that matter (chars.split_short_long), with a multiple of TYPE_ROWS_ROUND
        rows; with `pad_types` (XLA), long types keep max_characters_per_token columns and the two counts
        are padded to one of at most 4 size pairs (type_count_buckets, from the first batches of the run).
        None: every type in short_chars at max_characters_per_token, unpadded.
        `state_resets`: each row's chance per batch to start its window at a new sentence from a
        zero LSTM state (train.state_resets)."""
        saved = json.loads(state) if state else {"step": 0, "fw": None, "bw": None}
        self.seed, self.state_resets = seed, state_resets
        self.step = saved["step"]
        self.windows = []
        for reverse, key in ((False, "fw"), (True, "bw")):
            part = saved[key] or {}
            stream = SentenceStream(files, types, reverse, seed, part.get("stream"), heldout)
            self.windows.append(WindowRows(stream, batch_size, unroll_steps, part.get("rows")))
        type_sizes: tuple[tuple[int, int], ...] = ()
        if pad_types:
            if widest_filter is None:
                raise ValueError("pad_types needs widest_filter: the counts padded are of short and long types")
            # From a fresh start, whatever the saved position, so a resumed run compiles the same shapes.
            probe = [WindowRows(SentenceStream(files, types, r, seed, None, heldout), batch_size, unroll_steps)
                     for r in (False, True)]  # fmt: skip
            counts = []
            for _ in range(PROBED_BATCHES):
                distinct = np.unique([w.next_window()[0] for w in probe])
                short, long, _, _ = split_short_long(types.chars[distinct], widest_filter)
                counts.append((len(short), len(long)))
            type_sizes = type_count_buckets(counts, 2 * batch_size * unroll_steps)
        self.complete = BatchCompleter(types, negatives, seed, widest_filter, type_sizes)

    def __iter__(self) -> Iterator[Batch]:
        return self

    def __next__(self) -> Batch:
        return self.complete(self.next_windows())

    def next_windows(self) -> Windows:
        """Both directions' next windows, in order: the part of batch making that cannot run ahead."""
        resets = np.zeros((2, self.windows[0].batch_size), np.float32)
        if self.state_resets > 0:
            resets[:] = np.random.default_rng([self.seed, self.step, 11]).random(resets.shape) < self.state_resets
            for rows, restarted in zip(self.windows, resets, strict=True):
                rows.restart(restarted)
        inputs, following = zip(*(w.next_window() for w in self.windows), strict=True)
        self.step += 1
        state = json.dumps({"step": self.step, "fw": self.windows[0].state(), "bw": self.windows[1].state()})
        return Windows(self.step - 1, np.stack(inputs), np.stack(following), resets, state)


_completer: BatchCompleter | None = None  # in a batch-making worker process: its copy


def _start_worker(completer: BatchCompleter) -> None:
    global _completer
    _completer = completer


def _complete(windows: Windows) -> Batch:
    return _completer(windows)


BATCH_WAIT_S = 60  # for a batch in flight when the batch workers close


def parallel_batches(maker: BatchMaker, processes: int) -> Iterator[Batch]:
    """The maker's batches, the same and in the same order, with all but the window packing done in
    `processes` worker processes (0: all here). The packing is sequential (each row's stream continues
    where the last batch left it), so it stays in this process and sets the pace: per NorELMo batch on
    one 2-core Xeon's core, 4.6 ms of packing against 5.9 ms for the rest (bench/batches.py)."""
    if processes <= 0:
        yield from maker
        return
    # Forked, not spawned: a spawned worker imports the parent's main script anew (a Snakemake script
    # would start training again), and the workers run NumPy only, never the parent's TensorFlow.
    context = multiprocessing.get_context("fork")
    pool = context.Pool(processes, initializer=_start_worker, initargs=(maker.complete,))
    ahead = deque()
    try:
        ahead.extend(pool.apply_async(_complete, (maker.next_windows(),)) for _ in range(2 * processes))
        while True:
            batch = ahead.popleft().get()
            ahead.append(pool.apply_async(_complete, (maker.next_windows(),)))
            yield batch
    except GeneratorExit:
        # The consumer is done: let the batches in flight come back, then let the workers exit. Pool.terminate()
        # alone hangs when it stops reading results while a worker is writing a batch (megabytes) into the full
        # result pipe: the worker holds the queue's lock, which terminate then waits for.
        for result in ahead:
            result.wait(BATCH_WAIT_S)
        if all(result.ready() for result in ahead):  # else a worker died: terminate is all that is left
            pool.close()
            pool.join()
        raise
    finally:
        pool.terminate()  # after an error; after close() and join() there is nothing left to stop


def corpus_types(vocab: list[str], counts_tsv: Path | None, token_files: list[Path], max_chars: int) -> TokenTypes:
    """The type inventory: from the vocabulary stage's vocab.tsv when given, else by reading the corpus."""
    if counts_tsv is not None:
        with open(counts_tsv, encoding="utf-8") as fh:
            others = [line.split("\t", 1)[0] for line in fh if line.strip()]
    else:
        seen: dict[str, None] = {}
        for path in token_files:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    seen.update(dict.fromkeys(line.split()))
        others = list(seen)
    return TokenTypes(vocab, others, max_chars)
