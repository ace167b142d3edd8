"""The exporter: a run's newest training checkpoint written as the model directory that ELMo loaders read
(model.hdf5 in bilm-tf's layout, options.json, vocab.txt, a TF1-named checkpoint) and its NLPL-style zip. Reading
such a directory back is elmo.model_files'."""

from __future__ import annotations

import json
import os
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
from .bilm_format import CHECKPOINT_PREFIX, INFERENCE_N_CHARACTERS, LOADER_FILES, tf1_variable_name
from .model import SOFTMAX_W, BidirectionalLM


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


def write_bilm_hdf5(weights: dict[str, np.ndarray], path: Path) -> None:
    with h5py.File(path, "w") as f:
        for name in sorted(weights):
            f.create_dataset(name, data=np.asarray(weights[name], dtype=np.float32))


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


def restore_weights(model_cfg: ModelConfig, vocab_size: int, checkpoint_dir: Path) -> BidirectionalLM:
    """The newest checkpoint's weights, softmax included."""
    latest = tf.train.latest_checkpoint(str(checkpoint_dir))
    if latest is None:
        raise NorelmoError(f"{checkpoint_dir}: no training checkpoint found")
    model = BidirectionalLM.initialized(model_cfg, vocab_size)
    tf.train.Checkpoint(weights=model.weights).restore(latest).expect_partial().assert_existing_objects_matched()
    return model


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
