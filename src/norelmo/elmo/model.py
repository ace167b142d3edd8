"""The bilm-tf network in TensorFlow 2: character CNN, highway, projection, projected LSTMs, softmax.

Variables are kept in one dict keyed by their bilm-tf HDF5 dataset names, so export and import
are a plain copy. Functions take LSTM states in and hand new states back; the caller decides
whether states persist (training rows, simple_elmo-style inference) or not.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..config import ModelConfig
from .chars import N_CHARACTERS
from .lstm import lstm_step, projected_lstm, with_forget_bias
from .precision import matmul
from .wavefront import projected_lstm_levels

SOFTMAX_W, SOFTMAX_B = "softmax/W", "softmax/b"
DIRECTIONS = (0, 1)  # 0 = forward LM, 1 = backward LM


def lstm_prefix(direction: int, layer: int) -> str:
    return f"RNN_{direction}/RNN/MultiRNNCell/Cell{layer}/LSTMCell/"


def weight_shapes(cfg: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every exported weight, in bilm-tf's dump_weights layout."""
    cnn, lstm = cfg.char_cnn, cfg.lstm
    nf, p, e = cnn.n_filters, lstm.projection_dim, cnn.embedding_dim
    shapes: dict[str, tuple[int, ...]] = {"char_embed": (N_CHARACTERS, e)}
    for i, (width, num) in enumerate(cnn.filters):
        shapes[f"CNN/W_cnn_{i}"] = (1, width, e, num)
        shapes[f"CNN/b_cnn_{i}"] = (num,)
    for k in range(cnn.n_highway):
        for gate in ("carry", "transform"):
            shapes[f"CNN_high_{k}/W_{gate}"] = (nf, nf)
            shapes[f"CNN_high_{k}/b_{gate}"] = (nf,)
    if nf != p:
        shapes["CNN_proj/W_proj"] = (nf, p)
        shapes["CNN_proj/b_proj"] = (p,)
    for d in DIRECTIONS:
        for layer in range(lstm.n_layers):
            pre = lstm_prefix(d, layer)
            shapes[pre + "W_0"] = (p + p, 4 * lstm.dim)
            shapes[pre + "B"] = (4 * lstm.dim,)
            shapes[pre + "W_P_0"] = (lstm.dim, p)
    return shapes


def initial_values(cfg: ModelConfig, vocab_size: int | None, seed: int) -> dict[str, np.ndarray]:
    """bilm-tf's initializers: uniform char embeddings, Kim et al. CNN, highway carry bias -2, Glorot LSTMs."""
    rng = np.random.default_rng(seed)
    cnn = cfg.char_cnn
    values = {}
    for name, shape in weight_shapes(cfg).items():
        if name == "char_embed":
            v = rng.uniform(-1.0, 1.0, shape)
        elif name.startswith("CNN/W_cnn"):
            width = shape[1]
            if cnn.activation == "relu":
                v = rng.uniform(-0.05, 0.05, shape)
            else:
                v = rng.normal(0.0, np.sqrt(1.0 / (width * cnn.embedding_dim)), shape)
        elif name.endswith("/b_carry"):
            v = np.full(shape, -2.0)
        elif name.startswith(("CNN_high", "CNN_proj")) and "/W_" in name:
            v = rng.normal(0.0, np.sqrt(1.0 / cnn.n_filters), shape)
        elif name.endswith(("W_0", "W_P_0")):
            limit = np.sqrt(6.0 / (shape[0] + shape[1]))
            v = rng.uniform(-limit, limit, shape)
        else:
            v = np.zeros(shape)
        values[name] = v.astype(np.float32)
    if vocab_size is not None:
        p = cfg.lstm.projection_dim
        values[SOFTMAX_W] = rng.normal(0.0, 1.0 / np.sqrt(p), (vocab_size, p)).astype(np.float32)
        values[SOFTMAX_B] = np.zeros((vocab_size,), np.float32)
    return values


