"""Export in the formats users load: bilm-tf HDF5, options.json, the TF1-named checkpoint, the reverse import."""

import json

import h5py
import numpy as np
import pytest
import tensorflow as tf

from norelmo.elmo.bilm_format import tf1_variable_name
from norelmo.elmo.export import options_json, write_bilm_hdf5, write_model_dir
from norelmo.elmo.model import SOFTMAX_B, SOFTMAX_W, BidirectionalLM
from norelmo.elmo.model_files import load_model_dir, read_bilm_hdf5, read_tf1_checkpoint
from norelmo.elmo.train import starting_values
from norelmo.errors import NorelmoError

from .test_model import EXPECTED_LAYOUT
from .tiny import TINY, TINY_TRAIN

VOCAB_SIZE = 40


@pytest.fixture
def model_dir(tmp_path):
    model = BidirectionalLM.initialized(TINY, vocab_size=VOCAB_SIZE, seed=11)
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["<S>", "</S>", "<UNK>"] + [f"w{i}" for i in range(VOCAB_SIZE - 3)]) + "\n")
    out = tmp_path / "model"
    weights = {n: v.numpy() for n, v in model.weights.items()}
    write_model_dir(weights, options_json(TINY, VOCAB_SIZE, 1000, 3, 4), vocab, out)
    return out, weights


def test_hdf5_holds_exactly_the_layout_without_softmax(tmp_path):
    model = BidirectionalLM.initialized(TINY, vocab_size=40)
    write_bilm_hdf5(model.exported_weights(), tmp_path / "m.hdf5")
    with h5py.File(tmp_path / "m.hdf5") as f:
        found = {}
        f.visititems(lambda name, obj: found.__setitem__(name, obj.shape) if isinstance(obj, h5py.Dataset) else None)
        assert all(f[n].dtype == np.float32 for n in found)
    assert found == EXPECTED_LAYOUT


def test_hdf5_round_trip_is_exact(tmp_path):
    model = BidirectionalLM.initialized(TINY, vocab_size=None, seed=5)
    write_bilm_hdf5(model.exported_weights(), tmp_path / "a.hdf5")
    again = BidirectionalLM(TINY, read_bilm_hdf5(tmp_path / "a.hdf5", TINY))
    write_bilm_hdf5(again.exported_weights(), tmp_path / "b.hdf5")
    with h5py.File(tmp_path / "a.hdf5") as a, h5py.File(tmp_path / "b.hdf5") as b:
        for name in EXPECTED_LAYOUT:
            np.testing.assert_array_equal(a[name][...], b[name][...])


