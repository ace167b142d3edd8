"""Why the part-of-speech classifier scored lower under Keras 3 than under NorLM's Keras 2, on the same features.

    python bench/keras_fit.py --model results/rehearsal-norec/model [--seeds 5]

1. Determinism: the same initial weights and batches (no dropout, no shuffling) trained for 3 epochs by Keras 3 and
   by tf-keras (Keras 2): the largest weight difference and both losses. 0 means Adam, the loss, the last partial
   batch and the compiled step are the same in both.
2. Shuffling: the order of the training rows in each of 3 epochs under a fixed seed, in each: Keras 3.15 on
   TensorFlow replays its first shuffle every epoch, Keras 2 reshuffles.
3. The part-of-speech task (NorLM's protocol: UD Bokmål dev as the training split, test scored, layer-average
   features computed once by this project's embedder): UPOS accuracy per seed under Keras 3, under tf-keras, and
   under Keras 3 given a new shuffle each epoch by hand (the training rows permuted per epoch by numpy, fit with
   shuffle=False), which isolates the shuffling as the cause.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
UD = ROOT.parent / "shared" / "data" / "ud-no-bokmaal"


def frameworks():
    import keras
    import tf_keras

    return {"Keras 3 (keras 3.15)": keras, "Keras 2 (tf-keras 2.21)": tf_keras}


def dense(K, input_dim: int, n_classes: int, dropout: float = 0.1):
    return K.Sequential(
        [
            K.Input((input_dim,)),
            K.layers.Dense(128, activation="relu"),
            K.layers.Dropout(dropout),
            K.layers.Dense(n_classes, activation="softmax"),
        ]
    )


def determinism() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4100, 256)).astype("float32")  # 4100: a partial last batch of 4
    y = np.argmax(x @ rng.normal(size=(256, 17)) + 2 * rng.normal(size=(4100, 17)), axis=1)
    models, losses = {}, {}
    start = None
    for name, K in frameworks().items():
        K.utils.set_random_seed(1)
        model = dense(K, 256, 17, dropout=0.0)
        start = start or model.get_weights()
        model.set_weights(start)
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        losses[name] = model.fit(x, y, batch_size=64, epochs=3, shuffle=False, verbose=0).history["loss"]
        models[name] = model
    a, b = (m.get_weights() for m in models.values())
    diff = max(float(np.abs(u - v).max()) for u, v in zip(a, b, strict=True))
    moved = max(float(np.abs(u - v).max()) for u, v in zip(a, start, strict=True))
    print("1. same start, same batches, no dropout, 3 epochs of 65 batches (the last of 4 rows):")
    print(f"   largest weight difference {diff:.1e} (weights moved up to {moved:.3f}); losses per epoch:")
    for name, values in losses.items():
        print(f"   {name}: {', '.join(f'{v:.6f}' for v in values)}")


def epoch_orders(K, epochs: int = 3) -> list[list[int]]:
    """The training rows of each epoch, 12 rows in batches of 4, under seed 42."""
    import tensorflow as tf

    seen: list = []

    class Recorder(K.layers.Layer):
        def call(self, inputs, training=None):
            if training:
                tf.py_function(lambda v: seen.append(v.numpy()[:, 0].astype(int).tolist()), [inputs], [])
            return inputs

    K.utils.set_random_seed(42)
    model = K.Sequential([K.Input((1,)), Recorder(), K.layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    model.fit(np.arange(12, dtype="float32")[:, None], np.zeros(12, int), batch_size=4, epochs=epochs, verbose=0)
    return [sum(seen[3 * e : 3 * e + 3], []) for e in range(epochs)]


def shuffle_orders() -> None:
    print("\n2. training rows per epoch, 12 rows in batches of 4, seed 42:")
    for name, K in frameworks().items():
        for epoch, order in enumerate(epoch_orders(K), 1):
            print(f"   {name}, epoch {epoch}: {order}")


def pos_accuracy(K, seed: int, train: tuple, test: tuple, n_classes: int, reshuffle_by_hand: bool) -> float:
    K.utils.set_random_seed(seed)
    model = dense(K, train[0].shape[1], n_classes)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    if reshuffle_by_hand:
        rng = np.random.default_rng(seed)
        for _ in range(20):
            order = rng.permutation(len(train[1]))
            model.fit(train[0][order], train[1][order], batch_size=64, epochs=1, shuffle=False, verbose=0)
    else:
        model.fit(*train, batch_size=64, epochs=20, verbose=0)
    predicted = np.argmax(model.predict(test[0], batch_size=256, verbose=0), axis=-1)
    return float(np.mean(predicted == test[1]))


def pos_table(model_dir: Path, seeds: int) -> None:
    from norelmo.elmo.embed import Embedder
    from norelmo.evaluate.classifiers import FEATURE_BATCH, seed_list
    from norelmo.evaluate.datasets import read_tagged_conllu

    train = read_tagged_conllu(UD / "no_bokmaal-ud-dev.conllu")
    test = read_tagged_conllu(UD / "no_bokmaal-ud-test.conllu")
    start = time.perf_counter()
    embedder = Embedder(model_dir, batch_size=FEATURE_BATCH)
    train_x = embedder.token_vectors([s.forms for s in train], "average")  # train, then test: one embedder
    test_x = embedder.token_vectors([s.forms for s in test], "average")
    classes = sorted({t for s in train for t in s.upos})
    index = {tag: k for k, tag in enumerate(classes)}
    train_y = np.array([index[t] for s in train for t in s.upos])
    test_y = np.array([index.get(t, -1) for s in test for t in s.upos])
    print(f"\n3. part-of-speech, {model_dir}: features in {time.perf_counter() - start:.0f} s "
          f"({len(train_y):,} training tokens, {len(test_y):,} test tokens); UPOS accuracy, %")  # fmt: skip
    runs = {
        **{(name, False): K for name, K in frameworks().items()},
        ("Keras 3, reshuffled each epoch by hand", True): frameworks()["Keras 3 (keras 3.15)"],
    }
    seeds_used = seed_list(seeds)
    print(f"| classifier trained by | {' | '.join(f'seed {s}' for s in seeds_used)} | mean ± sd |")
    print(f"|---|{'---|' * len(seeds_used)}---|")
    for (name, by_hand), K in runs.items():
        accuracies = [
            100 * pos_accuracy(K, seed, (train_x, train_y), (test_x, test_y), len(classes), by_hand)
            for seed in seeds_used
        ]
        spread = f"{statistics.fmean(accuracies):.2f} ± {statistics.stdev(accuracies):.2f}"
        print(f"| {name} | {' | '.join(f'{a:.2f}' for a in accuracies)} | {spread} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, help="a model directory or zip; without it, parts 1 and 2 only")
    ap.add_argument("--seeds", type=int, default=5)
    a = ap.parse_args()
    determinism()
    shuffle_orders()
    if a.model:
        pos_table(a.model, a.seeds)


if __name__ == "__main__":
    main()