class BidirectionalLM(tf.Module):
    """Forward and backward LSTM language models over a shared character-CNN token embedding."""

    def __init__(self, cfg: ModelConfig, values: dict[str, np.ndarray]):
        super().__init__(name="bilm")
        self.cfg = cfg
        expected = weight_shapes(cfg)
        for name, shape in expected.items():
            if name not in values:
                raise KeyError(f"missing weight {name}")
            if tuple(values[name].shape) != shape:
                raise ValueError(f"weight {name} has shape {tuple(values[name].shape)}, options say {shape}")
        self.weights = {
            name: tf.Variable(v, name=name.replace("/", "__"), dtype=tf.float32) for name, v in values.items()
        }
        # The character CNN's convolutions as matmuls (same values): on GPUs and wherever XLA compiles
        # the step (the trainer sets it then); plain convolutions on CPUs.
        self.cnn_as_matmul = bool(tf.config.list_logical_devices("GPU"))
        # Training's two directions as one recurrence of batched products (window_lstms): where XLA
        # compiles the step (the trainer sets it then), as on GPUs; one after the other on CPUs.
        self.directions_side_by_side = self.cnn_as_matmul
        # XLA compiles the step (set by the trainer): the LSTMs' backward pass may use XLA's own ops.
        self.xla = False
        # Under XLA, the LSTM levels as a wavefront too (wavefront.py): a quarter fewer kernels by XLA's count, but more
        # memory traffic. Off: on an H200 the fp32 step took 3 to 4% longer with it, the bf16 step 2 to 6% less
        # (bench/gpu_check.sh; docs/performance.md).
        self.levels_as_wavefront = False

    @classmethod
    def initialized(cls, cfg: ModelConfig, vocab_size: int | None, seed: int = 0) -> BidirectionalLM:
        return cls(cfg, initial_values(cfg, vocab_size, seed))

    def exported_weights(self) -> dict[str, np.ndarray]:
        """Everything but the softmax, as bilm-tf's HDF5 holds it."""
        return {n: v.numpy() for n, v in self.weights.items() if not n.startswith("softmax/")}

    # -- token embedding -------------------------------------------------------------------
    def token_embedding(self, char_ids: tf.Tensor, dtype=None) -> tf.Tensor:
        """(..., chars) character ids in 0..260 -> (..., projection_dim) token vectors.

        `chars` is max_characters_per_token, or fewer leading columns cut by chars.needed_width
        (same output, less work); it must be known when the graph is built. `dtype`: of the products' operands.
        """
        lead = tf.shape(char_ids)[:-1]
        h = self.type_embeddings([tf.reshape(char_ids, [-1, char_ids.shape[-1]])], dtype)
        return tf.reshape(h, tf.concat([lead, [self.cfg.lstm.projection_dim]], axis=0))

    def type_embeddings(self, groups: list, dtype=None) -> tf.Tensor:
        """Groups of (rows, chars) character ids, each with its own width (a batch's short and long types,
        chars.split_short_long) -> (all groups' rows in order, projection_dim).

        Everything but the max over positions runs once for all groups: one product per filter width under
        cnn_as_matmul, and one bias, activation, highway and projection (the groups apart took 83 more
        kernels in the NorELMo XLA step).
        """
        cnn, w = self.cfg.char_cnn, self.weights
        widths = [g.shape[-1] for g in groups]
        counts = [tf.shape(g)[0] for g in groups]
        lookup = rows_with_dense_gradient if self.cnn_as_matmul else tf.gather
        flat = lookup(tf.convert_to_tensor(w["char_embed"]), tf.concat([tf.reshape(g, [-1]) for g in groups], 0))
        sizes = tf.stack([n * width for n, width in zip(counts, widths, strict=True)])
        xs = [  # (rows, chars, E) per group
            tf.reshape(x, [-1, width, cnn.embedding_dim])
            for x, width in zip(tf.split(flat, sizes, num=len(groups)), widths, strict=True)
        ]
        act = tf.nn.relu if cnn.activation == "relu" else tf.nn.tanh
        pooled = []
        for i, (filter_width, filters) in enumerate(cnn.filters):
            kernel = w[f"CNN/W_cnn_{i}"]  # (1, w, E, filters)
            spans = [width - filter_width + 1 for width in widths]
            if self.cnn_as_matmul:
                # The [1, w] convolution as one matmul over the unfolded windows of every group. cuDNN runs these
                # narrow convolutions as FFT convolutions whose workspace took 85 GiB at the NorELMo config
                # (../shared/gpu-step); as matmuls they take a fraction of the time and memory.
                cols = filter_width * cnn.embedding_dim
                windows = tf.concat(
                    [
                        tf.reshape(tf.concat([x[:, k : k + span] for k in range(filter_width)], -1), [-1, cols])
                        for x, span in zip(xs, spans, strict=True)
                    ],
                    axis=0,
                )  # (windows of all groups, w E)
                kernel_2d = tf.reshape(kernel, [cols, filters])
                # (filters, windows): positions last, so that the max over them reduces the minor dimension.
                conv = matmul(kernel_2d, windows, dtype, transpose_a=True, transpose_b=True)
                parts = tf.split(conv, tf.stack([n * span for n, span in zip(counts, spans, strict=True)]), 1, len(xs))
                tops = [
                    max_over_positions(tf.reshape(part, [filters, -1, span]))
                    for part, span in zip(parts, spans, strict=True)
                ]
                top = tf.transpose(tf.concat(tops, axis=1))
            else:  # oneDNN's convolution is the faster one on CPUs (the tiny config's step: 2 to 11%)
                tops = []
                for x, span in zip(xs, spans, strict=True):
                    if dtype is None:
                        conv = tf.nn.conv2d(x[:, tf.newaxis], kernel, strides=1, padding="VALID")
                    else:
                        conv = tf.nn.conv2d(tf.cast(x, dtype)[:, tf.newaxis], tf.cast(kernel, dtype), 1, "VALID")
                        conv = tf.cast(conv, tf.float32)
                    # Max over positions, then the bias: the same values as bilm-tf's max(conv + b), as rounding is
                    # monotonic. On CPUs max_pool's gradient kernel is far cheaper than reduce_max's.
                    tops.append(tf.nn.max_pool2d(conv, ksize=[1, span], strides=1, padding="VALID")[:, 0, 0])
                top = tf.concat(tops, axis=0)
            pooled.append(act(top + w[f"CNN/b_cnn_{i}"]))
        h = tf.concat(pooled, axis=-1)
        for k in range(cnn.n_highway):
            carry = tf.sigmoid(matmul(h, w[f"CNN_high_{k}/W_carry"], dtype) + w[f"CNN_high_{k}/b_carry"])
            transform = tf.nn.relu(matmul(h, w[f"CNN_high_{k}/W_transform"], dtype) + w[f"CNN_high_{k}/b_transform"])
            h = carry * transform + (1.0 - carry) * h
        if "CNN_proj/W_proj" in w:
            h = matmul(h, w["CNN_proj/W_proj"], dtype) + w["CNN_proj/b_proj"]
        return h

    # -- LSTMs -----------------------------------------------------------------------------
    def lstm_layer(self, direction, layer, x, mask, state):
        """One projected LSTM layer over (batch, time, P) inputs of any length.

        Gates are packed i, j, f, o as in TF1's LSTMCell; the forget bias of 1 is added here, not
        stored. Where `mask` is False the state is carried through unchanged and the output is 0,
        which is how dynamic_rnn treats steps past a sequence's length. `mask=None` means all True.
        """
        lstm, w = self.cfg.lstm, self.weights
        pre = lstm_prefix(direction, layer)
        out, final = self._masked_lstm(x, mask, state, w[pre + "W_0"], w[pre + "B"], w[pre + "W_P_0"])
        if layer > 0 and lstm.use_skip_connections:
            out = out + (x if mask is None else x * tf.cast(mask, x.dtype)[:, :, tf.newaxis])
        return out, final

    def _masked_lstm(self, x, mask, state, kernel, bias, w_proj):
        """Sentences of any length: a tf.scan whose steps past a row's length keep its state."""
        lstm, p = self.cfg.lstm, self.cfg.lstm.projection_dim
        # The input half of the gates for all steps in one matmul; only h @ W_h is sequential.
        gates_x = tf.einsum("btp,pg->tbg", x, kernel[:p]) + with_forget_bias(bias, lstm.dim)
        w_h = kernel[p:]

        def cell(c_prev, h_prev, g_x):
            return lstm_step(g_x + h_prev @ w_h, c_prev, w_proj, lstm.cell_clip, lstm.proj_clip)[:2]

        if mask is None:
            mask = tf.ones(tf.shape(x)[:2], tf.bool)
        step_mask = tf.transpose(tf.cast(mask, tf.float32))[:, :, tf.newaxis]

        def step(carry, inputs):
            g_x, keep = inputs
            c, h = cell(carry[0], carry[1], g_x)
            return keep * c + (1.0 - keep) * carry[0], keep * h + (1.0 - keep) * carry[1]

        cs, hs = tf.scan(step, (gates_x, step_mask), initializer=state)
        return tf.transpose(hs * step_mask, [1, 0, 2]), (cs[-1], hs[-1])

    def lstm_stack(self, direction, x, mask, states):
        """All LSTM layers of one direction over sentences; returns every layer's outputs and the new states."""
        outputs, new_states = [], []
        for layer in range(self.cfg.lstm.n_layers):
            x, st = self.lstm_layer(direction, layer, x, mask, states[layer])
            outputs.append(x)
            new_states.append(st)
        return outputs, new_states

    def window_lstms(self, xs, states, dropout=None, dtype=None):
        """Both directions' LSTM stacks over training windows (fixed length, no padding), time-major.

        xs: per direction (forward LM, backward LM), the token vectors (T, B, P); states: per direction,
        per layer, (c (B, D), h (B, P)); `dropout`: (direction, layer, T, B, P) scales of each layer's input,
        as bilm-tf's DropoutWrapper(input_keep_prob) drops it (see dropout_scales); `dtype`: of the products'
        operands. Returns per direction the top layer's outputs (T, B, P), and the new states. A static
        unroll with lstm.projected_lstm's hand-written backward pass; with `directions_side_by_side` each
        level's two layers run as one (XLA, GPUs), else each direction's stack on its own (CPUs).
        """
        lstm, w = self.cfg.lstm, self.weights
        clips = lstm.cell_clip, lstm.proj_clip

        def layer_args(d, layer):  # W_0, B, W_P_0, and the state (c, h) the layer starts from
            return [*(w[lstm_prefix(d, layer) + n] for n in ("W_0", "B", "W_P_0")), *states[d][layer]]

        def level_args(layer):  # layer_args of both directions, each stacked (direction, ...)
            return [tf.stack(pair) for pair in zip(*(layer_args(d, layer) for d in DIRECTIONS), strict=True)]

        def level(layer, x, args, drop):
            if drop is not None:
                x = x * drop
            out, c, h = projected_lstm(x, *args, *clips, dtype, xla=self.xla)
            return (out + x if layer > 0 and lstm.use_skip_connections else out), (c, h)

        if not self.directions_side_by_side:
            tops, new_states = [], []
            for d, x in zip(DIRECTIONS, xs, strict=True):
                finals = []
                for layer in range(lstm.n_layers):
                    x, final = level(layer, x, layer_args(d, layer), None if dropout is None else dropout[d, layer])
                    finals.append(final)
                tops.append(x)
                new_states.append(finals)
            return tops, new_states
        x, finals = tf.stack(xs, axis=1), []  # (T, direction, B, P)
        if self.xla and self.levels_as_wavefront:
            return self._wavefront_lstms(x, level_args, dropout, dtype)
        for layer in range(lstm.n_layers):
            drop = None if dropout is None else tf.transpose(dropout[:, layer], [1, 0, 2, 3])
            x, final = level(layer, x, level_args(layer), drop)
            finals.append(final)
        new_states = [[(c[d], h[d]) for c, h in finals] for d in DIRECTIONS]
        return tf.unstack(x, axis=1), new_states

    def _wavefront_lstms(self, x, level_args, dropout, dtype):
        """window_lstms under XLA: both directions side by side and the levels as a wavefront (wavefront.py);
        `level_args(layer)`: W_0, B, W_P_0, c0 and h0 of both directions, (direction, ...)."""
        lstm = self.cfg.lstm
        per_level = [level_args(lv) for lv in range(lstm.n_layers)]
        args = [tf.stack(same) for same in zip(*per_level, strict=True)]  # (level, direction, ...)
        drops = None
        if dropout is not None:
            x = x * tf.transpose(dropout[:, 0], [1, 0, 2, 3])
            drops = tf.transpose(dropout[:, 1:], [1, 2, 0, 3, 4])  # (level above the first, T, direction, B, P)
        top, c, h = projected_lstm_levels(
            x, *args, lstm.cell_clip, lstm.proj_clip, drops, lstm.use_skip_connections, dtype
        )
        new_states = [[(c[lv, d], h[lv, d]) for lv in range(lstm.n_layers)] for d in DIRECTIONS]
        return tf.unstack(top, axis=1), new_states

    def zero_states(self, batch_size: int):
        """Per direction, per layer: (cell (B, dim), projected output (B, P)) zeros."""
        lstm = self.cfg.lstm
        return [
            [
                (tf.zeros([batch_size, lstm.dim]), tf.zeros([batch_size, lstm.projection_dim]))
                for _ in range(lstm.n_layers)
            ]
            for _ in DIRECTIONS
        ]

    def bilm_layers(self, char_ids, lengths, states):
        """ELMo layers for padded sentences that include <S> and </S>.

        Returns the list [token layer, LSTM layer 1, ...] each (batch, time, 2P) as [forward; backward]
        (the token layer is the embedding twice, as bilm-tf builds it) and the new states.
        """
        emb = self.token_embedding(char_ids)
        mask = tf.sequence_mask(lengths, tf.shape(char_ids)[1])
        fw, fw_states = self.lstm_stack(0, emb, mask, states[0])
        rev = tf.reverse_sequence(emb, lengths, seq_axis=1, batch_axis=0)
        bw, bw_states = self.lstm_stack(1, rev, mask, states[1])
        bw = [tf.reverse_sequence(o, lengths, seq_axis=1, batch_axis=0) for o in bw]
        layers = [tf.concat([emb, emb], axis=-1)] + [tf.concat([f, b], axis=-1) for f, b in zip(fw, bw, strict=False)]
        return layers, [fw_states, bw_states]


