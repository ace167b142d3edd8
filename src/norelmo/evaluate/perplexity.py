"""Full-softmax perplexity on the held-out sentences, computed the way bilm-tf's test() computes it.

The biLM is trained on streams: each batch row reads sentence after sentence, and its LSTM state
is carried from one window to the next, so apart from the very first batch the model never sees a
zero state. Scoring sentences one by one from zero states therefore measures something training
never asked of the model, and the backward LM, whose every sentence starts with a `</S>` input,
can read 1e10 there while it is healthy on a stream (dropout makes it worse). So, as bilm-tf's
test() does, the held-out sentences are read as streams with states carried over: `rows`
contiguous slices of them, each packed as in training (a sentence's inputs are <S> w1..wn, its
targets w1..wn </S>; backward, the same sentence reversed). Unlike bilm-tf's test(), no scored token
starts from a zero state: each row first reads its own slice once, unscored (a warm-up as
simple_elmo's), and scoring starts from the state that pass leaves, a state between sentences.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import tensorflow as tf

from ..elmo.model import DIRECTIONS, SOFTMAX_B, SOFTMAX_W, BidirectionalLM
from ..elmo.model_files import load_model_dir
from ..elmo.sentences import heldout_sentences
from ..elmo.token_types import TokenTypes
from ..errors import NorelmoError
from ..progress import progress_bar
from ..text.vocab import read_vocabulary

PROTOCOL = "streams with states carried over, after one unscored warm-up pass (bilm-tf's test(), warmed up)"


def row_streams(types: TokenTypes, sentences: list[list[str]], rows: int, reverse: bool):
    """(inputs, targets, lengths): `rows` contiguous slices of the sentences, each packed into one stream
    of type ids as training packs them; inputs and targets are (rows, longest) and zero past a row's length."""
    packed = []
    for part in np.array_split(np.arange(len(sentences)), rows):
        seqs = [types.encode(sentences[k]) for k in part]
        seqs = [ids[::-1] for ids in seqs] if reverse else seqs
        packed.append(
            (
                np.concatenate([ids[:-1] for ids in seqs]),
                np.concatenate([types.targets(ids[1:]) for ids in seqs]),
            )
        )
    lengths = np.array([len(x) for x, _ in packed], np.int32)
    inputs, targets = (np.zeros((rows, int(lengths.max())), np.int32) for _ in range(2))
    for r, (x, y) in enumerate(packed):
        inputs[r, : len(x)], targets[r, : len(y)] = x, y
    return inputs, targets, lengths


class StreamScorer:
    """Windows of a model's row streams through its LSTMs, states carried from window to window."""

    def __init__(self, model: BidirectionalLM, types: TokenTypes, window: int):
        self.model, self.types, self.window = model, types, window
        spec = [tf.TensorSpec([None, window, types.chars.shape[1]], tf.int32), tf.TensorSpec([None, window], tf.bool)]
        states = tf.nest.map_structure(lambda s: tf.TensorSpec([None, s.shape[1]], tf.float32), model.zero_states(1))
        self._advance = {
            d: tf.function(lambda c, m, s, d=d: self._lstm(d, c, m, s), input_signature=[*spec, states[d]])
            for d in DIRECTIONS
        }
        self._score = {
            d: tf.function(
                lambda c, m, s, y, d=d: self._loss(d, c, m, s, y),
                input_signature=[*spec, states[d], tf.TensorSpec([None, window], tf.int32)],
            )
            for d in DIRECTIONS
        }

    def _lstm(self, direction, chars, mask, states):
        x = self.model.token_embedding(chars)
        outputs, new_states = self.model.lstm_stack(direction, x, mask, states)
        return outputs[-1], new_states

    def _loss(self, direction, chars, mask, states, targets):
        top, new_states = self._lstm(direction, chars, mask, states)
        w, b = self.model.weights[SOFTMAX_W], self.model.weights[SOFTMAX_B]
        logits = tf.einsum("btp,vp->btv", top, w) + b
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)
        return tf.reduce_sum(tf.where(mask, loss, 0.0)), new_states

    def n_windows(self, inputs: np.ndarray, warmup: bool) -> int:
        """The windows direction_loss runs on these streams (twice each with the warm-up)."""
        return math.ceil(inputs.shape[1] / self.window) * (2 if warmup else 1)

    def direction_loss(self, direction: int, inputs, targets, lengths, states, warmup: bool, bar) -> float:
        """Summed cross-entropy (nats) of every stream position of one direction, from `states`; `bar` (a
        progress bar, perhaps disabled) advances by one per window run."""
        rows, width = inputs.shape
        span = math.ceil(width / self.window) * self.window
        inputs, targets = (np.pad(a, ((0, 0), (0, span - width))) for a in (inputs, targets))
        mask = np.arange(span)[np.newaxis] < lengths[:, np.newaxis]
        windows = [slice(t, t + self.window) for t in range(0, span, self.window)]
        chars = [self.types.chars[inputs[:, w]].astype(np.int32) for w in windows]
        if warmup:
            for w, c in zip(windows, chars, strict=True):
                _, states = self._advance[direction](c, mask[:, w], states)
                bar.update(1)
        total = 0.0
        for w, c in zip(windows, chars, strict=True):
            loss, states = self._score[direction](c, mask[:, w], states, targets[:, w])
            total += float(loss)
            bar.update(1)
        return total


