"""Layer shapes, the HDF5 layout and a loss that falls on real sample sentences."""

import json

import numpy as np
import pytest
import tensorflow as tf

from norelmo.elmo.export import options_json, restore_weights, write_model_dir
from norelmo.elmo.model import BidirectionalLM, weight_shapes
from norelmo.elmo.train import train_bilm
from norelmo.errors import NorelmoError

from .tiny import TINY, TINY_TRAIN

# The bilm-tf dump_weights layout for TINY, written out from the format's facts: nf = 64, P = 16, D = 48.
EXPECTED_LAYOUT = {
    "char_embed": (261, 8),
    "CNN/W_cnn_0": (1, 1, 8, 16),
    "CNN/b_cnn_0": (16,),
    "CNN/W_cnn_1": (1, 2, 8, 16),
    "CNN/b_cnn_1": (16,),
    "CNN/W_cnn_2": (1, 3, 8, 32),
    "CNN/b_cnn_2": (32,),
    "CNN_high_0/W_carry": (64, 64),
    "CNN_high_0/b_carry": (64,),
    "CNN_high_0/W_transform": (64, 64),
    "CNN_high_0/b_transform": (64,),
    "CNN_high_1/W_carry": (64, 64),
    "CNN_high_1/b_carry": (64,),
    "CNN_high_1/W_transform": (64, 64),
    "CNN_high_1/b_transform": (64,),
    "CNN_proj/W_proj": (64, 16),
    "CNN_proj/b_proj": (16,),
}
for d in (0, 1):
    for layer in (0, 1):
        pre = f"RNN_{d}/RNN/MultiRNNCell/Cell{layer}/LSTMCell/"
        EXPECTED_LAYOUT.update({pre + "W_0": (32, 192), pre + "B": (192,), pre + "W_P_0": (48, 16)})


def test_weights_have_bilm_tf_names_and_shapes():
    assert weight_shapes(TINY) == EXPECTED_LAYOUT


def test_layers_have_elmo_shapes_and_zero_lstm_output_past_the_end():
    model = BidirectionalLM.initialized(TINY, vocab_size=None)
    ids = tf.random.uniform((3, 7, 50), 0, 261, dtype=tf.int32)
    lengths = tf.constant([7, 4, 3])
    layers, states = model.bilm_layers(ids, lengths, model.zero_states(3))
    assert [tuple(x.shape) for x in layers] == [(3, 7, 32)] * 3
    assert np.all(layers[1].numpy()[1, 4:] == 0) and np.all(layers[2].numpy()[2, 3:] == 0)
    assert [tuple(s.shape) for s in states[0][1]] == [(3, 48), (3, 16)]


def bilm_tf_token_embedding(model, char_ids):
    """The character CNN as bilm-tf writes it: conv + bias, max over positions, activation."""
    w = model.weights
    x = tf.gather(w["char_embed"], char_ids)[:, tf.newaxis]
    pooled = []
    for i in range(len(TINY.char_cnn.filters)):
        conv = tf.nn.conv2d(x, w[f"CNN/W_cnn_{i}"], strides=1, padding="VALID") + w[f"CNN/b_cnn_{i}"]
        pooled.append(tf.nn.relu(tf.reduce_max(conv, axis=[1, 2])))
    h = tf.concat(pooled, axis=-1)
    for k in range(TINY.char_cnn.n_highway):
        carry = tf.sigmoid(h @ w[f"CNN_high_{k}/W_carry"] + w[f"CNN_high_{k}/b_carry"])
        transform = tf.nn.relu(h @ w[f"CNN_high_{k}/W_transform"] + w[f"CNN_high_{k}/b_transform"])
        h = carry * transform + (1.0 - carry) * h
    return h @ w["CNN_proj/W_proj"] + w["CNN_proj/b_proj"]


@pytest.mark.parametrize("as_matmul", [False, True])
def test_token_embedding_and_its_gradients_equal_bilm_tf_formulation(as_matmul):
    """Short words (long runs of equal padding windows, so tied maxima) and random ones alike, with the
    convolutions as convolutions (CPUs) and as matmuls over the unfolded windows (GPUs, XLA)."""
    from norelmo.elmo.chars import token_char_ids

    model = BidirectionalLM.initialized(TINY, vocab_size=None, seed=5)
    model.cnn_as_matmul = as_matmul
    words = ["å", "og", "kontorer", "x" * 60] + ["".join(map(chr, range(97 + k, 104 + k))) for k in range(8)]
    ids = tf.constant(np.stack([token_char_ids(w_, 50) for w_ in words]), tf.int32)
    names = [n for n in model.weights if not n.startswith("RNN_")]
    variables = [model.weights[n] for n in names]
    results = []
    for embed in (model.token_embedding, lambda c: bilm_tf_token_embedding(model, c)):
        with tf.GradientTape() as tape:
            out = embed(ids)
            loss = tf.reduce_sum(out * tf.range(1.0, 1.0 + out.shape[-1]))
        results.append([out, *map(tf.convert_to_tensor, tape.gradient(loss, variables))])
    for name, ours, ref in zip(["output", *names], *results, strict=True):
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5, err_msg=name)


