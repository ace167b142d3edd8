"""Train the biLM: sampled softmax, Adagrad, global-norm clipping, stateful rows, exact resume."""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from ..atomic import atomic_json
from ..config import ModelConfig, TrainConfig
from ..errors import NorelmoError
from ..plots import plot_loss
from ..progress import progress_bar
from ..text.vocab import read_vocabulary
from .adagrad import apply_adagrad, summed_repeats, summed_rows
from .batch_workers import parallel_batches
from .batches import Batch, BatchMaker
from .cluster import make_workers
from .model import (
    DIRECTIONS,
    SOFTMAX_B,
    SOFTMAX_W,
    BidirectionalLM,
    dropout_scales,
    initial_values,
    rows_with_one_gradient,
    sampled_softmax_loss,
    weight_shapes,
)
from .model_files import load_model_dir
from .precision import COMPUTE_DTYPES
from .prefetch import BATCH_SPEC, prefetched, step_spec
from .sentences import heldout_sentences
from .token_types import TokenTypes, corpus_types
from .type_shapes import batch_layout

METRICS = "metrics.jsonl"
HELDOUT = "heldout.jsonl"


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
    """Holds the model, optimizer slots, per-row LSTM states, the data position and the checkpoints."""

    def __init__(
        self,
        cfg: ModelConfig,
        train: TrainConfig,
        vocab_size: int,
        checkpoint_dir: Path,
        xla: bool = False,
        devices: list[str] | None = None,
        strategy: tf.distribute.Strategy | None = None,
        save_dir: Path | None = None,
    ):
        """`strategy` (or `devices`, for a MirroredStrategy over them) splits each batch's rows over its
        replicas; checkpoints are restored from `checkpoint_dir` and written to `save_dir` (default: the same).
        """
        if cfg.n_negative_samples_batch >= vocab_size:
            raise NorelmoError(
                f"model.n_negative_samples_batch ({cfg.n_negative_samples_batch}) must be smaller than "
                f"the vocabulary ({vocab_size} entries)"
            )
        self.cfg, self.train_cfg, self.vocab_size = cfg, train, vocab_size
        if strategy is None and devices and len(devices) > 1:
            strategy = tf.distribute.MirroredStrategy(devices)
        self.strategy = strategy  # None: the default strategy, one device
        replicas = strategy.num_replicas_in_sync if strategy else 1
        if train.batch_size % replicas:
            raise NorelmoError(f"train.batch_size ({train.batch_size}) must divide evenly over {replicas} replicas")
        self.checkpoint_dir = Path(checkpoint_dir)
        with self.strategy.scope() if self.strategy else contextlib.nullcontext():
            self.model = BidirectionalLM(cfg, starting_values(cfg, train, vocab_size))
            self.accumulators = {
                n: tf.Variable(tf.ones_like(v), trainable=False) for n, v in self.model.weights.items()
            }
            self.states = [
                [(tf.Variable(c, trainable=False), tf.Variable(h, trainable=False)) for c, h in layers]
                for layers in self.model.zero_states(train.batch_size)
            ]
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False)
            # Steps refused since the first non-finite loss (which they keep): after one, nothing
            # more changes, so the loop can find out at its next look without waiting on every step.
            self.refused = tf.Variable(0, dtype=tf.int64, trainable=False)
            self.refused_loss = tf.Variable(0.0, trainable=False)
        if xla:
            self.model.cnn_as_matmul = self.model.directions_side_by_side = self.model.xla = True
        self.compute_dtype = COMPUTE_DTYPES[train.precision]
        self.names = sorted(self.model.weights)
        self.variables = [self.model.weights[n] for n in self.names]
        self.data_state = tf.Variable("", dtype=tf.string, trainable=False)
        self.checkpoint = tf.train.Checkpoint(
            weights=self.model.weights,
            accumulators=self.accumulators,
            states=self.states,
            step=self.step,
            data_state=self.data_state,
        )
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(save_dir or checkpoint_dir), max_to_keep=2)
        self.xla = xla
        self._steps: dict[tuple[int, int], tf.types.experimental.PolymorphicFunction] = {}

    def restore(self) -> bool:
        """Continue from the newest checkpoint if there is one."""
        latest = tf.train.latest_checkpoint(str(self.checkpoint_dir))
        if latest:
            self.checkpoint.restore(latest).assert_existing_objects_matched()
            return True
        return False

    def _train_step(self, *args):
        if self.strategy is None:
            return self._replica_step(*args)
        loss, norm = self.strategy.run(self._replica_step, args=args)
        return self.strategy.experimental_local_results(loss)[0], self.strategy.experimental_local_results(norm)[0]

    def _replica_step(self, short_chars, long_chars, positions, targets, true_exp, sampled, sampled_exp, resets, step):
        """One update, computed on this replica's rows of the batch (all rows with one device)."""
        cfg, p, b = self.cfg, self.cfg.lstm.projection_dim, self.train_cfg.batch_size
        ctx = tf.distribute.get_replica_context()
        n = ctx.num_replicas_in_sync
        first = ctx.replica_id_in_sync_group * (b // n)
        mine = slice(None), slice(first, first + b // n)  # (direction, rows)
        seed = tf.stack([tf.cast(self.train_cfg.seed, tf.int64), step])
        layers, t = cfg.lstm.n_layers, cfg.unroll_steps
        # Per direction: each LSTM layer's input, then the top output (before the softmax), as (T, rows, P):
        # time-major, as the LSTMs run.
        dropout = None
        if cfg.dropout > 0:
            dropout = dropout_scales(cfg.dropout, seed, [2, layers + 1, t], (first, b), [b // n, p])
        with tf.GradientTape() as tape:
            # The character CNN runs once per distinct type of the batch, for both directions.
            dtype = self.compute_dtype
            # Short and long types, each group's characters cut to what the CNN needs (data.batch_layout).
            type_vectors = self.model.type_embeddings([short_chars, long_chars], dtype)
            # Per direction, time-major: (T, rows, P).
            xs = tf.unstack(rows_with_one_gradient(type_vectors, tf.transpose(positions[mine], [0, 2, 1])))
            keep = (1.0 - resets[mine])[:, :, tf.newaxis]  # rows that start anew from zero states
            states = [
                [(c[first : first + b // n] * keep[d], h[first : first + b // n] * keep[d]) for c, h in self.states[d]]
                for d in DIRECTIONS
            ]
            tops, new_states = self.model.window_lstms(xs, states, dropout, dtype)
            losses = []
            for d, top in zip(DIRECTIONS, tops, strict=True):
                if dropout is not None:
                    top = top * dropout[d, layers]
                # Time-major like `top`: the targets' rows in the same order.
                per_token = sampled_softmax_loss(
                    self.model.weights[SOFTMAX_W],
                    self.model.weights[SOFTMAX_B],
                    tf.reshape(top, [-1, p]),
                    tf.reshape(tf.transpose(targets[mine][d]), [-1]),
                    sampled[d],
                    tf.reshape(tf.transpose(true_exp[mine][d]), [-1]),
                    sampled_exp[d],
                    dtype,
                )
                losses.append(tf.reduce_mean(per_token))
            loss = 0.5 * (losses[0] + losses[1])
            # bilm-tf differentiates the per-token mean times unroll_steps; Adagrad is not scale-free.
            scaled = loss * cfg.unroll_steps
        grads = tape.gradient(scaled, self.variables)
        rows = [None] * len(grads)  # where only some rows are updated (the softmax's, under XLA)
        where = [None] * len(grads)  # and for each of them, its row of the summed gradient
        if self.xla and n == 1:
            # The dense update reads and writes the whole softmax; its gathered rows suffice.
            for k, g in enumerate(grads):
                if isinstance(g, tf.IndexedSlices):
                    rows[k] = g.indices
                    grads[k], where[k] = summed_repeats(g)
        elif n > 1:
            grads = [tf.convert_to_tensor(g) for g in grads]
        else:
            # The softmax rows of a batch's targets and negatives are a fraction of the vocabulary:
            # updating only those (as bilm-tf does) saves a pass over the whole softmax.
            grads = [summed_rows(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]
        if n > 1:  # equal row slices: the mean of the replicas' gradients is the whole batch's
            grads = ctx.all_reduce(tf.distribute.ReduceOp.MEAN, grads)
            loss = ctx.all_reduce(tf.distribute.ReduceOp.MEAN, loss)
            new_states = tf.nest.map_structure(lambda s: ctx.all_gather(s, axis=0), new_states)
        clipped, norm = tf.clip_by_global_norm(grads, cfg.all_clip_norm_val)

        # A non-finite loss changes nothing, now or later, so the last good state is what gets checkpointed.
        good = tf.logical_and(tf.math.is_finite(loss), self.refused == 0)
        # Rows-only updates (XLA) outside the condition, the guard in the values they write: XLA turns a
        # condition into selects only when its branches hold no scatter; a kept condition waits for the host.
        for name, var, grad, touched, at in zip(self.names, self.variables, clipped, rows, where, strict=True):
            if touched is not None:
                apply_adagrad(var, self.accumulators[name], tf.gather(grad, at), cfg.learning_rate, touched, good)

        def apply():
            # On every replica, through the replica's own handles: the updates are identical.
            for name, var, grad, touched in zip(self.names, self.variables, clipped, rows, strict=True):
                if touched is None:
                    apply_adagrad(var, self.accumulators[name], grad, cfg.learning_rate)
            for direction, new in zip(DIRECTIONS, new_states, strict=True):
                for (c_var, h_var), (c, h) in zip(self.states[direction], new, strict=True):
                    tf.raw_ops.AssignVariableOp(resource=c_var.handle, value=c)
                    tf.raw_ops.AssignVariableOp(resource=h_var.handle, value=h)
            tf.raw_ops.AssignAddVariableOp(resource=self.step.handle, value=tf.constant(1, tf.int64))
            return tf.constant(True)

        def refuse():
            tf.raw_ops.AssignVariableOp(
                resource=self.refused_loss.handle, value=tf.where(self.refused == 0, loss, self.refused_loss)
            )
            tf.raw_ops.AssignAddVariableOp(resource=self.refused.handle, value=tf.constant(1, tf.int64))
            return tf.constant(False)

        tf.cond(good, apply, refuse)
        return loss, norm

    def _step_for(self, widths: tuple[int, int]):
        """The compiled step for batches whose two groups of character ids have these widths.

        The character CNN's max-pooling needs its width when the graph is built; batches come in a
        few widths (chars.split_short_long), so each pair gets its own graph.
        """
        if widths not in self._steps:
            # The count of distinct types varies from batch to batch; unknown in the signature, it never retraces.
            signature = [tf.TensorSpec([None, width], tf.int32) for width in widths]
            spec = step_spec(self.train_cfg.batch_size, self.cfg.unroll_steps)
            signature += [s for name, s in spec.items() if not name.endswith("_chars")]
            self._steps[widths] = tf.function(self._train_step, input_signature=signature, jit_compile=self.xla)
        return self._steps[widths]

    def compiled_step(self, batch: Batch):
        """The compiled step for this batch's shapes and the arguments it takes."""
        step = self._step_for((int(batch.short_chars.shape[1]), int(batch.long_chars.shape[1])))
        args = [batch.short_chars, batch.long_chars]
        args += [getattr(batch, name) for name in BATCH_SPEC if not name.endswith("_chars") and name != "step"]
        return step, (*args, tf.constant(batch.step, tf.int64))

    def dispatch(self, batch: Batch):
        """Queue one update without waiting for it: the loss and gradient norm as tensors."""
        step, args = self.compiled_step(batch)
        return step(*args)

    def failure(self) -> str | None:
        """Why updates stopped (waits for the queued steps), or None while all losses were finite."""
        if int(self.refused.numpy()) == 0:
            return None
        return f"loss became {float(self.refused_loss.numpy())} at batch {int(self.step.numpy()) + 1}"

    def train_step(self, batch: Batch) -> tuple[float, float]:
        """One update, waited for; a non-finite loss leaves weights, states and step untouched."""
        loss, norm = self.dispatch(batch)
        loss = float(loss)
        if math.isfinite(loss):
            self.data_state.assign(batch.state)
        return loss, float(norm)


def _append_metrics(path: Path, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


def _run_lines(gpus, train_cfg: TrainConfig, xla: bool, b: int, t: int, per_epoch: int, total: int, start: int):
    """What a run will do, for the first lines of its log: devices, precision, XLA, batch layout, batches."""
    devices = ", ".join(d.name for d in gpus) or f"CPU ({len(os.sched_getaffinity(0))} cores)"
    yield f"devices: {devices}; precision {train_cfg.precision}; XLA {'on' if xla else 'off'}"
    yield (
        f"batches: {b} rows x {t} steps = {b * t:,} tokens each, {per_epoch:,} per epoch, {total:,} in "
        f"{train_cfg.epochs} epochs" + (f"; resuming after batch {start:,}" if start else "")
    )


def _duration(seconds: float) -> str:
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min" if minutes else f"{seconds:.0f} s"


def train_bilm(
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    token_files: list[Path],
    vocab_path: Path,
    n_train_tokens: int,
    checkpoint_dir: Path,
    log_dir: Path,
    progress: bool = True,
    types_path: Path | None = None,
    score_heldout: Callable[[BidirectionalLM, TokenTypes, list[list[str]]], dict] | None = None,
) -> dict:
    """Train for epochs x n_train_tokens / (batch x unroll) batches, resuming from checkpoint_dir.

    `types_path` is the vocabulary stage's vocab.tsv (every corpus type); without it the
    training files are read once to find the types. `score_heldout(model, types, sentences)` is the
    caller's per-epoch evaluation on the held-out sentences (e.g. evaluate.perplexity.heldout_perplexity),
    returning a dict of named figures; without it no epoch is scored.
    """
    # Before any other TensorFlow op: a multi-worker strategy configures the runtime's collectives.
    workers = make_workers(train_cfg.gpus)
    vocab = read_vocabulary(vocab_path)
    checkpoint_dir, log_dir = Path(checkpoint_dir), Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    if train_cfg.deterministic:
        tf.config.experimental.enable_op_determinism()
    gpus = tf.config.list_logical_devices("GPU")
    xla = train_cfg.xla if train_cfg.xla is not None else bool(gpus)
    # Every worker of a multi-worker strategy must take part in saving (TensorFlow's rule for
    # MultiWorkerMirroredStrategy), but only the chief saves into the folder reruns resume from.
    save_dir = checkpoint_dir if workers.chief else checkpoint_dir / f".{workers.task}"
    trainer = Trainer(
        model_cfg, train_cfg, len(vocab), checkpoint_dir, xla=xla, strategy=workers.strategy, save_dir=save_dir
    )
    progress = progress and workers.chief
    resumed = trainer.restore()
    b, t = train_cfg.batch_size, model_cfg.unroll_steps
    per_epoch = max(1, n_train_tokens // (b * t))
    total = train_cfg.epochs * per_epoch
    types = corpus_types(vocab, types_path, token_files, model_cfg.char_cnn.max_characters_per_token)
    saved_state = trainer.data_state.numpy().decode() or None
    heldout = heldout_sentences(token_files, train_cfg.heldout_sentences)
    batches = prefetched(
        parallel_batches(
            BatchMaker(
                token_files,
                types,
                b,
                t,
                model_cfg.n_negative_samples_batch,
                train_cfg.seed,
                saved_state,
                len(heldout),
                **batch_layout(model_cfg.char_cnn.filters, xla),
                state_resets=train_cfg.state_resets,
            ),
            train_cfg.batch_processes,
        )
    )
    writer = tf.summary.create_file_writer(str(log_dir / "tensorboard")) if workers.chief else None
    metrics = log_dir / METRICS
    if not resumed and workers.chief:
        metrics.unlink(missing_ok=True)
        (log_dir / HELDOUT).unlink(missing_ok=True)
    start = int(trainer.step.numpy())
    if progress:
        print("\n".join(_run_lines(gpus, train_cfg, xla, b, t, per_epoch, total, start)), file=sys.stderr, flush=True)
    bar = progress_bar(total=total, initial=start, disable=not progress, unit="batch", desc="train", dynamic_ncols=True)

    def say(line: str) -> None:  # a status line beside the bar, on stderr with it
        bar.write(line, file=sys.stderr)

    last_time, last_step, loss = time.perf_counter(), start, float("nan")
    expected = {}

    def stop_if_failed():
        failed = trainer.failure()
        if failed:
            raise NorelmoError(
                f"{failed}; the run stopped and the last good checkpoint in {checkpoint_dir} is kept "
                "(try a lower model.learning_rate)"
            )

    # Steps are queued without waiting for their results (a GPU would idle meanwhile); the loop looks
    # at the loss, the norm and a possible non-finite loss only where it logs, evaluates or saves.
    for step in range(start + 1, total + 1):
        batch = next(batches)
        loss_t, norm_t = trainer.dispatch(batch)
        bar.update(1)
        log = workers.chief and (step % train_cfg.log_every == 0 or step == total)
        scoring = score_heldout and workers.chief and heldout and (step % per_epoch == 0 or step == total)
        save = step % train_cfg.checkpoint_every == 0
        if not (log or scoring or save):
            continue
        stop_if_failed()
        trainer.data_state.assign(batch.state)
        loss, norm = float(loss_t), float(norm_t)
        if log:
            now = time.perf_counter()
            tokens_per_s = (step - last_step) * b * t / max(now - last_time, 1e-9)
            last_time, last_step = now, step
            record = {
                "step": step,
                "loss": loss,
                "perplexity": math.exp(min(loss, 50.0)),
                "grad_norm": norm,
                "tokens_per_s": tokens_per_s,
            }
            _append_metrics(metrics, record)
            with writer.as_default(step=step):
                for key in ("loss", "perplexity", "grad_norm", "tokens_per_s"):
                    tf.summary.scalar(f"train/{key}", record[key])
                tf.summary.scalar("train/learning_rate", model_cfg.learning_rate)
            bar.set_postfix(ppl=f"{record['perplexity']:.1f}", tok_s=f"{tokens_per_s:.0f}")
            # The first interval holds the step's compilation; the second is the first steady measure.
            if not expected and step - start >= 2 * train_cfg.log_every and step < total:
                expected = {"tokens_per_s": tokens_per_s, "seconds_left": (total - step) * b * t / tokens_per_s}
                if progress:
                    say(
                        f"measured {tokens_per_s:,.0f} tokens/s over batches {step - train_cfg.log_every + 1:,} to "
                        f"{step:,}: about {_duration(expected['seconds_left'])} to the end of training"
                    )
        if scoring:
            ppl = score_heldout(trainer.model, types, heldout)
            _append_metrics(log_dir / HELDOUT, {"step": step, "epoch": step / per_epoch, **ppl})
            with writer.as_default(step=step):
                for key, value in ppl.items():
                    tf.summary.scalar(f"heldout/perplexity_{key}", value)
            say(f"epoch {step / per_epoch:.2f}: held-out perplexity {ppl['mean']:.1f} (full softmax)")
        if save:
            trainer.manager.save(checkpoint_number=step)
    batches.close()  # now, not at the interpreter's exit: train.batch_processes' workers leave in order
    bar.close()
    stop_if_failed()
    if trainer.manager.latest_checkpoint is None or not trainer.manager.latest_checkpoint.endswith(f"-{total}"):
        trainer.manager.save(checkpoint_number=total)
    if not workers.chief:
        shutil.rmtree(save_dir, ignore_errors=True)
        return {"batches": total, "worker": workers.task}
    writer.flush()
    summary = {
        "batches": total,
        "batches_per_epoch": per_epoch,
        "resumed_from": start,
        "final_loss": loss,
        "vocab_size": len(vocab),
        "n_train_tokens": n_train_tokens,
    }
    if expected:
        summary["measured_tokens_per_s"] = expected["tokens_per_s"]
        summary["expected_seconds_left"] = expected["seconds_left"]
    if (log_dir / HELDOUT).exists():
        summary["heldout_perplexity"] = json.loads((log_dir / HELDOUT).read_text().splitlines()[-1])
    atomic_json(log_dir / "train.json", summary)
    if metrics.exists():
        plot_loss(metrics, log_dir / "loss.png", log_dir / HELDOUT)
    return summary
