"""The training batches as tensors: their signature, and tf.data prefetching that makes the next ones meanwhile."""

from __future__ import annotations

from collections.abc import Iterator

import tensorflow as tf

from .batches import Batch

# The tensors of a Batch as the compiled step and the tf.data pipeline take them.
BATCH_SPEC = {
    "short_chars": tf.TensorSpec([None, None], tf.int32),
    "long_chars": tf.TensorSpec([None, None], tf.int32),
    "positions": tf.TensorSpec([2, None, None], tf.int32),
    "targets": tf.TensorSpec([2, None, None], tf.int32),
    "true_expected": tf.TensorSpec([2, None, None], tf.float32),
    "sampled": tf.TensorSpec([2, None], tf.int32),
    "sampled_expected": tf.TensorSpec([2, None], tf.float32),
    "resets": tf.TensorSpec([2, None], tf.float32),
    "step": tf.TensorSpec([], tf.int64),
}


def step_spec(batch_size: int, unroll_steps: int) -> dict[str, tf.TensorSpec]:
    """BATCH_SPEC with the rows and the window length known, as the compiled step needs them: with the
    window length unknown (only dropout masks told it), a run without dropout ran its LSTMs as a tf.scan
    under autodiff instead of the static unroll with the hand-written backward pass (lstm.projected_lstm)."""
    known = {"positions": [2, batch_size, unroll_steps], "targets": [2, batch_size, unroll_steps],
             "true_expected": [2, batch_size, unroll_steps], "resets": [2, batch_size]}  # fmt: skip
    return {name: tf.TensorSpec(known.get(name, spec.shape), spec.dtype) for name, spec in BATCH_SPEC.items()}


def prefetched(batches: Iterator[Batch], depth: int = 2) -> Iterator[Batch]:
    """The batches through tf.data, which makes the next ones in the background while a step runs.

    Making a NorELMo-size batch is about 23 ms of Python and NumPy (measured on a 2-core Xeon),
    time a GPU step would otherwise wait. Each batch keeps its own pipeline state, so a checkpoint
    records the position after the batch that was trained on, however far ahead the prefetch is.
    """
    spec = {**BATCH_SPEC, "state": tf.TensorSpec([], tf.string)}
    failed: list[Exception] = []

    def generate():
        # tf.data would turn an error here into its own; end the data instead and raise the original below.
        try:
            for batch in batches:
                yield vars(batch)
        except Exception as exc:
            failed.append(exc)
        finally:  # tf.data ends this generator when its iterator goes: the source's worker processes go too
            close = getattr(batches, "close", None)
            if close is not None:
                close()

    data = tf.data.Dataset.from_generator(generate, output_signature=spec)
    for element in data.prefetch(depth):
        yield Batch(
            **{k: v for k, v in element.items() if k not in ("step", "state")},
            step=int(element["step"]),
            state=element["state"].numpy().decode(),
        )
    if failed:
        raise failed[0]