@pytest.mark.parametrize("as_matmul", [False, True], ids=["conv2d", "matmul"])
def test_cnn_over_short_and_long_groups_cut_to_their_widths_equals_the_full_width(as_matmul):
    """Cutting the padding columns (chars.split_short_long) changes neither outputs nor gradients, whether
    the groups are embedded together (type_embeddings, as training does) or one after the other."""
    from norelmo.elmo.chars import split_short_long, token_char_ids

    model = BidirectionalLM.initialized(TINY, vocab_size=None, seed=7)
    model.cnn_as_matmul = as_matmul
    words = ["<S>", "i", "og", "kontorer", "kontorbygningene", "x" * 60, "æ" * 30, "Oslo", ".", "sjøen"]
    full = np.stack([token_char_ids(w_, 50) for w_ in words]).astype(np.int32)
    short, long, short_width, long_width = split_short_long(full, widest_filter=3)
    assert short_width < 50 and long_width == 50  # the 60-byte token needs every column
    assert {words[i] for i in long} == {"kontorbygningene", "x" * 60, "æ" * 30}
    order = np.concatenate([short, long])
    names = [n for n in model.weights if not n.startswith("RNN_")]
    weight = tf.random.stateless_normal([len(words), 16], [1, 2])
    results = []
    cut = [tf.constant(full[short, :short_width]), tf.constant(full[long, :long_width])]
    for embed in (
        lambda: model.token_embedding(tf.constant(full)),
        lambda: tf.gather(tf.concat([model.token_embedding(g) for g in cut], 0), np.argsort(order)),
        lambda: tf.gather(model.type_embeddings(cut), np.argsort(order)),  # back to the words' order
    ):
        with tf.GradientTape() as tape:
            out = embed()
            loss = tf.reduce_sum(out * weight)
        grads = tape.gradient(loss, [model.weights[n] for n in names])
        results.append([out, *map(tf.convert_to_tensor, grads)])
    for name, ref, *cuts in zip(["output", *names], *results, strict=True):
        for got in cuts:
            np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5, err_msg=name)


def test_rows_with_one_gradient_sum_the_gradient_of_repeated_rows():
    from norelmo.elmo.model import rows_with_one_gradient

    table = tf.random.stateless_normal([6, 4], [3, 4])
    ids = tf.constant([[0, 2, 2], [5, 2, 0]])  # repeats, and rows 1, 3, 4 never read
    weight = tf.random.stateless_normal([2, 3, 4], [5, 6])
    grads = []
    for gather in (tf.gather, rows_with_one_gradient):
        with tf.GradientTape() as tape:
            tape.watch(table)
            rows = gather(table, ids)
            loss = tf.reduce_sum(rows * weight)
        np.testing.assert_array_equal(rows.numpy(), tf.gather(table, ids).numpy())
        grads.append(tf.convert_to_tensor(tape.gradient(loss, table)).numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)
    np.testing.assert_array_equal(grads[1][[1, 3, 4]], 0.0)


def test_training_lowers_the_loss_and_export_writes_loader_files(tmp_path):
    lines = [
        "Oslo er en stor by i Norge .",
        "Bergen har mange kontorer og skoler .",
        "Kirken ble bygd i 1150 .",
        "Trondheim ligger ved en lang elv .",
        "Elva renner gjennom byen .",
        "Byen har en gammel kirke .",
    ] * 20
    corpus = tmp_path / "tokens.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    words = sorted({w for line in lines for w in line.split()})
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["<S>", "</S>", "<UNK>", *words]) + "\n", encoding="utf-8")
    n_tokens = sum(len(line.split()) for line in lines)
    train = TINY_TRAIN.__class__(**{**TINY_TRAIN.__dict__, "epochs": 8})
    summary = train_bilm(TINY, train, [corpus], vocab, n_tokens, tmp_path / "ckpt", tmp_path / "logs", progress=False)
    losses = [json.loads(x)["loss"] for x in (tmp_path / "logs" / "metrics.jsonl").read_text().splitlines()]
    assert summary["batches"] == 8 * (n_tokens // (4 * 5))
    assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:3])
    assert (tmp_path / "logs" / "loss.png").read_bytes()[:4] == b"\x89PNG"
    assert list((tmp_path / "logs" / "tensorboard").glob("events.out.tfevents.*"))

    model = restore_weights(TINY, len(words) + 3, tmp_path / "ckpt")
    opts = options_json(TINY, len(words) + 3, n_tokens, 8, 4)
    write_model_dir(model.exported_weights(), opts, vocab, tmp_path / "model")
    options = json.loads((tmp_path / "model" / "options.json").read_text())
    assert options["char_cnn"]["n_characters"] == 262 and options["lstm"]["use_skip_connections"] is True
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["model.hdf5", "options.json", "vocab.txt"]


def test_negative_samples_must_be_fewer_than_the_vocabulary(tmp_path):
    corpus = tmp_path / "t.txt"
    corpus.write_text("a b c\n", encoding="utf-8")
    vocab = tmp_path / "v.txt"
    vocab.write_text("<S>\n</S>\n<UNK>\na\nb\nc\n", encoding="utf-8")
    with pytest.raises(NorelmoError, match="n_negative_samples_batch"):
        train_bilm(TINY, TINY_TRAIN, [corpus], vocab, 3, tmp_path / "c", tmp_path / "l", progress=False)


def test_training_files_without_sentences_are_one_clear_error(tmp_path):
    """The error comes from the data pipeline, which runs inside tf.data: it must arrive as it was raised."""
    corpus = tmp_path / "empty.txt"
    corpus.write_text("\n\n\n", encoding="utf-8")
    vocab = tmp_path / "v.txt"
    vocab.write_text("<S>\n</S>\n<UNK>\n" + "".join(f"w{k}\n" for k in range(40)), encoding="utf-8")
    with pytest.raises(NorelmoError, match=r"hold no sentences: .*empty\.txt"):
        train_bilm(TINY, TINY_TRAIN, [corpus], vocab, 100, tmp_path / "c", tmp_path / "l", progress=False)
