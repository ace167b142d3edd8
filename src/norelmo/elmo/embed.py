"""Contextual vectors from an exported model directory, computed the way simple_elmo computes them.

bilm-tf-style inference is stateful: each of `batch_size` rows keeps its LSTM state from the
previous batch, and simple_elmo first runs the first batch once to warm those states up. Doing
the same here gives the same vectors; positions past a sentence's end are zero.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from ..errors import NorelmoError
from .chars import CharIds
from .export import load_model_dir
from .model import BidirectionalLM

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

    def embed(self, sentences: list[list[str]], layers: str = "average", warmup: bool = True) -> np.ndarray:
        """simple_elmo's get_elmo_vectors: (n, max_len, 2P), or (n, n_layers, max_len, 2P) for 'all'."""
        if layers not in LAYER_MODES:
            raise NorelmoError(f"layers must be one of {', '.join(LAYER_MODES)}, not {layers!r}")
        if not sentences or any(len(s) == 0 for s in sentences):
            raise NorelmoError("every input sentence needs at least one token")
        n_layers = self.cfg.lstm.n_layers + 1
        max_len, dim = max(len(s) for s in sentences), 2 * self.cfg.lstm.projection_dim
        result = np.zeros((len(sentences), n_layers, max_len, dim), np.float32)
        chunks = [sentences[i : i + self.batch_size] for i in range(0, len(sentences), self.batch_size)]
        if warmup:
            self._run(chunks[0])
        for i, chunk in enumerate(chunks):
            out = self._run(chunk)
            result[i * self.batch_size : i * self.batch_size + len(chunk), :, : out.shape[2]] = out
        if layers == "all":
            return result
        if layers == "top":
            return result[:, -1]
        # Equal weights, as simple_elmo's softmax over zero-initialized scalars gives (gamma = 1).
        weight = np.float32(1.0 / n_layers)
        return sum(weight * result[:, i] for i in range(n_layers))


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
