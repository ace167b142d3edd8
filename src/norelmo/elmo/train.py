"""Train the biLM: sampled softmax, Adagrad, global-norm clipping, stateful rows, resumable checkpoints."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from ..atomic import atomic_path, atomic_text
from ..config import ModelConfig, TrainConfig
from ..errors import NorelmoError
from ..text.vocab import read_vocabulary
from .chars import CharIds
from .data import SentenceStream, window_batches
from .export import load_model_dir
from .model import DIRECTIONS, SOFTMAX_B, SOFTMAX_W, BidirectionalLM, initial_values, weight_shapes

METRICS = "metrics.jsonl"


def _dedupe(grad: tf.IndexedSlices) -> tuple[tf.Tensor, tf.Tensor]:
    """Sum the rows of repeated indices, as TF1's optimizers did before a sparse update."""
    unique, pos = tf.unique(grad.indices)
    return tf.math.unsorted_segment_sum(grad.values, pos, tf.shape(unique)[0]), unique


def apply_adagrad(var: tf.Variable, accum: tf.Variable, grad, lr: float) -> None:
    """TF's own Adagrad kernels (no epsilon, as bilm-tf's tf.train.AdagradOptimizer)."""
    if isinstance(grad, tf.IndexedSlices):
        values, indices = _dedupe(grad)
        tf.raw_ops.ResourceSparseApplyAdagrad(
            var=var.handle, accum=accum.handle, lr=lr, grad=values, indices=indices, update_slots=True
        )
    else:
        tf.raw_ops.ResourceApplyAdagrad(var=var.handle, accum=accum.handle, lr=lr, grad=grad, update_slots=True)


def starting_values(cfg: ModelConfig, train: TrainConfig, vocab_size: int) -> dict[str, np.ndarray]:
    """Random bilm-tf initial weights, overwritten by those of `train.init_from` when it is set."""
    values = initial_values(cfg, vocab_size, train.seed)
    if train.init_from:
        found_cfg, found = load_model_dir(Path(train.init_from), vocab_size)
        if weight_shapes(found_cfg) != weight_shapes(cfg):
            raise NorelmoError(
                f"train.init_from: {train.init_from} has a different shape than the `model` config "
                f"(char_cnn {found_cfg.char_cnn}, lstm {found_cfg.lstm})"
            )
        values.update(found)
    return values


class Trainer:
    """Holds the model, optimizer slots, per-row LSTM states and the checkpoint manager."""

    def __init__(self, cfg: ModelConfig, train: TrainConfig, vocab: list[str], checkpoint_dir: Path):
        if cfg.n_negative_samples_batch >= len(vocab):
            raise NorelmoError(
                f"model.n_negative_samples_batch ({cfg.n_negative_samples_batch}) must be smaller than "
                f"the vocabulary ({len(vocab)} entries)"
            )
        tf.random.set_seed(train.seed)
        self.cfg, self.train_cfg, self.vocab_size = cfg, train, len(vocab)
        self.model = BidirectionalLM(cfg, starting_values(cfg, train, len(vocab)))
        self.names = sorted(self.model.weights)
        self.variables = [self.model.weights[n] for n in self.names]
        self.accumulators = {n: tf.Variable(tf.ones_like(v), trainable=False) for n, v in self.model.weights.items()}
        b = train.batch_size
        self.states = [
            [(tf.Variable(c, trainable=False), tf.Variable(h, trainable=False)) for c, h in layers]
            for layers in self.model.zero_states(b)
        ]
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False)
        self.checkpoint = tf.train.Checkpoint(
            weights=self.model.weights, accumulators=self.accumulators, states=self.states, step=self.step
        )
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(checkpoint_dir), max_to_keep=2)

    def restore(self) -> bool:
        """Continue from the newest checkpoint if there is one."""
        if self.manager.latest_checkpoint:
            self.checkpoint.restore(self.manager.latest_checkpoint).assert_existing_objects_matched()
            return True
        return False

    def _direction_loss(self, direction, chars, targets):
        cfg = self.cfg
        emb = self.model.token_embedding(chars)
        mask = tf.ones(tf.shape(targets), tf.bool)
        states = [(c.read_value(), h.read_value()) for c, h in self.states[direction]]
        outputs, new_states = self.model.lstm_stack(direction, emb, mask, states, cfg.dropout)
        top = tf.reshape(outputs[-1], [-1, cfg.lstm.projection_dim])
        if cfg.dropout > 0:
            top = tf.nn.dropout(top, rate=cfg.dropout)
        losses = tf.nn.sampled_softmax_loss(
            weights=self.model.weights[SOFTMAX_W],
            biases=self.model.weights[SOFTMAX_B],
            labels=tf.reshape(tf.cast(targets, tf.int64), [-1, 1]),
            inputs=top,
            num_sampled=cfg.n_negative_samples_batch,
            num_classes=self.vocab_size,
        )
        return tf.reduce_mean(losses), new_states

    @tf.function
    def train_step(self, fw_chars, fw_targets, bw_chars, bw_targets):
        with tf.GradientTape() as tape:
            fw_loss, fw_states = self._direction_loss(0, fw_chars, fw_targets)
            bw_loss, bw_states = self._direction_loss(1, bw_chars, bw_targets)
            loss = 0.5 * (fw_loss + bw_loss)
            # bilm-tf differentiates the per-token mean times unroll_steps; Adagrad is not scale-free.
            scaled = loss * self.cfg.unroll_steps
        grads = tape.gradient(scaled, self.variables)
        clipped, norm = tf.clip_by_global_norm(grads, self.cfg.all_clip_norm_val)
        if tf.math.is_finite(loss):
            for name, var, grad in zip(self.names, self.variables, clipped, strict=False):
                apply_adagrad(var, self.accumulators[name], grad, self.cfg.learning_rate)
            for direction, new in zip(DIRECTIONS, (fw_states, bw_states), strict=False):
                for (c_var, h_var), (c, h) in zip(self.states[direction], new, strict=False):
                    c_var.assign(c)
                    h_var.assign(h)
            self.step.assign_add(1)
        return loss, norm


