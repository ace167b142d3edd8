"""How far the mean-vector sentiment figure moves with the seed, and that the project's pipeline is NorLM's script.

    python bench/sentiment_spread.py --model results/rehearsal-norec/model [--seeds 20]

1. NorLM's elmo_binary_sentiment.py (`--method bow --elmo_layers top`) restated line by line: simple_elmo 0.9.2's
   own get_elmo_vector_average features (one load, batches of 64), a Sequential whose first Dense takes
   `input_shape`, one-hot labels with categorical cross-entropy, numpy, random and TensorFlow seeded one by one,
   predictions rounded before the argmax; trained by tf-keras. Beside it the project's own path (its embedder, its
   classifiers), and each classifier on the other's features. Macro F1 per seed 42 to 46, on each split: the same
   features give the same figures in both classifiers; features that differ by 1e-7 may not (early stopping on
   dev accuracy turns a tiny difference in one epoch's weights into another stopping epoch).
2. The spread: the project's classifier over `--seeds` seeds from 42, with the features in batches of 64 (NorLM's)
   and of 32 (simple_elmo's default), which changes the features, as simple_elmo's mean counts the batch's padding.
   Printed: the mean and sd over all seeds and the means of consecutive groups of 5 seeds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data"
SPLITS = {
    "NorLM's split": (DATA / "norlm-sentiment", "csv"),
    "NoReC_sentence": (DATA / "norec-sentence" / "binary", "json"),
}


def simple_elmo_sentence_vectors(model_dir: Path, sentences: list[list[str]]) -> np.ndarray:
    """get_elmo_vector_average(layers="top") of the real simple_elmo, in its own process (TF1 graph mode)."""
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "sentences.txt"
        text.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
        script = ROOT / "tests" / "workflow" / "simple_elmo_vectors.py"
        env = dict(os.environ, TF_USE_LEGACY_KERAS="1")
        subprocess.run(
            [sys.executable, str(script), str(model_dir), str(text), tmp, "64"],
            env=env,
            check=True,
            capture_output=True,
        )
        return np.load(Path(tmp) / "sentence-top.npy")


def norlm_script(x: dict, y: dict, seed: int) -> float:
    """Macro F1 of NorLM's bow classifier as its script builds and trains it (tf-keras, as NorLM's Keras 2)."""
    import tensorflow as tf

    from norelmo.evaluate.classifiers import keras_module
    from norelmo.evaluate.sentiment import SENTIMENT_FIT, macro_f1

    keras = keras_module()
    # The script runs in a fresh process, where Keras draws its layers' seeds from `random`; an earlier
    # keras.utils.set_random_seed in this process (the project's classifier) left a generator that would win.
    keras.src.backend._SEED_GENERATOR.generator = None
    np.random.seed(seed)
    random.seed(seed)
    tf.random.set_seed(seed)
    model = keras.Sequential()
    model.add(keras.layers.Dense(128, input_shape=(x["train"].shape[1],), activation="relu"))
    model.add(keras.layers.Dropout(0.1))
    model.add(keras.layers.Dense(2, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", min_delta=0.0001, patience=3, mode="max")
    one_hot = {name: keras.utils.to_categorical(labels, 2) for name, labels in y.items()}
    model.fit(
        x["train"],
        one_hot["train"],
        epochs=SENTIMENT_FIT.epochs,
        batch_size=SENTIMENT_FIT.batch_size,
        validation_data=(x["dev"], one_hot["dev"]),
        callbacks=[stop],
        verbose=0,
    )
    predicted = np.argmax(np.around(model.predict(x["test"], verbose=0)), axis=-1)
    return macro_f1(y["test"], predicted)


def project_f1(x: dict, y: dict, seed: int) -> float:
    from norelmo.evaluate.classifiers import dense_classifier, fit_and_predict
    from norelmo.evaluate.sentiment import SENTIMENT_FIT, macro_f1

    build = partial(dense_classifier, x["train"].shape[1], 2)
    predicted, _, _ = fit_and_predict(
        build, SENTIMENT_FIT, seed, (x["train"], y["train"]), x["test"], (x["dev"], y["dev"])
    )
    return macro_f1(y["test"], predicted)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True, help="a model directory (model.hdf5, options.json)")
    ap.add_argument("--seeds", type=int, default=20, help="for the spread (part 2)")
    a = ap.parse_args()
    from norelmo.elmo.embed import Embedder
    from norelmo.evaluate.datasets import SENTIMENT_LABELS, read_sentiment_split

    print("| split | features | classifier | seed 42 | 43 | 44 | 45 | 46 | mean |")
    print("|---|---|---|---|---|---|---|---|---|")
    spread = []
    for split, (folder, ext) in SPLITS.items():
        data = {name: read_sentiment_split(folder / f"{name}.{ext}") for name in ("train", "dev", "test")}
        texts = {name: [s.tokens for s in sentences] for name, sentences in data.items()}
        y = {name: np.array([SENTIMENT_LABELS.index(s.label) for s in sentences]) for name, sentences in data.items()}
        reference = {name: simple_elmo_sentence_vectors(a.model, sentences) for name, sentences in texts.items()}
        ours = {
            batch: {
                name: Embedder(a.model, batch_size=batch).sentence_vectors(sentences, "top")
                for name, sentences in texts.items()
            }
            for batch in (64, 32)
        }
        gap = max(float(np.abs(reference[name] - ours[64][name]).max()) for name in texts)
        for features, classifier, x, score in (
            ("simple_elmo 0.9.2", "NorLM's script", reference, norlm_script),
            ("simple_elmo 0.9.2", "this project's", reference, project_f1),
            (f"this project's (max diff {gap:.1e})", "this project's", ours[64], project_f1),
        ):
            f1 = [100 * score(x, y, seed) for seed in range(42, 47)]
            cells = " | ".join(f"{v:.2f}" for v in f1)
            print(f"| {split} | {features} | {classifier} | {cells} | {statistics.fmean(f1):.2f} |", flush=True)
        for batch, x in ours.items():
            f1 = [100 * project_f1(x, y, seed) for seed in range(42, 42 + a.seeds)]
            groups = " / ".join(f"{statistics.fmean(f1[k : k + 5]):.1f}" for k in range(0, len(f1) - 4, 5))
            spread.append((split, batch, statistics.fmean(f1), statistics.stdev(f1), min(f1), max(f1), groups))
    print(f"\n| split | feature batch | mean ± sd ({a.seeds} seeds) | min | max | means of 5 consecutive seeds |")
    print("|---|---|---|---|---|---|")
    for split, batch, mean, sd, low, high, groups in spread:
        print(f"| {split} | {batch} | {mean:.2f} ± {sd:.2f} | {low:.1f} | {high:.1f} | {groups} |")


if __name__ == "__main__":
    main()