def heldout_perplexity(
    model: BidirectionalLM,
    types: TokenTypes,
    sentences: list[list[str]],
    rows: int = 32,
    window: int = 20,
    warmup: bool = True,
    start_states=None,
    progress: bool = False,
) -> dict:
    """Forward, backward and mean perplexity with the full softmax on unseen sentences read as streams.

    `rows` streams (fewer with fewer sentences) of `window` steps at a time; out-of-vocabulary targets
    count as <UNK>. `warmup=False` scores from zero states, as bilm-tf's test() does. `start_states`
    (per direction and layer, (c, h) of one row each; e.g. a trainer's carried states) replaces the
    zero states, and their row count the `rows`. `progress`: a bar of the windows run, both directions.
    """
    if start_states is not None:
        rows = int(start_states[0][0][0].shape[0])
    rows = max(1, min(rows, len(sentences)))
    scorer = StreamScorer(model, types, window)
    streams = [row_streams(types, sentences, rows, reverse=bool(d)) for d in DIRECTIONS]
    ppl = []
    with progress_bar(
        total=sum(scorer.n_windows(inputs, warmup) for inputs, _, _ in streams),
        desc=f"held-out perplexity, {len(sentences):,} sentences in {rows} streams",
        unit="window",
        disable=not progress,
    ) as bar:
        for d, (inputs, targets, lengths) in zip(DIRECTIONS, streams, strict=True):
            states = (
                model.zero_states(rows)[d]
                if start_states is None
                else [(c[:rows], h[:rows]) for c, h in start_states[d]]
            )
            nats = scorer.direction_loss(d, inputs, targets, lengths, states, warmup, bar)
            ppl.append(math.exp(nats / max(int(lengths.sum()), 1)))
    return {"forward": ppl[0], "backward": ppl[1], "mean": math.sqrt(ppl[0] * ppl[1])}


def model_perplexity(
    model_dir: Path, vocab_path: Path, token_files: list[Path], n_heldout: int, progress: bool = False
) -> dict:
    """Forward, backward and mean perplexity on the first `n_heldout` sentences of the first token shard by
    path (at most a tenth of it): the slice training never reads (train.heldout_sentences)."""
    vocab = read_vocabulary(vocab_path)
    cfg, weights = load_model_dir(model_dir, vocab_size=len(vocab))
    if SOFTMAX_W not in weights:
        raise NorelmoError(
            f"{model_dir}: no softmax of {len(vocab)} words in the model's checkpoint, so no full-softmax perplexity"
        )
    sentences = heldout_sentences([Path(p) for p in token_files], n_heldout)
    if not sentences:
        raise NorelmoError(f"{token_files[0]}: no held-out sentences (train.heldout_sentences is {n_heldout})")
    known = set(vocab)
    tokens = [t for s in sentences for t in s]
    oov = [t for t in tokens if t not in known]
    types = TokenTypes(vocab, sorted(set(oov)), cfg.char_cnn.max_characters_per_token)
    result = heldout_perplexity(BidirectionalLM(cfg, weights), types, sentences, progress=progress)
    return {
        **result,
        "sentences": len(sentences),
        "tokens": len(tokens),
        "oov_rate": len(oov) / len(tokens),
        "protocol": PROTOCOL,
    }