@tf.custom_gradient
def rows_with_dense_gradient(table, ids):
    """tf.gather(table, ids), whose gradient is summed by a product with the ids' one-hot rows.

    For a small table (the 261 character embeddings): XLA (GPUs) sums tf.gather's gradient by a scatter-add
    whose rows (128,000 at the NorELMo config) land on those 261, and their atomic adds took 0.39 ms of the
    step's 16.4 on an H100; as a product it is a 1 GFLOP matmul.
    """
    rows = tf.gather(table, ids)

    def backward(d_rows):
        one_hot = tf.one_hot(tf.reshape(ids, [-1]), table.shape[0], dtype=d_rows.dtype)
        return tf.matmul(one_hot, tf.reshape(d_rows, [-1, table.shape[-1]]), transpose_a=True), None

    return rows, backward


@tf.custom_gradient
def rows_with_one_gradient(table, ids):
    """tf.gather(table, ids), whose gradient is made dense once, by one scatter-add into the table's rows.

    tf.gather's gradient is sparse (IndexedSlices), and each op that reads it makes its own dense copy. The type
    vectors' gradient has two readers (the projection's bias sum and its products), so it was summed twice; in a
    bf16 step XLA made the products' copy a bfloat16 scatter-add: 1.6 ms of the NorELMo step's 9.4 on an H200.
    """
    rows = tf.gather(table, ids)

    def backward(d_rows):
        return tf.math.unsorted_segment_sum(d_rows, ids, tf.shape(table)[0]), None

    return rows, backward


