"""What one epoch of the fine-grained task's graph parser costs on NoReC_fine, and where the time goes.

    python bench/fine_parser.py --model results/rehearsal-norec/model [--epochs 8] [--lstm fused keras]

The features (simple_elmo's layer average, batches of 64) are computed once for the three splits, then for each
encoder (bilstm.py's fused BiLSTM, and Keras' Bidirectional(LSTM), its baseline) the NorLM-sized parser trains
`--epochs` epochs on all 8,634 training sentences (batches of 50 of like length) and predicts dev after each.
Printed per encoder: the first epoch (with tf.function tracing), the mean time of the later half of the epochs
for training and for the dev prediction (the first epochs are slower: each new batch shape costs its first
time), sentences and tokens per second, the BiLSTM's arithmetic per epoch and its rate over the
whole training time (a lower bound on the encoder's own rate: the character model, scorer, loss and Adam share
that time), the projection to the protocol's 100 epochs, and the process's peak memory (resident set,
ru_maxrss). No ELMo (`--model none`) runs the word-and-character parser.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
FINE = ROOT.parent / "shared" / "data" / "norec-fine"


def bilstm_flops_per_node(sizes, elmo) -> float:
    """Multiply-adds x 2 of the BiLSTM per node and training step: forward, and twice that for the gradients."""
    width = sizes.word_dim + sizes.char_out + (sizes.elmo_dim if elmo is not None else 0)
    gates = 4 * sizes.lstm_units
    forward = 0.0
    for layer in range(sizes.lstm_layers):
        inputs = width if layer == 0 else 2 * sizes.lstm_units
        forward += 2 * 2 * (inputs + sizes.lstm_units) * gates  # two directions, input and recurrent products
    return 3 * forward


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a model directory, or `none`")
    ap.add_argument("--epochs", type=int, default=8, help="the first ones are slower (see docs/performance.md)")
    ap.add_argument("--lstm", nargs="+", choices=["fused", "keras"], default=["fused", "keras"])
    a = ap.parse_args()
    from norelmo.evaluate.fine import NORLM_PARSER, FineData, _load_features, train_parser
    from norelmo.evaluate.fine_data import read_norec_fine
    from norelmo.evaluate.graph_inputs import Vocabularies

    splits = {name: read_norec_fine(FINE / f"{name}.json") for name in ("train", "dev", "test")}
    start = time.perf_counter()
    features = _load_features(Path(a.model), splits, None, progress=False) if a.model != "none" else {}
    features_s = time.perf_counter() - start
    data = {name: FineData(s, features.get(name)) for name, s in splits.items()}
    vocab = Vocabularies.from_sentences(data["train"].tokens)
    tokens = sum(len(t) for t in data["train"].tokens)
    nodes = tokens + len(data["train"].tokens)  # each sentence's root is a node too
    tflop = nodes * bilstm_flops_per_node(NORLM_PARSER, features.get("train")) / 1e12
    print(f"features: {features_s:.0f} s for {sum(len(s) for s in splits.values()):,} sentences ({a.model})")
    print(
        "\n| encoder | first epoch s | train s/epoch | dev predict s | sentences/s | tokens/s | BiLSTM TFLOP/epoch | "
        "GFLOP/s | 100 epochs, min | peak RSS GiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for lstm in a.lstm:
        sizes = NORLM_PARSER.__class__(**{**NORLM_PARSER.__dict__, "lstm": lstm})
        _, history = train_parser(data["train"], data["dev"], vocab, a.epochs, 42, sizes=sizes)
        later = history[len(history) // 2 :]
        train_s = sum(h["train_seconds"] for h in later) / len(later)
        dev_s = sum(h["seconds"] - h["train_seconds"] for h in later) / len(later)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(
            f"| {lstm} | {history[0]['seconds']:.0f} | {train_s:.1f} | {dev_s:.1f} | "
            f"{len(data['train'].tokens) / train_s:.0f} | {tokens / train_s:,.0f} | {tflop:.2f} | "
            f"{1000 * tflop / train_s:.0f} | {100 * (train_s + dev_s) / 60:.0f} | {peak:.2f} |",
            flush=True,
        )
        epochs_s = " / ".join(f"{h['seconds']:.0f}" for h in history)
        print(f"|   | seconds per epoch, training and dev prediction: {epochs_s} | | | | | | | | |", flush=True)


if __name__ == "__main__":
    main()
