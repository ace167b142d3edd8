"""The part-of-speech probe on real data: UD Norwegian Bokmål dev to train, test to score.

    python bench/evaluate.py [--model results/sample/model]

The model defaults to the bundled sample's (run `python3 tasks.py sample` first). Printed beside the
probe on the layer average: a majority-class baseline and the same probe on the character-CNN layer
alone (context-free features), all from one run. NorELMo's published PoS accuracy is 98.1 with a full
tagger, not a linear probe, and with the full model trained on 160M words, not the sample's toy.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
UD = ROOT.parent / "shared" / "data" / "ud-no-bokmaal"

from norelmo.evaluate.probe import fit_and_score, read_conllu, token_features  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "results" / "sample" / "model")
    ap.add_argument("--train", type=Path, default=UD / "no_bokmaal-ud-dev.conllu")
    ap.add_argument("--test", type=Path, default=UD / "no_bokmaal-ud-test.conllu")
    a = ap.parse_args()
    from collections import Counter

    import numpy as np

    from norelmo.elmo.embed import Embedder

    train, test = read_conllu(a.train), read_conllu(a.test)
    train_y = [t for s in train for t in s.upos]
    test_y = [t for s in test for t in s.upos]
    embedder = Embedder(a.model)
    start = time.perf_counter()
    train_f = token_features(embedder, [s.forms for s in train])
    test_f = token_features(embedder, [s.forms for s in test])
    embed_s = time.perf_counter() - start
    majority, _ = Counter(train_y).most_common(1)[0]
    rows = [("majority class (" + majority + ")", float(np.mean(np.asarray(test_y) == majority)), 0.0)]
    for name, key in (("probe: character-CNN layer", "char_cnn"), ("probe: layer average", "average")):
        start = time.perf_counter()
        rows.append((name, fit_and_score(train_f[key], train_y, test_f[key], test_y), time.perf_counter() - start))
    tokens = len(train_y) + len(test_y)
    print(f"model: {a.model} ({train_f['average'].shape[1]}-dim features)")
    print(f"train: {a.train.name}, {len(train)} sentences, {len(train_y)} tokens", end="; ")
    print(f"test: {a.test.name}, {len(test)} sentences, {len(test_y)} tokens")
    print(f"features: {tokens / embed_s:,.0f} tokens/s ({embed_s:.1f} s), peak RSS {peak_rss_mib():,.0f} MiB\n")
    print(f"| {'features':<32} | UPOS accuracy | fit s |")
    print(f"|{'-' * 34}|---------------|-------|")
    for name, accuracy, seconds in rows:
        print(f"| {name:<32} | {100 * accuracy:12.2f}% | {seconds:5.1f} |")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
