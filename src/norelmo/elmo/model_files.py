"""Reading an existing ELMo model: a model directory (model.hdf5 in bilm-tf's layout, options.json, and a TF1-named
checkpoint where it has one) or the NLPL repository's zip of it, a published NorELMo model or one this project
exported. Embedding, held-out perplexity, evaluation and `train.init_from` read models through it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import h5py
import numpy as np
import tensorflow as tf

from ..config import ModelConfig
from ..errors import NorelmoError
from .bilm_format import CHECKPOINT_PREFIX, tf1_variable_name
from .model import SOFTMAX_B, SOFTMAX_W, weight_shapes


def load_options(model_dir: Path) -> dict:
    path = Path(model_dir) / "options.json"
    try:
        options = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise NorelmoError(f"{path}: cannot read options ({exc})") from exc
    if not isinstance(options, dict):
        raise NorelmoError(f"{path}: expected a JSON object")
    return options


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
