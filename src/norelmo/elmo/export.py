"""Weight I/O: the model directory that ELMo loaders read (model.hdf5 in bilm-tf's layout, options.json,
vocab.txt, a TF1-named checkpoint), and the weights of the trainer's own checkpoints."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import h5py
import numpy as np
import tensorflow as tf

from ..atomic import atomic_path, atomic_text
from ..config import ModelConfig
from ..errors import NorelmoError
from ..progress import progress_bar
from .model import SOFTMAX_B, SOFTMAX_W, BidirectionalLM, weight_shapes

INFERENCE_N_CHARACTERS = 262  # loaders add 1 to every character id and keep 0 for padding
CHECKPOINT_PREFIX = "model.ckpt"
LOADER_FILES = ("model.hdf5", "options.json", "vocab.txt")
_RNN_FILE_NAME = re.compile(r"^RNN_(\d+)/RNN/MultiRNNCell/Cell(\d+)/LSTMCell/(W_0|B|W_P_0)$")
_RNN_GRAPH_LEAF = {"W_0": "kernel", "B": "bias", "W_P_0": "projection/kernel"}


def options_json(cfg: ModelConfig, n_tokens_vocab: int, n_train_tokens: int, epochs: int, batch_size: int) -> dict:
    """options.json in bilm-tf's shape: the keys its trainer writes plus n_characters set for inference."""
    cnn, lstm = cfg.char_cnn, cfg.lstm
    return {
        "bidirectional": True,
        "char_cnn": {
            "activation": cnn.activation,
            "embedding": {"dim": cnn.embedding_dim},
            "filters": [list(f) for f in cnn.filters],
            "max_characters_per_token": cnn.max_characters_per_token,
            "n_characters": INFERENCE_N_CHARACTERS,
            "n_highway": cnn.n_highway,
        },
        "dropout": cfg.dropout,
        "lstm": {
            "cell_clip": lstm.cell_clip,
            "dim": lstm.dim,
            "n_layers": lstm.n_layers,
            "proj_clip": lstm.proj_clip,
            "projection_dim": lstm.projection_dim,
            "use_skip_connections": lstm.use_skip_connections,
        },
        "all_clip_norm_val": cfg.all_clip_norm_val,
        "n_epochs": epochs,
        "n_train_tokens": n_train_tokens,
        "batch_size": batch_size,
        "n_tokens_vocab": n_tokens_vocab,
        "unroll_steps": cfg.unroll_steps,
        "n_negative_samples_batch": cfg.n_negative_samples_batch,
        "learning_rate": cfg.learning_rate,
    }


def model_config_from_options(options: dict, source: str = "options.json") -> ModelConfig:
    """The ModelConfig an options.json describes (keys the trainer alone uses fall back to defaults)."""
    n_characters = options.get("char_cnn", {}).get("n_characters")
    if n_characters not in (261, 262):
        raise NorelmoError(f"{source}: char_cnn.n_characters is {n_characters!r}; it must be 262 (or 261 in training)")
    try:
        cnn, lstm = options["char_cnn"], options["lstm"]
        return ModelConfig.from_dict(
            {
                "char_cnn": {
                    "activation": cnn["activation"],
                    "embedding": {"dim": cnn["embedding"]["dim"]},
                    "filters": cnn["filters"],
                    "max_characters_per_token": cnn["max_characters_per_token"],
                    "n_highway": cnn.get("n_highway", 0),
                },
                "lstm": {
                    "dim": lstm["dim"],
                    "projection_dim": lstm["projection_dim"],
                    "n_layers": lstm.get("n_layers", 1),
                    "cell_clip": lstm.get("cell_clip", 3),
                    "proj_clip": lstm.get("proj_clip", 3),
                    "use_skip_connections": lstm["use_skip_connections"],
                },
                "dropout": options.get("dropout", 0.1),
                "n_negative_samples_batch": options.get("n_negative_samples_batch", 8192),
                "unroll_steps": options.get("unroll_steps", 20),
                "all_clip_norm_val": options.get("all_clip_norm_val", 10.0),
                "learning_rate": options.get("learning_rate", 0.2),
            }
        )
    except KeyError as exc:
        raise NorelmoError(f"{source}: missing key {exc.args[0]!r}") from exc


