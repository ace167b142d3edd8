"""What a zero LSTM state does to a trained biLM, with and without train.state_resets.

    python bench/zero_state.py                          # sample model config, UD Bokmål text, 600 steps, 2 seeds
    python bench/zero_state.py --steps 300 --seeds 0 --resets 0 0.1

Trains the bundled sample's model config (LSTM 256, dropout 0.1) on real text (the UD Norwegian
Bokmål treebank in ../shared/data when present, else the bundled CoNLL-U) and prints, per run:
- held-out perplexity as the project reports it: streams from zero states after a warm-up pass;
- held-out perplexity from the trainer's own carried states (the states training left its 32 rows in,
  no warm-up), which no user has, but which shows what the weights can do;
- how far the `norelmo embed` vectors (layer average) of the first 32 held-out sentences move when
  the warm-up pass is skipped: mean relative L2 difference per token.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def one_run(steps: int, seed: int, resets: float) -> dict:
    import numpy as np
    import yaml
    from train import corpus_sentences, write_corpus

    from norelmo.config import Config, TrainConfig
    from norelmo.elmo.batches import BatchMaker
    from norelmo.elmo.embed import Embedder
    from norelmo.elmo.export import options_json, write_model_dir
    from norelmo.elmo.sentences import heldout_sentences
    from norelmo.elmo.token_types import corpus_types
    from norelmo.elmo.train import Trainer
    from norelmo.elmo.type_shapes import batch_layout
    from norelmo.evaluate.perplexity import heldout_perplexity

    raw = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    cfg = Config.from_dict({"run": "bench", "corpora": [{"name": "x", "text": "x"}], **raw})
    model_cfg, train_cfg = cfg.model, TrainConfig(**{**cfg.train.__dict__, "seed": seed, "state_resets": resets})
    tmp = Path(tempfile.mkdtemp())
    corpus, vocab = write_corpus(tmp)
    trainer = Trainer(model_cfg, train_cfg, len(vocab), tmp / "ckpt")
    types = corpus_types(vocab, None, [corpus], model_cfg.char_cnn.max_characters_per_token)
    heldout = heldout_sentences([corpus], 100)
    batches = BatchMaker(
        [corpus],
        types,
        train_cfg.batch_size,
        model_cfg.unroll_steps,
        model_cfg.n_negative_samples_batch,
        seed,
        None,
        len(heldout),
        **batch_layout(model_cfg.char_cnn.filters, False),
        state_resets=resets,
    )
    start, losses = time.perf_counter(), [trainer.train_step(next(batches))[0] for _ in range(steps)]
    train_s = time.perf_counter() - start
    reported = heldout_perplexity(trainer.model, types, heldout)
    carried = [[(c.read_value(), h.read_value()) for c, h in layers] for layers in trainer.states]
    from_training = heldout_perplexity(trainer.model, types, heldout, warmup=False, start_states=carried)

    options = options_json(model_cfg, len(vocab), 1, 1, train_cfg.batch_size)
    write_model_dir(trainer.model.exported_weights(), options, tmp / "vocab.txt", tmp / "model")
    first = heldout[:32]
    warm = Embedder(tmp / "model").embed(first, warmup=True)
    cold = Embedder(tmp / "model").embed(first, warmup=False)
    moved = [
        np.linalg.norm(cold[k, t] - warm[k, t]) / np.linalg.norm(warm[k, t])
        for k, sentence in enumerate(first)
        for t in range(len(sentence))
    ]
    return {
        "resets": resets,
        "seed": seed,
        "train_loss": float(np.mean(losses[-100:])),
        "train_s": train_s,
        "reported": reported,
        "from_training": from_training,
        "vectors_moved": float(np.mean(moved)),
        "corpus": corpus_sentences()[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--resets", type=float, nargs="+", default=[0.0, 0.1])
    args = parser.parse_args()
    runs = [one_run(args.steps, seed, resets) for resets in args.resets for seed in args.seeds]
    print(
        f"\nsample model config, dropout 0.1, batch 32, {args.steps} steps on {runs[0]['corpus']}; "
        "held-out: its first 100 sentences"
    )
    print(
        "| state_resets | seed | train loss (sampled, last 100) | held-out fw / bw (reported) | "
        "fw / bw from training states | embed vectors moved without warm-up |"
    )
    print("|---|---|---|---|---|---|")
    for r in runs:
        rep, carried = r["reported"], r["from_training"]
        print(
            f"| {r['resets']} | {r['seed']} | {r['train_loss']:.3f} | {rep['forward']:,.1f} / {rep['backward']:,.1f} | "
            f"{carried['forward']:,.1f} / {carried['backward']:,.1f} | {100 * r['vectors_moved']:.1f}% |"
        )
    for resets in args.resets:
        mine = [r for r in runs if r["resets"] == resets]
        if len(mine) > 1:
            means = [statistics.fmean(r[k]["mean"] for r in mine) for k in ("reported", "from_training")]
            spreads = [statistics.stdev(r[k]["mean"] for r in mine) for k in ("reported", "from_training")]
            print(
                f"state_resets {resets}: mean of both directions, reported {means[0]:,.1f} ± {spreads[0]:,.1f}, "
                f"from training states {means[1]:,.1f} ± {spreads[1]:,.1f} (mean ± sd over {len(mine)} seeds)"
            )


if __name__ == "__main__":
    main()