@tf.custom_gradient
def max_over_positions(conv):
    """(..., positions) -> (...): the maximum over positions, its gradient sent to the first position that
    holds it, as max_pool's is.

    Under XLA (GPUs) max_pool and its gradient compile to a transposed copy of the convolution's output, a
    windowed reduction with indices, a broadcast and a scatter: 1.95 ms of the NorELMo step's 16.4 on an H100,
    and the convolution's output kept for the backward pass. Here one reduction with the argmax over the minor
    dimension (no transposed copy), the maximum read at it, and a one-hot select backward; the backward pass
    keeps only the indices. Where positions tie, their windows are equal (all padding), so one of them taking
    the whole gradient adds up to the same weight and embedding gradients as splitting it.
    """
    first = tf.argmax(conv, axis=-1, output_type=tf.int32)
    # The maximum read at its index, not by a second reduction: one pass over the convolution's output.
    top = tf.gather(conv, first, batch_dims=conv.shape.rank - 1)

    def backward(d_top):
        return tf.one_hot(first, conv.shape[-1], dtype=d_top.dtype) * d_top[..., tf.newaxis]

    return top, backward


def dropout_scales(rate: float, seed, sites: list[int], rows: tuple, shape: list):
    """Dropout for every site of a step at once: 0 where dropped, 1 / (1 - rate) where kept.

    Returns (*sites, *shape), where shape = (rows of this slice of the batch, ...). Stateless: the
    seed (shape [2]) fixes the masks, so a resumed run repeats them. They are drawn for the whole
    batch (`rows` = (first row of this slice, rows of the whole batch)) and cut to this slice's
    rows, so a batch split over several devices drops exactly what one device would. One draw per
    step, not one per site: each random op costs more than the multiplications it feeds.
    """
    first, total = rows
    full = tf.random.stateless_uniform([*sites, total, *shape[1:]], seed)
    mine = full[(slice(None),) * len(sites) + (slice(first, first + shape[0]),)]
    return tf.cast(mine >= rate, tf.float32) * (1.0 / (1.0 - rate))


