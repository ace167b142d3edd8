"""Is the trainer bilm-tf? Two checks against bilm-tf's own TF1 training graph (simple_elmo 0.9.2, bench/bilm_tf.py).

    python bench/parity.py --step-by-step --steps 120 --json out.json   # what tests/elmo/test_bilm_tf_parity.py runs
    python bench/parity.py                                              # statistical check: 3 seeds each, 600 steps
    python bench/parity.py --steps 300 --seeds 0 1 --resets 0 0.1

Step by step (tiny test config, dropout 0, the bundled CoNLL-U): both start from the same weights (this project's
initial values copied into bilm-tf's graph), get the same batches and the same negatives (fed into bilm-tf's
sampled softmax), and take the same updates; the table shows the loss gap at each step and the weight gap at the
end. Statistical (bench/train.py's tiny config with dropout 0.1, UD Bokmål text from ../shared/data): each trainer
trains from its own random start with its own dropout masks and negatives, and this project's full-softmax
held-out perplexity scores both models on the same held-out sentences (the first 100, which neither trains on).

Runs in a process with TF_USE_LEGACY_KERAS=1 (bilm-tf's LSTM cells are Keras 2's); the script sets it for itself.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if os.environ.get("TF_USE_LEGACY_KERAS") != "1":  # must be set before TensorFlow is imported
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.execv(sys.executable, [sys.executable, *sys.argv])

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

HELDOUT = 100
# The ELMo tests' tiny config (tests/elmo/tiny.py) without dropout, with cell and projection clips that bind and a
# clip norm that about half of the steps exceed, so every clip is compared.
STEP_MODEL = {
    "char_cnn": {"activation": "relu", "embedding": {"dim": 8}, "filters": [[1, 16], [2, 16], [3, 32]], "n_highway": 2},
    "lstm": {"dim": 48, "projection_dim": 16, "cell_clip": 1, "proj_clip": 0.5},
    "dropout": 0.0,
    "n_negative_samples_batch": 16,
    "unroll_steps": 5,
    "all_clip_norm_val": 4.0,
}


def step_by_step(steps: int, batch_size: int = 4, vocab_size: int = 400) -> dict:
    from collections import Counter

    import numpy as np
    from bilm_tf import BilmTfTrainer

    from norelmo.config import Config
    from norelmo.elmo.batches import BatchMaker
    from norelmo.elmo.token_types import corpus_types
    from norelmo.elmo.train import Trainer
    from norelmo.evaluate.datasets import read_tagged_conllu

    tmp = Path(tempfile.mkdtemp())
    sentences = [s.forms for s in read_tagged_conllu(ROOT / "resources" / "sample" / "bokmaal-sample.conllu")]
    tokens = tmp / "tokens.txt"
    tokens.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
    counts = Counter(w for s in sentences for w in s)
    vocab = ["<S>", "</S>", "<UNK>"] + sorted(counts, key=lambda w: (-counts[w], w))[:vocab_size]  # some <UNK>s
    cfg = Config.from_dict(
        {"run": "parity", "corpora": [{"name": "x", "text": "x"}], "model": STEP_MODEL,
         "train": {"batch_size": batch_size, "state_resets": 0.0, "seed": 5}}
    )  # fmt: skip
    ours = Trainer(cfg.model, cfg.train, len(vocab), tmp / "ckpt")
    names = sorted(ours.model.weights)
    reference = BilmTfTrainer(cfg.model, batch_size, len(vocab), fed_negatives=True)
    reference.set_weights({n: v.numpy() for n, v in ours.model.weights.items()})
    types = corpus_types(vocab, None, [tokens], cfg.model.char_cnn.max_characters_per_token)
    m = cfg.model
    batches = BatchMaker([tokens], types, batch_size, m.unroll_steps, m.n_negative_samples_batch, seed=5)
    losses, norms, carried = [], [], 0
    for _ in range(steps):
        windows = batches.next_windows()
        batch = batches.complete(windows)
        theirs = reference.step(batch)
        loss, norm = ours.train_step(batch)
        losses.append((loss, theirs))
        norms.append(norm)
        carried += int((windows.inputs[0, :, 0] != types.bos).sum())  # rows going on mid-sentence: states carried
    final = reference.weights(names)
    gaps = {n: float(np.abs(ours.model.weights[n].numpy() - final[n]).max()) for n in names}
    clipped = sum(norm > m.all_clip_norm_val for norm in norms)
    return {"losses": losses, "norms": norms, "weight_gaps": gaps, "clipped_steps": clipped, "carried_rows": carried}


def print_step_by_step(r: dict) -> None:
    rel = [abs(a - b) / b for a, b in r["losses"]]
    print(f"{len(rel)} steps; clipped: {r['clipped_steps']}; rows carrying LSTM states into a batch: "
          f"{r['carried_rows']}")  # fmt: skip
    print("| steps | loss (norelmo) | loss (bilm-tf) | largest relative gap so far |")
    print("|---|---|---|---|")
    for k in sorted({0, 1, 9, 49, 99, len(rel) - 1} & set(range(len(rel)))):
        ours, theirs = r["losses"][k]
        print(f"| {k + 1} | {ours:.6f} | {theirs:.6f} | {max(rel[: k + 1]):.2e} |")
    worst = max(r["weight_gaps"], key=r["weight_gaps"].get)
    print(f"largest weight gap after the last step: {r['weight_gaps'][worst]:.2e} ({worst})")


def statistical_run(trainer_name: str, steps: int, seed: int, resets: float) -> dict:
    import numpy as np
    import tensorflow as tf
    from bilm_tf import BilmTfTrainer
    from train import heldout_setup

    from norelmo.elmo.export import options_json, write_model_dir
    from norelmo.elmo.model import SOFTMAX_B, SOFTMAX_W, BidirectionalLM, weight_shapes
    from norelmo.elmo.model_files import load_model_dir
    from norelmo.elmo.train import Trainer
    from norelmo.evaluate.perplexity import heldout_perplexity

    ours = trainer_name == "norelmo"
    run = heldout_setup("tiny", HELDOUT, full_width=not ours, seed=seed, state_resets=resets)
    m, train, vocab, types, heldout, batches = run.model, run.train, run.vocab, run.types, run.heldout, run.batches
    if ours:
        trainer = Trainer(m, train, len(vocab), run.tmp / "ckpt")
        step = lambda batch: trainer.train_step(batch)[0]  # noqa: E731
    else:
        trainer = BilmTfTrainer(m, train.batch_size, len(vocab), fed_negatives=False, seed=seed)
        step = trainer.step
    start = time.perf_counter()
    losses = [step(next(batches)) for _ in range(steps)]
    seconds = time.perf_counter() - start
    if ours:
        weights = {n: v.numpy() for n, v in trainer.model.weights.items()}
        states = [[(c.read_value(), h.read_value()) for c, h in d] for d in trainer.states]
    else:
        weights = trainer.weights([*weight_shapes(m), SOFTMAX_W, SOFTMAX_B])
        states = [[(tf.constant(c), tf.constant(h)) for c, h in d] for d in trainer.states]
    # Both models through the exported files (HDF5, and the checkpoint with the softmax), as users get them.
    options = options_json(m, len(vocab), steps * train.batch_size * m.unroll_steps, 1, train.batch_size)
    write_model_dir(weights, options, run.tmp / "vocab.txt", run.tmp / "model")
    model = BidirectionalLM(*load_model_dir(run.tmp / "model", len(vocab)))
    return {
        "trainer": trainer_name,
        "resets": resets,
        "seed": seed,
        "train_loss": float(np.mean(losses[-100:])),
        "seconds": seconds,
        "reported": heldout_perplexity(model, types, heldout),
        "from_training": heldout_perplexity(model, types, heldout, warmup=False, start_states=states),
    }


def print_statistical(runs: list[dict], steps: int, text: str) -> None:
    print(f"\nbench/train.py's tiny config (dropout 0.1, batch 32), {steps} steps on {text}; held-out: its first "
          f"{HELDOUT} sentences, full softmax, this project's evaluation for both")  # fmt: skip
    print("| trainer | state_resets | seed | train loss (sampled, last 100) | held-out fw / bw / mean, reported "
          "(zero states + warm-up) | mean from the training states | s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for r in runs:
        rep = r["reported"]
        cells = [r["trainer"], r["resets"], r["seed"], f"{r['train_loss']:.3f}",
                 f"{rep['forward']:,.1f} / {rep['backward']:,.1f} / {rep['mean']:,.1f}",
                 f"{r['from_training']['mean']:,.1f}", f"{r['seconds']:.0f}"]  # fmt: skip
        print("| " + " | ".join(map(str, cells)) + " |")
    print("\n| trainer | state_resets | runs | mean ± sd, reported | mean ± sd, from the training states |")
    print("|---|---|---|---|---|")
    for key in dict.fromkeys((r["trainer"], r["resets"]) for r in runs):
        mine = [r for r in runs if (r["trainer"], r["resets"]) == key]
        cells = []
        for protocol in ("reported", "from_training"):
            values = [r[protocol]["mean"] for r in mine]
            spread = statistics.stdev(values) if len(values) > 1 else float("nan")
            cells.append(f"{statistics.fmean(values):,.1f} ± {spread:,.1f}")
        print(f"| {key[0]} | {key[1]} | {len(mine)} | {cells[0]} | {cells[1]} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--step-by-step", action="store_true", help="the step-by-step comparison only")
    ap.add_argument("--steps", type=int, default=0, help="steps per run (step by step: 120; statistical: 600)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--resets", type=float, nargs="+", default=[0.0],
                    help="this project's train.state_resets for its runs (bilm-tf has none)")  # fmt: skip
    ap.add_argument("--json", type=Path, help="write the results here too")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    if a.step_by_step:
        result = step_by_step(a.steps or 120)
        print_step_by_step(result)
    else:
        from train import corpus_sentences

        steps = a.steps or 600
        runs = [statistical_run("bilm-tf", steps, seed, 0.0) for seed in a.seeds]
        runs += [statistical_run("norelmo", steps, seed, resets) for resets in a.resets for seed in a.seeds]
        result = {"steps": steps, "runs": runs}
        print_statistical(runs, steps, corpus_sentences()[1])
    if a.json:
        a.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
