"""UDPipe tokenization on real Bokmål: quality against gold UD annotation, and speed with 1 and 2 workers.

    python bench/tokenization.py [--tokenizer-options epochs=2] [--tagger-options "models=1;iterations=3"]

A model is trained on ../shared/data/ud-no-bokmaal/no_bokmaal-ud-dev.conllu with ufal.udpipe's
Trainer, then the raw text of no_bokmaal-ud-test.conllu (a paragraph a line, from its `# text` and
`# newpar` lines) is tokenized. Token and sentence F1 compare character spans with the gold
annotation (whitespace ignored); lemma accuracy is over the tokens whose spans match. The speed
baseline, measured in the same run, is ufal.udpipe's own Pipeline ("tokenize", no tagger,
"horizontal" output) over the same text in one call.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ufal import udpipe  # noqa: E402

from norelmo.text.udpipe import Tokenizer, load_model, tokenize_file, train_model  # noqa: E402

UD = ROOT.parent / "shared" / "data" / "ud-no-bokmaal"
SPEED_REPEAT = 10


def read_gold(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Paragraphs -> sentences -> (form, lemma) tokens of a CoNLL-U file."""
    paragraphs, sentence = [[]], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newpar") or line.startswith("# newdoc"):
            if paragraphs[-1]:
                paragraphs.append([])
        elif not line.strip():
            if sentence:
                paragraphs[-1].append(sentence)
            sentence = []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if cols[0].isdigit():
                sentence.append((cols[1], cols[2]))
    if sentence:
        paragraphs[-1].append(sentence)
    return [p for p in paragraphs if p]


def raw_text(path: Path) -> list[str]:
    paragraphs, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newpar") or line.startswith("# newdoc"):
            if current:
                paragraphs.append(" ".join(current))
            current = []
        elif line.startswith("# text = "):
            current.append(line[len("# text = ") :])
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def spans(sentences: list[list[tuple[str, str]]]) -> tuple[dict[tuple[int, int], str], set[tuple[int, int]]]:
    """Token spans (with lemmas) and sentence spans, in offsets of the paragraph without whitespace."""
    tokens, sents, pos = {}, set(), 0
    for sentence in sentences:
        start = pos
        for form, lemma in sentence:
            length = len("".join(form.split()))
            tokens[(pos, pos + length)] = lemma
            pos += length
        sents.add((start, pos))
    return tokens, sents


def f1(gold: int, system: int, correct: int) -> float:
    return 2 * correct / (gold + system) if gold + system else 0.0


def evaluate(model_path: Path, paragraphs: list[str], gold: list) -> dict:
    forms, lemmas = Tokenizer(load_model(model_path)), Tokenizer(load_model(model_path), lemmatize=True)
    counts = dict.fromkeys(("gold_tok", "sys_tok", "ok_tok", "gold_sent", "sys_sent", "ok_sent", "ok_lemma"), 0)
    for text, gold_sents in zip(paragraphs, gold, strict=True):
        pairs = zip(forms.sentences(text), lemmas.sentences(text), strict=True)
        system = [list(zip(f, lem, strict=True)) for f, lem in pairs]
        g_tok, g_sent = spans(gold_sents)
        s_tok, s_sent = spans(system)
        matched = g_tok.keys() & s_tok.keys()
        counts["gold_tok"] += len(g_tok)
        counts["sys_tok"] += len(s_tok)
        counts["ok_tok"] += len(matched)
        counts["gold_sent"] += len(g_sent)
        counts["sys_sent"] += len(s_sent)
        counts["ok_sent"] += len(g_sent & s_sent)
        counts["ok_lemma"] += sum(g_tok[k] == s_tok[k] for k in matched)
    return {
        "token_f1": f1(counts["gold_tok"], counts["sys_tok"], counts["ok_tok"]),
        "sentence_f1": f1(counts["gold_sent"], counts["sys_sent"], counts["ok_sent"]),
        "lemma_accuracy": counts["ok_lemma"] / max(counts["ok_tok"], 1),
        "gold_tokens": counts["gold_tok"],
    }


def library_pipeline_speed(model_path: Path, text: str) -> tuple[float, int]:
    model = load_model(model_path)
    pipeline = udpipe.Pipeline(model, "tokenize", udpipe.Pipeline.NONE, udpipe.Pipeline.NONE, "horizontal")
    error = udpipe.ProcessingError()
    start = time.perf_counter()
    out = pipeline.process(text, error)
    elapsed = time.perf_counter() - start
    return elapsed, sum(len(line.split()) for line in out.splitlines())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer-options", default="epochs=2")
    ap.add_argument("--tagger-options", default="models=1;iterations=3")
    ap.add_argument("--model", type=Path, help="use this .udpipe model instead of training one")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    model = a.model or tmp / "ud-dev.udpipe"
    if a.model is None:
        start = time.perf_counter()
        train_model(UD / "no_bokmaal-ud-dev.conllu", model, a.tokenizer_options, a.tagger_options)
        print(
            f"model: trained on UD Bokmål dev in {time.perf_counter() - start:.0f} s "
            f"(tokenizer {a.tokenizer_options}; tagger {a.tagger_options})"
        )
    test = UD / "no_bokmaal-ud-test.conllu"
    paragraphs, gold = raw_text(test), read_gold(test)
    text_file = tmp / "test.txt"
    # Speed is measured on the text ten times over, so starting worker processes is a small part.
    text_file.write_text("\n".join(paragraphs * SPEED_REPEAT) + "\n", encoding="utf-8")
    quality = evaluate(model, paragraphs, gold)
    print(f"text: UD Bokmål test raw text, {len(paragraphs)} paragraphs, {quality['gold_tokens']} gold tokens")
    print(
        f"quality: token F1 {quality['token_f1']:.2%}, sentence F1 {quality['sentence_f1']:.2%}, "
        f"lemma accuracy {quality['lemma_accuracy']:.2%}"
    )
    base_s, base_tokens = library_pipeline_speed(model, "\n\n".join(paragraphs * SPEED_REPEAT))
    base = base_tokens / base_s
    print(f"\n{'output':<10}{'workers':>8}{'tokens/s':>11}{'per worker':>12}{'scaling':>9}{'vs Pipeline':>13}")
    print(f"{'Pipeline':<10}{1:>8}{base:>11.0f}{base:>12.0f}{'-':>9}{'1.00x':>13}")
    for lemmatize in (False, True):
        rates = {}
        for workers in (1, 2):
            start = time.perf_counter()
            counts = tokenize_file(model, text_file, tmp / "out.txt", lemmatize, workers)
            rates[workers] = counts["tokens"] / (time.perf_counter() - start)
            scaling = f"{rates[workers] / (workers * rates[1]):.0%}" if workers > 1 else "-"
            name = "lemmas" if lemmatize else "tokens"
            r = rates[workers]
            print(f"{name:<10}{workers:>8}{r:>11.0f}{r / workers:>12.0f}{scaling:>9}{r / base:>12.2f}x")


if __name__ == "__main__":
    main()
