"""How much of NoReC_fine the parser's graph encoding keeps: gold opinions -> head-final graph -> opinions, scored
against the gold with Sentiment Graph F1, per split (../shared/data/norec-fine).

    python bench/opinion_graph.py

A parser of this encoding cannot score above this; the loss is where two opinions ask for different labels on
one token pair, which the parser's one label per pair cannot hold.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data" / "norec-fine"

from norelmo.evaluate.fine_data import read_norec_fine  # noqa: E402
from norelmo.evaluate.opinion_graph import decode, encode  # noqa: E402
from norelmo.evaluate.sentiment_graph_f1 import sentiment_graph_f1  # noqa: E402


def main() -> None:
    print("| split | sentences | opinions | null polarity skipped | conflicting edges dropped | opinions back | "
          "SF1 of the round trip | P | R | read + encode + decode s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for split in ("train", "dev", "test"):
        start, skipped = time.perf_counter(), Counter()
        sentences = read_norec_fine(DATA / f"{split}.json", skipped)
        gold = [s.opinions for s in sentences]
        graphs = [encode(opinions) for opinions in gold]
        back = [decode(edges) for edges, _ in graphs]
        seconds = time.perf_counter() - start
        score = sentiment_graph_f1(gold, back)
        print(
            f"| {split} | {len(sentences):,} | {score['gold']:,} | {skipped['null_polarity']} | "
            f"{sum(d for _, d in graphs):,} | {score['predicted']:,} | {100 * score['f1']:.1f} | "
            f"{100 * score['precision']:.1f} | {100 * score['recall']:.1f} | {seconds:.1f} |"
        )


if __name__ == "__main__":
    main()
