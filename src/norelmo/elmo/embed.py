"""Contextual vectors from an exported model directory, computed the way simple_elmo computes them.

bilm-tf-style inference is stateful: each of `batch_size` rows keeps its LSTM state from the
previous batch, and simple_elmo first runs the first batch once to warm those states up. Doing
the same here gives the same vectors; positions past a sentence's end are zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import tensorflow as tf

from ..errors import NorelmoError
from ..progress import progress_bar
from .chars import CharIds
from .model import BidirectionalLM
from .model_files import load_model_dir

LAYER_MODES = ("average", "top", "all")


class Embedder:
    """Loads model.hdf5 + options.json and turns tokenized sentences into ELMo vectors."""

    def __init__(self, model_dir: Path, batch_size: int = 32):
        self.cfg, weights = load_model_dir(Path(model_dir))
        self.model = BidirectionalLM(self.cfg, weights)
        self.chars = CharIds(self.cfg.char_cnn.max_characters_per_token)
        self.batch_size = batch_size
        self.states = [[(c.numpy(), h.numpy()) for c, h in d] for d in self.model.zero_states(batch_size)]
        self._layers = tf.function(self.model.bilm_layers, reduce_retracing=True)

    def _char_batch(self, sentences: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        lengths = np.array([len(s) + 2 for s in sentences], np.int32)
        ids = np.full((len(sentences), lengths.max(), self.chars.max_chars), 0, np.int32)
        for k, sent in enumerate(sentences):
            ids[k, : lengths[k]] = self.chars.sentence(sent)
        return ids, lengths

    def _run(self, sentences: list[list[str]]) -> np.ndarray:
        """(n, n_layers, max_len, 2P) for one batch, <S>/</S> removed, padding zero; updates states."""
        n = len(sentences)
        ids, lengths = self._char_batch(sentences)
        states = [[(tf.constant(c[:n]), tf.constant(h[:n])) for c, h in d] for d in self.states]
        layers, new_states = self._layers(tf.constant(ids), tf.constant(lengths), states)
        for d, layer_states in enumerate(new_states):
            for layer, (c, h) in enumerate(layer_states):
                self.states[d][layer][0][:n] = c.numpy()
                self.states[d][layer][1][:n] = h.numpy()
        stacked = np.stack([layer.numpy() for layer in layers], axis=1)  # (n, L, T, 2P)
        out = np.zeros((n, len(layers), lengths.max() - 2, stacked.shape[-1]), np.float32)
        for k, length in enumerate(lengths):
            out[k, :, : length - 2] = stacked[k, :, 1 : length - 1]
        return out

    def batches(
        self, sentences: list[list[str]], warmup: bool = True, progress: str | None = None
    ) -> Iterator[tuple[int, np.ndarray]]:
        """(first sentence's index, (n, n_layers, batch max_len, 2P)) per batch of `batch_size` sentences.

        Like one simple_elmo call (each opens a session that zeroes the LSTM states), the states start at
        zero here and carry over from batch to batch; `warmup` first runs the first batch once, unkept.
        `progress`: a progress bar's label (sentences done, rate, time left).
        """
        if not sentences or any(len(s) == 0 for s in sentences):
            raise NorelmoError("every input sentence needs at least one token")
        self.states = [[(c.numpy(), h.numpy()) for c, h in d] for d in self.model.zero_states(self.batch_size)]
        if warmup:
            self._run(sentences[: self.batch_size])
        with progress_bar(total=len(sentences), desc=progress, unit="sentence", disable=progress is None) as bar:
            for start in range(0, len(sentences), self.batch_size):
                yield start, self._run(sentences[start : start + self.batch_size])
                bar.update(min(self.batch_size, len(sentences) - start))

    def embed(self, sentences: list[list[str]], layers: str = "average", warmup: bool = True) -> np.ndarray:
        """simple_elmo's get_elmo_vectors: (n, max_len, 2P), or (n, n_layers, max_len, 2P) for 'all'."""
        _check_layers(layers)
        n_layers = self.cfg.lstm.n_layers + 1
        max_len = max((len(s) for s in sentences), default=0)
        result = np.zeros((len(sentences), n_layers, max_len, 2 * self.cfg.lstm.projection_dim), np.float32)
        for start, out in self.batches(sentences, warmup):
            result[start : start + len(out), :, : out.shape[2]] = out
        return result if layers == "all" else combine_layers(result, layers)

    def token_vectors(
        self, sentences: list[list[str]], layers: str = "average", warmup: bool = True, progress: str | None = None
    ) -> np.ndarray:
        """(all tokens, 2P): get_elmo_vectors' rows of every sentence's own tokens, in order, without padding."""
        _check_layers(layers, allowed=("average", "top"))
        rows = []
        for start, out in self.batches(sentences, warmup, progress):
            vectors = combine_layers(out, layers)
            rows.extend(vectors[k, : len(s)] for k, s in enumerate(sentences[start : start + len(out)]))
        return np.concatenate(rows)

    def sentence_vectors(
        self, sentences: list[list[str]], layers: str = "average", warmup: bool = True, progress: str | None = None
    ) -> np.ndarray:
        """simple_elmo's get_elmo_vector_average: (n, 2P), each sentence's mean vector scaled to unit length.

        simple_elmo averages over all of its batch's positions, padding included, where its LSTM layers are zero
        but the token layer holds the character CNN's vector of an empty position; so the padding counts here too.
        """
        _check_layers(layers, allowed=("average", "top"))
        padding = combine_layers(self._padding_layers()[np.newaxis, :, np.newaxis], layers)[0, 0]
        result = np.zeros((len(sentences), 2 * self.cfg.lstm.projection_dim), np.float32)
        for start, out in self.batches(sentences, warmup, progress):
            vectors, width = combine_layers(out, layers), out.shape[2]
            for k, sentence in enumerate(sentences[start : start + len(out)]):
                total = vectors[k, : len(sentence)].sum(axis=0) + (width - len(sentence)) * padding
                result[start + k] = total / np.linalg.norm(total)
        return result

    def _padding_layers(self) -> np.ndarray:
        """(n_layers, 2P): what a position past a sentence's end holds in simple_elmo's layers.

        Its loader gives position padding (id 0 after the +1 shift) an all-zero character embedding, so every
        convolution there is 0 and each filter keeps only its bias; highways and projection follow as usual.
        """
        cnn, w = self.cfg.char_cnn, {k: v.numpy() for k, v in self.model.weights.items()}
        act = (lambda x: np.maximum(x, 0.0)) if cnn.activation == "relu" else np.tanh
        h = np.concatenate([act(w[f"CNN/b_cnn_{i}"]) for i in range(len(cnn.filters))])
        for k in range(cnn.n_highway):
            carry = 1.0 / (1.0 + np.exp(-(h @ w[f"CNN_high_{k}/W_carry"] + w[f"CNN_high_{k}/b_carry"])))
            transform = np.maximum(h @ w[f"CNN_high_{k}/W_transform"] + w[f"CNN_high_{k}/b_transform"], 0.0)
            h = carry * transform + (1.0 - carry) * h
        if "CNN_proj/W_proj" in w:
            h = h @ w["CNN_proj/W_proj"] + w["CNN_proj/b_proj"]
        layers = np.zeros((self.cfg.lstm.n_layers + 1, 2 * self.cfg.lstm.projection_dim), np.float32)
        layers[0] = np.concatenate([h, h])
        return layers


def _check_layers(layers: str, allowed: tuple[str, ...] = LAYER_MODES) -> None:
    if layers not in allowed:
        raise NorelmoError(f"layers must be one of {', '.join(allowed)}, not {layers!r}")


def combine_layers(layers: np.ndarray, mode: str) -> np.ndarray:
    """(n, n_layers, T, 2P) -> (n, T, 2P): the top layer, or the equal-weight average that simple_elmo's
    softmax over zero-initialized scalars gives (gamma = 1)."""
    if mode == "top":
        return layers[:, -1]
    weight = np.float32(1.0 / layers.shape[1])
    return sum(weight * layers[:, i] for i in range(layers.shape[1]))


def read_sentences(path: Path) -> list[list[str]]:
    """One pre-tokenized sentence per line; blank lines are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise NorelmoError(f"{path}: cannot read sentences ({exc})") from exc
    sentences = [line.split() for line in lines if line.strip()]
    if not sentences:
        raise NorelmoError(f"{path}: no sentences")
    return sentences