def sampled_softmax_loss(weights, biases, inputs, labels, sampled, true_expected, sampled_expected, dtype=None):
    """Per-row loss of tf.nn.sampled_softmax_loss (remove_accidental_hits=True) for given negatives.

    Written out because the library op draws its own negatives with a stateful sampler (which
    XLA cannot compile and a resumed run cannot repeat); the negatives come from the data pipeline.
    """
    true_logits = tf.reduce_sum(inputs * tf.gather(weights, labels), axis=-1) + tf.gather(biases, labels)
    true_logits -= tf.math.log(true_expected)
    sampled_logits = matmul(inputs, tf.gather(weights, sampled), dtype, transpose_b=True) + tf.gather(biases, sampled)
    sampled_logits -= tf.math.log(sampled_expected)
    hits = tf.equal(labels[:, tf.newaxis], sampled[tf.newaxis, :])
    sampled_logits += tf.where(hits, tf.float32.min, 0.0)
    # log(exp(true) + sum(exp(sampled))) without joining the two into one (rows, 1 + negatives) tensor: under
    # XLA the join and the backward pass's slices apart copied the logits (126 MB each at the NorELMo config).
    top = tf.stop_gradient(tf.maximum(true_logits, tf.reduce_max(sampled_logits, axis=1)))
    total = tf.exp(true_logits - top) + tf.reduce_sum(tf.exp(sampled_logits - top[:, tf.newaxis]), axis=1)
    return top + tf.math.log(total) - true_logits