def test_truncated_hdf5_is_one_clear_error(tmp_path):
    model = BidirectionalLM.initialized(TINY, vocab_size=None)
    write_bilm_hdf5(model.exported_weights(), tmp_path / "m.hdf5")
    data = (tmp_path / "m.hdf5").read_bytes()
    (tmp_path / "cut.hdf5").write_bytes(data[: len(data) // 2])
    with pytest.raises(NorelmoError, match="cut.hdf5"):
        read_bilm_hdf5(tmp_path / "cut.hdf5", TINY)


def test_model_dir_has_the_loader_files_and_a_checkpoint_with_softmax(model_dir):
    out, weights = model_dir
    assert sorted(p.name for p in out.iterdir()) == [
        "checkpoint",
        "model.ckpt.data-00000-of-00001",
        "model.ckpt.index",
        "model.hdf5",
        "options.json",
        "vocab.txt",
    ]
    with h5py.File(out / "model.hdf5") as f:
        assert "softmax" not in f
    stored = read_tf1_checkpoint(out, sorted(weights))
    for name, value in weights.items():
        np.testing.assert_array_equal(stored[name], value)


def test_checkpoint_uses_bilm_tf_graph_names(model_dir):
    out, _ = model_dir
    names = {n for n, _ in tf.train.list_variables(str(out / "model.ckpt"))}
    assert "lm/char_embed" in names and "lm/softmax/W" in names and "lm/softmax/b" in names
    assert "lm/RNN_1/rnn/multi_rnn_cell/cell_1/lstm_cell/projection/kernel" in names
    assert tf1_variable_name("RNN_0/RNN/MultiRNNCell/Cell0/LSTMCell/B") == (
        "lm/RNN_0/rnn/multi_rnn_cell/cell_0/lstm_cell/bias"
    )


def test_options_carry_what_allennlp_and_simple_elmo_read(model_dir):
    """AllenNLP's ELMo reads these keys (and refuses a biLM without skip connections); both loaders want 262."""
    out, _ = model_dir
    options = json.loads((out / "options.json").read_text())
    lstm, cnn = options["lstm"], options["char_cnn"]
    assert lstm["use_skip_connections"] is True
    for key in ("projection_dim", "dim", "n_layers", "cell_clip", "proj_clip"):
        assert isinstance(lstm[key], int | float)
    assert cnn["activation"] in ("relu", "tanh") and cnn["n_characters"] == 262
    assert cnn["filters"] == [[1, 16], [2, 16], [3, 32]] and cnn["embedding"]["dim"] == 8
    assert cnn["n_highway"] == 2 and cnn["max_characters_per_token"] == 50
    with h5py.File(out / "model.hdf5") as f:  # AllenNLP reads CNN_proj unconditionally
        assert "CNN_proj/W_proj" in f and "CNN_proj/b_proj" in f


def test_reverse_import_gives_the_same_weights_softmax_included(model_dir):
    out, weights = model_dir
    cfg, loaded = load_model_dir(out, VOCAB_SIZE)
    assert cfg == TINY
    assert sorted(loaded) == sorted(weights)
    for name in weights:
        np.testing.assert_array_equal(loaded[name], weights[name])


def test_training_can_start_from_an_exported_model(model_dir):
    out, weights = model_dir
    train = TINY_TRAIN.__class__(**{**TINY_TRAIN.__dict__, "init_from": str(out)})
    values = starting_values(TINY, train, VOCAB_SIZE)
    for name in (SOFTMAX_W, SOFTMAX_B, "char_embed", "RNN_1/RNN/MultiRNNCell/Cell1/LSTMCell/W_0"):
        np.testing.assert_array_equal(values[name], weights[name])


def test_starting_from_a_model_of_another_shape_is_refused(model_dir):
    out, _ = model_dir
    other = TINY.__class__(**{**TINY.__dict__, "lstm": TINY.lstm.__class__(**{**TINY.lstm.__dict__, "dim": 64})})
    train = TINY_TRAIN.__class__(**{**TINY_TRAIN.__dict__, "init_from": str(out)})
    with pytest.raises(NorelmoError, match="train.init_from"):
        starting_values(other, train, VOCAB_SIZE)


@pytest.mark.parametrize("drop", ["lstm", "char_cnn"])
def test_options_missing_a_key_is_one_clear_error(model_dir, drop):
    out, _ = model_dir
    options = json.loads((out / "options.json").read_text())
    del options[drop]
    (out / "options.json").write_text(json.dumps(options))
    with pytest.raises(NorelmoError, match="options.json"):
        load_model_dir(out)


def test_options_with_an_impossible_character_count_are_refused(model_dir):
    out, _ = model_dir
    options = json.loads((out / "options.json").read_text())
    options["char_cnn"]["n_characters"] = 300
    (out / "options.json").write_text(json.dumps(options))
    with pytest.raises(NorelmoError, match="n_characters"):
        load_model_dir(out)


def test_a_file_that_is_not_hdf5_is_one_clear_error(model_dir):
    out, _ = model_dir
    (out / "model.hdf5").write_bytes(b"this is not HDF5 at all" * 100)
    with pytest.raises(NorelmoError, match="model.hdf5: not a readable HDF5 file"):
        load_model_dir(out)