def _append_metrics(path: Path, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


def plot_loss(metrics: Path, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([r["step"] for r in rows], [r["loss"] for r in rows], lw=1)
    ax.set_xlabel("batch")
    ax.set_ylabel("sampled-softmax loss (mean of both directions)")
    ax.set_title("ELMo training loss")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)


def train_bilm(
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    token_files: list[Path],
    vocab_path: Path,
    n_train_tokens: int,
    checkpoint_dir: Path,
    log_dir: Path,
    progress: bool = True,
) -> dict:
    """Train for epochs x n_train_tokens / (batch x unroll) batches, resuming from checkpoint_dir."""
    vocab = read_vocabulary(vocab_path)
    checkpoint_dir, log_dir = Path(checkpoint_dir), Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    trainer = Trainer(model_cfg, train_cfg, vocab, checkpoint_dir)
    resumed = trainer.restore()
    b, t = train_cfg.batch_size, model_cfg.unroll_steps
    per_epoch = max(1, n_train_tokens // (b * t))
    total = train_cfg.epochs * per_epoch
    chars = CharIds(model_cfg.char_cnn.max_characters_per_token)
    start = int(trainer.step.numpy())
    streams = [
        window_batches(
            SentenceStream(token_files, vocab, chars, reverse=bool(d), seed=train_cfg.seed * 2 + d + 7919 * start),
            b,
            t,
            chars.max_chars,
        )
        for d in DIRECTIONS
    ]
    writer = tf.summary.create_file_writer(str(log_dir / "tensorboard"))
    metrics = log_dir / METRICS
    if not resumed:
        metrics.unlink(missing_ok=True)
    bar = tqdm(total=total, initial=start, disable=not progress, unit="batch", desc="train", dynamic_ncols=True)
    last_time, last_step, loss = time.perf_counter(), start, float("nan")
    while int(trainer.step.numpy()) < total:
        fw, bw = next(streams[0]), next(streams[1])
        loss_t, norm_t = trainer.train_step(fw.char_ids, fw.targets, bw.char_ids, bw.targets)
        loss = float(loss_t)
        if not math.isfinite(loss):
            raise NorelmoError(
                f"loss became {loss} at batch {int(trainer.step.numpy()) + 1}; the run stopped and the last good "
                f"checkpoint in {checkpoint_dir} is kept (try a lower model.learning_rate)"
            )
        step = int(trainer.step.numpy())
        bar.update(1)
        if step % train_cfg.log_every == 0 or step == total:
            now = time.perf_counter()
            tokens_per_s = (step - last_step) * b * t / max(now - last_time, 1e-9)
            last_time, last_step = now, step
            record = {
                "step": step,
                "loss": loss,
                "perplexity": math.exp(min(loss, 50.0)),
                "grad_norm": float(norm_t),
                "tokens_per_s": tokens_per_s,
            }
            _append_metrics(metrics, record)
            with writer.as_default(step=step):
                for key in ("loss", "perplexity", "grad_norm", "tokens_per_s"):
                    tf.summary.scalar(f"train/{key}", record[key])
                tf.summary.scalar("train/learning_rate", model_cfg.learning_rate)
            bar.set_postfix(ppl=f"{record['perplexity']:.1f}", tok_s=f"{tokens_per_s:.0f}")
        if step % train_cfg.checkpoint_every == 0:
            trainer.manager.save(checkpoint_number=step)
    bar.close()
    writer.flush()
    if trainer.manager.latest_checkpoint is None or not trainer.manager.latest_checkpoint.endswith(f"-{total}"):
        trainer.manager.save(checkpoint_number=total)
    summary = {
        "batches": total,
        "batches_per_epoch": per_epoch,
        "resumed_from": start,
        "final_loss": loss,
        "vocab_size": len(vocab),
        "n_train_tokens": n_train_tokens,
    }
    with atomic_text(log_dir / "train.json") as fh:
        json.dump(summary, fh, indent=2)
    if metrics.exists():
        plot_loss(metrics, log_dir / "loss.png")
    return summary


def restore_weights(model_cfg: ModelConfig, vocab_size: int, checkpoint_dir: Path) -> BidirectionalLM:
    """The newest checkpoint's weights, softmax included."""
    latest = tf.train.latest_checkpoint(str(checkpoint_dir))
    if latest is None:
        raise NorelmoError(f"{checkpoint_dir}: no training checkpoint found")
    model = BidirectionalLM.initialized(model_cfg, vocab_size)
    tf.train.Checkpoint(weights=model.weights).restore(latest).expect_partial().assert_existing_objects_matched()
    return model