def write_bilm_hdf5(weights: dict[str, np.ndarray], path: Path) -> None:
    with h5py.File(path, "w") as f:
        for name in sorted(weights):
            f.create_dataset(name, data=np.asarray(weights[name], dtype=np.float32))


def read_bilm_hdf5(path: Path, cfg: ModelConfig, source=None) -> dict[str, np.ndarray]:
    """The weights of a bilm-tf HDF5 file, checked against the shapes `cfg` implies; `source`: an open file of it
    (a zip member), with `path` naming it in errors."""
    try:
        with h5py.File(path if source is None else source, "r") as f:
            values = {}
            for name, shape in weight_shapes(cfg).items():
                if name not in f:
                    raise NorelmoError(f"{path}: dataset {name} is missing")
                values[name] = f[name][...].astype(np.float32)
                if values[name].shape != shape:
                    raise NorelmoError(f"{path}: dataset {name} has shape {values[name].shape}, options say {shape}")
    except OSError as exc:
        raise NorelmoError(f"{path}: not a readable HDF5 file ({exc})") from exc
    return values


def tf1_variable_name(name: str) -> str:
    """The variable name bilm-tf's TF1 training graph gives a weight (what its checkpoints hold)."""
    m = _RNN_FILE_NAME.match(name)
    if m:
        d, layer, leaf = m.groups()
        return f"lm/RNN_{d}/rnn/multi_rnn_cell/cell_{layer}/lstm_cell/{_RNN_GRAPH_LEAF[leaf]}"
    return "lm/" + name


def write_tf1_checkpoint(weights: dict[str, np.ndarray], directory: Path) -> None:
    """A name-based TF checkpoint in bilm-tf's variable names, softmax included.

    This is what simple_elmo's full-LM mode (`load(..., full=True)`) and bilm-tf's restart read;
    the `checkpoint` state file makes `tf.train.latest_checkpoint(directory)` find it.
    """
    directory = Path(directory)
    names = sorted(weights)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".ckpt.") as tmp:
        tf.raw_ops.SaveV2(
            prefix=str(Path(tmp) / CHECKPOINT_PREFIX),
            tensor_names=[tf1_variable_name(n) for n in names],
            shape_and_slices=[""] * len(names),
            tensors=[tf.constant(weights[n], tf.float32) for n in names],
        )
        for f in sorted(Path(tmp).iterdir()):
            os.replace(f, directory / f.name)
    with atomic_text(directory / "checkpoint") as fh:
        fh.write(f'model_checkpoint_path: "{CHECKPOINT_PREFIX}"\nall_model_checkpoint_paths: "{CHECKPOINT_PREFIX}"\n')


def read_tf1_checkpoint(directory: Path, names: list[str]) -> dict[str, np.ndarray]:
    """The named weights (file names, as in the HDF5) from a bilm-tf-style checkpoint in `directory`."""
    latest = tf.train.latest_checkpoint(str(directory))
    if latest is None:
        raise NorelmoError(f"{directory}: no TensorFlow checkpoint (checkpoint, {CHECKPOINT_PREFIX}.*) found")
    reader = tf.train.load_checkpoint(latest)
    missing = [n for n in names if not reader.has_tensor(tf1_variable_name(n))]
    if missing:
        raise NorelmoError(f"{latest}: checkpoint lacks {', '.join(tf1_variable_name(n) for n in missing)}")
    return {n: reader.get_tensor(tf1_variable_name(n)).astype(np.float32) for n in names}


