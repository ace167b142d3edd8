"""The model directory that ELMo loaders read: model.hdf5 (bilm-tf layout), options.json, vocab.txt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np

from ..atomic import atomic_path, atomic_text
from ..config import ModelConfig
from ..errors import NorelmoError
from .model import weight_shapes

INFERENCE_N_CHARACTERS = 262  # loaders add 1 to every character id and keep 0 for padding


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


def read_bilm_hdf5(path: Path, cfg: ModelConfig) -> dict[str, np.ndarray]:
    """The weights of a bilm-tf HDF5 file, checked against the shapes `cfg` implies."""
    try:
        with h5py.File(path, "r") as f:
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


def write_model_dir(weights: dict[str, np.ndarray], options: dict, vocab: Path, out: Path) -> None:
    """Write model.hdf5, options.json and vocab.txt into `out`; each file appears only when complete."""
    out = Path(out)
    with atomic_path(out / "model.hdf5") as tmp:
        write_bilm_hdf5(weights, tmp)
    with atomic_path(out / "vocab.txt") as tmp:
        shutil.copyfile(vocab, tmp)
    with atomic_text(out / "options.json") as fh:
        fh.write(json.dumps(options, indent=2) + "\n")


def load_options(model_dir: Path) -> dict:
    path = Path(model_dir) / "options.json"
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise NorelmoError(f"{path}: cannot read options ({exc})") from exc


def export_run(cfg, checkpoint_dir: Path, vocab: Path, n_train_tokens: int, out: Path) -> None:
    """Export the newest training checkpoint of a run as a loader-ready model directory."""
    from ..text.vocab import read_vocabulary
    from .train import restore_weights

    n_vocab = len(read_vocabulary(vocab))
    model = restore_weights(cfg.model, n_vocab, checkpoint_dir)
    options = options_json(cfg.model, n_vocab, n_train_tokens, cfg.train.epochs, cfg.train.batch_size)
    write_model_dir(model.exported_weights(), options, vocab, out)
