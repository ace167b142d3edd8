"""What the per-epoch held-out perplexity costs at the NorELMo configuration with a 100,000-word softmax.

    python bench/heldout.py                      # 320 UD Bokmål sentences in 32 streams, as the trainer reads them
    python bench/heldout.py --sentences 1280 --rows 32 128

The pass (evaluate.perplexity.heldout_perplexity, as the trainer calls it after each epoch: one warm-up pass
unscored, then the full softmax over every word of the vocabulary) runs on the first --sentences sentences of
UD Norwegian Bokmål (../shared/data; the bundled CoNLL-U without it) with the schema's NorELMo model and initial
weights (the cost does not depend on them). The vocabulary: the treebank's types by frequency, then NoReC dev's
whitespace-separated ones (../shared/data/norec), to 100,000. The thread pools are the trainer's. Printed per
stream count: seconds, seconds per 1,000 sentences, tokens/s, the pass's nominal GFLOP/s and its share of
this CPU's fp32 matmul rate measured in the same run, and what train.heldout_sentences' default (10,000)
then takes here; and, from the FLOPs, what it takes at the FLOP rate the trainer's step reached on an H200
(fp32, 317,864 tokens/s, docs/performance.md) against an epoch of Bokmål Wikipedia (160 M tokens) there: an
estimate, no GPU having run this pass.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
NOREC_DEV = ROOT.parent / "shared" / "data" / "norec" / "norec-dev.txt"
DEFAULT_HELDOUT = 10_000
H200_TOKENS_PER_S = 317_864  # the trainer's NorELMo step, fp32 queued, on an H200 (docs/performance.md)
WIKI_TOKENS = 160e6


def vocabulary(sentences: list[list[str]], size: int) -> list[str]:
    counts = Counter(t for s in sentences for t in s)
    words = [t for t, _ in sorted(counts.items(), key=lambda tn: (-tn[1], tn[0]))]
    if NOREC_DEV.exists() and len(words) < size:
        seen, more = set(words), Counter(NOREC_DEV.read_text(encoding="utf-8").split())
        words += [t for t, _ in more.most_common() if t not in seen][: size - len(words)]
    return ["<S>", "</S>", "<UNK>", *words[: size - 3]]


def pass_flops(cfg, tokens: int, vocab_size: int, warmup: bool) -> float:
    """Nominal FLOPs of the pass, both directions: per token the token embedding and the LSTMs (twice with the
    warm-up), then the full softmax once."""
    from train import forward_flops_per_token

    embed, lstms = forward_flops_per_token(cfg)
    softmax = 2 * cfg.lstm.projection_dim * vocab_size
    return 2 * tokens * ((embed + lstms) * (2 if warmup else 1) + softmax)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=320)
    ap.add_argument("--rows", type=int, nargs="+", default=[32], help="stream counts (the trainer's: 32)")
    ap.add_argument("--vocab", type=int, default=100_000)
    args = ap.parse_args()

    from norelmo.elmo.cluster import size_cpu_thread_pools

    size_cpu_thread_pools()  # before any TensorFlow op, as the trainer does
    from train import corpus_sentences, matmul_flops, nominal_flops_per_token, run_config

    from norelmo.elmo.model import BidirectionalLM
    from norelmo.elmo.token_types import TokenTypes
    from norelmo.evaluate.perplexity import heldout_perplexity

    sentences, text = corpus_sentences()
    held = sentences[: args.sentences]
    cfg = run_config("full").model
    vocab = vocabulary(sentences, args.vocab)
    known = set(vocab)
    types = TokenTypes(vocab, sorted({t for s in held for t in s} - known), cfg.char_cnn.max_characters_per_token)
    model = BidirectionalLM.initialized(cfg, vocab_size=len(vocab), seed=0)
    tokens = sum(len(s) + 1 for s in held)  # each sentence's words and its </S> (forward) or <S> (backward)
    peak = matmul_flops(gpu=False)
    print(f"NorELMo model (LSTM {cfg.lstm.dim}, projection {cfg.lstm.projection_dim}), softmax of {len(vocab):,}")
    print(f"words; {len(held):,} held-out sentences of {text} ({tokens:,} scored tokens per direction)")
    print(f"fp32 matmul on this CPU: {peak / 1e9:.0f} GFLOP/s\n")
    rows = []
    for streams in args.rows:
        start = time.perf_counter()
        result = heldout_perplexity(model, types, held, rows=streams, progress=True)  # its lines go to stderr
        seconds = time.perf_counter() - start
        flops = pass_flops(cfg, tokens, len(vocab), warmup=True)
        if not math.isfinite(result["mean"]):
            raise SystemExit(f"{streams} streams: non-finite perplexity {result}")
        rows.append((streams, seconds, flops))
    header = ["streams", "seconds", "s per 1,000 sentences", "tokens/s", "GFLOP/s", "of matmul peak",
              f"{DEFAULT_HELDOUT:,} sentences here"]  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for streams, seconds, flops in rows:
        per_1000 = seconds * 1000 / len(held)
        print(f"| {streams} | {seconds:.1f} | {per_1000:.1f} | {tokens / seconds:,.0f} | {flops / seconds / 1e9:.0f} | "
              f"{flops / seconds / peak:.0%} | {per_1000 * DEFAULT_HELDOUT / 1000 / 60:.1f} min |")  # fmt: skip
    # The GPU estimate: the pass's FLOPs for the default at the FLOP rate the trainer's step reaches on an H200.
    default_flops = pass_flops(cfg, tokens * DEFAULT_HELDOUT / len(held), len(vocab), warmup=True)
    gpu_rate = nominal_flops_per_token(cfg) * H200_TOKENS_PER_S
    gpu_seconds = default_flops / gpu_rate
    epoch_seconds = WIKI_TOKENS / H200_TOKENS_PER_S
    share = gpu_seconds / (epoch_seconds + gpu_seconds)
    print(
        f"\nEstimate for one H200 (not measured): {DEFAULT_HELDOUT:,} sentences are {default_flops / 1e12:.0f} TFLOP, "
        f"{gpu_seconds:.0f} s at the {gpu_rate / 1e12:.0f} TFLOP/s of the trainer's step there; an epoch of Bokmål "
        f"Wikipedia ({WIKI_TOKENS / 1e6:.0f} M tokens) takes {epoch_seconds / 60:.1f} min there, so the pass is "
        f"{share:.1%} of an epoch with its evaluation."
    )


if __name__ == "__main__":
    main()