def write_model_dir(weights: dict[str, np.ndarray], options: dict, vocab: Path, out: Path) -> None:
    """Write model.hdf5, vocab.txt, the TF checkpoint (when `weights` has the softmax) and options.json.

    Each file appears only when complete; options.json comes last.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(out / "model.hdf5") as tmp:
        write_bilm_hdf5({n: w for n, w in weights.items() if not n.startswith("softmax/")}, tmp)
    with atomic_path(out / "vocab.txt") as tmp:
        shutil.copyfile(vocab, tmp)
    if SOFTMAX_W in weights:
        write_tf1_checkpoint(weights, out)
    with atomic_text(out / "options.json") as fh:
        fh.write(json.dumps(options, indent=2) + "\n")


def write_model_zip(model_dir: Path, out: Path) -> None:
    """model.hdf5, options.json and vocab.txt in one zip, as the NLPL repository publishes ELMo models."""
    with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in LOADER_FILES:
            zf.write(Path(model_dir) / name, name)


def load_model_dir(model_dir: Path, vocab_size: int | None = None) -> tuple[ModelConfig, dict[str, np.ndarray]]:
    """An existing bilm-tf model (a published NorELMo one, say): its config and weights.

    `model_dir` may also be a zip of model.hdf5 and options.json, as the NLPL repository publishes models (and
    simple_elmo reads them). With `vocab_size`, the softmax is read from the directory's TF checkpoint when it
    has one of that size, so training can continue from it.
    """
    model_dir = Path(model_dir)
    if model_dir.is_file() and zipfile.is_zipfile(model_dir):
        return _load_model_zip(model_dir)
    options = load_options(model_dir)
    cfg = model_config_from_options(options, str(model_dir / "options.json"))
    weights = read_bilm_hdf5(model_dir / "model.hdf5", cfg)
    if vocab_size is not None and tf.train.latest_checkpoint(str(model_dir)):
        softmax = read_tf1_checkpoint(model_dir, [SOFTMAX_W, SOFTMAX_B])
        if softmax[SOFTMAX_W].shape == (vocab_size, cfg.lstm.projection_dim):
            weights.update(softmax)
    return cfg, weights


def _load_model_zip(archive: Path) -> tuple[ModelConfig, dict[str, np.ndarray]]:
    with zipfile.ZipFile(archive) as zf:
        missing = [name for name in ("options.json", "model.hdf5") if name not in zf.namelist()]
        if missing:
            raise NorelmoError(f"{archive}: no {' or '.join(missing)} in the zip")
        try:
            options = json.loads(zf.read("options.json"))
        except json.JSONDecodeError as exc:
            raise NorelmoError(f"{archive}: options.json: cannot read options ({exc})") from exc
        cfg = model_config_from_options(options, f"{archive}: options.json")
        with zf.open("model.hdf5") as member:
            return cfg, read_bilm_hdf5(Path(f"{archive}: model.hdf5"), cfg, source=member)


def restore_weights(model_cfg: ModelConfig, vocab_size: int, checkpoint_dir: Path) -> BidirectionalLM:
    """The newest checkpoint's weights, softmax included."""
    latest = tf.train.latest_checkpoint(str(checkpoint_dir))
    if latest is None:
        raise NorelmoError(f"{checkpoint_dir}: no training checkpoint found")
    model = BidirectionalLM.initialized(model_cfg, vocab_size)
    tf.train.Checkpoint(weights=model.weights).restore(latest).expect_partial().assert_existing_objects_matched()
    return model


def load_options(model_dir: Path) -> dict:
    path = Path(model_dir) / "options.json"
    try:
        options = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise NorelmoError(f"{path}: cannot read options ({exc})") from exc
    if not isinstance(options, dict):
        raise NorelmoError(f"{path}: expected a JSON object")
    return options


def export_run(
    cfg,
    checkpoint_dir: Path,
    vocab: Path,
    n_train_tokens: int,
    out: Path,
    zip_path: Path | None = None,
    progress: bool = False,
) -> None:
    """Export the newest training checkpoint of a run as a loader-ready model directory and zip; `progress`: a
    bar of its steps, each named (a NorELMo model's restore and writes take a while)."""
    from ..text.vocab import read_vocabulary

    n_vocab = len(read_vocabulary(vocab))
    steps = 2 if zip_path is None else 3
    with progress_bar(total=steps, desc=f"export to {out}", unit="step", disable=not progress) as bar:
        bar.set_postfix_str(f"restoring the newest checkpoint of {checkpoint_dir}")
        model = restore_weights(cfg.model, n_vocab, checkpoint_dir)
        bar.update(1)
        bar.set_postfix_str("writing model.hdf5, options.json, vocab.txt and the TF checkpoint")
        options = options_json(cfg.model, n_vocab, n_train_tokens, cfg.train.epochs, cfg.train.batch_size)
        write_model_dir({n: v.numpy() for n, v in model.weights.items()}, options, vocab, out)
        bar.update(1)
        if zip_path is not None:
            bar.set_postfix_str(f"writing {zip_path}")
            write_model_zip(out, zip_path)
            bar.update(1)
        bar.set_postfix_str("done")
