"""The `norelmo` command: one subcommand per pipeline stage and evaluation, calling what the workflow uses."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import traceback
from pathlib import Path

from .errors import NorelmoError, debugging, error_line


def _extract(a) -> None:
    from .inputs import nak_archives
    from .wiki.shards import extract_dump_shard, extract_nak_shard, extract_text_shard

    shards = [a.shard] if a.shard is not None else range(a.shards)
    for k in shards:
        text, stats = a.out / f"shard-{k}.txt", a.out / f"shard-{k}.json"
        if a.nak:
            archives = nak_archives({"years": a.years, "archives": str(a.source)})
            result = extract_nak_shard(archives, a.nak, k, a.shards, text, stats)
        elif a.text:
            result = extract_text_shard(str(a.source), k, a.shards, text, stats, a.json_field)
        else:
            result = extract_dump_shard(a.source, a.index, k, a.shards, text, stats, a.workers, progress=True)
        print(f"shard {k}: {json.dumps(result)}", file=sys.stderr)


def _train_udpipe(a) -> None:
    from .text.udpipe import train_model

    train_model(a.conllu, a.out, a.tokenizer_options, a.tagger_options)


def _tokenize(a) -> None:
    from .text.udpipe import tokenize_file

    print(json.dumps(tokenize_file(a.model, a.input, a.output, a.lemmatize, a.workers, progress=True)), file=sys.stderr)


def _count(a) -> None:
    from .text.vocab import count_tokens, write_counts

    counts, sentences = count_tokens(a.inputs)
    write_counts(counts, sentences, a.out)


def _vocab(a) -> None:
    from .text.vocab import build_vocabulary, count_tokens, write_counts

    count_files = []
    for path in a.inputs:
        if path.suffix == ".tsv":
            count_files.append(path)
        else:  # tokenized text: count it first, beside the output
            counts_path = a.out / "counts" / (path.stem + ".tsv")
            write_counts(*count_tokens([path]), counts_path)
            count_files.append(counts_path)
    print(json.dumps(build_vocabulary(count_files, a.size, a.out)), file=sys.stderr)


def _load_run_config(a):
    from .config import load_config

    # These commands read the model and train sections only; the workflow's required keys do not apply.
    return load_config(a.config, required=("model", "train"))


def _n_train_tokens(stats: Path) -> int:
    return int(json.loads(Path(stats).read_text())["n_train_tokens"])


def _train(a) -> None:
    from .elmo.train import train_bilm
    from .evaluate.perplexity import heldout_perplexity

    cfg = _load_run_config(a)
    summary = train_bilm(
        cfg.model,
        cfg.train,
        a.inputs,
        a.vocab,
        _n_train_tokens(a.stats),
        a.checkpoints,
        a.logs,
        progress=True,
        types_path=a.types,
        score_heldout=functools.partial(heldout_perplexity, progress=True),
    )
    print(json.dumps(summary), file=sys.stderr)


def _export(a) -> None:
    from .elmo.export import export_run

    cfg = _load_run_config(a)
    export_run(cfg, a.checkpoints, a.vocab, _n_train_tokens(a.stats), a.out, a.zip, progress=True)


def _embed(a) -> None:
    import numpy as np

    from .atomic import atomic_path
    from .elmo.embed import Embedder, read_sentences

    if a.no_warmup:
        print("norelmo embed: no warm-up, the first batch starts from zero LSTM states", file=sys.stderr)
    vectors = Embedder(a.model_dir, batch_size=a.batch_size).embed(
        read_sentences(a.input), layers=a.layers, warmup=not a.no_warmup
    )
    with atomic_path(a.output) as tmp, open(tmp, "wb") as fh:
        np.save(fh, vectors)
    print(f"{a.output}: {vectors.shape}", file=sys.stderr)


def _perplexity(a) -> None:
    from .evaluate.perplexity import model_perplexity

    print(json.dumps(model_perplexity(a.model_dir, a.vocab, a.inputs, a.sentences, progress=True), indent=2))


def _probe(a) -> None:
    raise NorelmoError(
        "the linear part-of-speech probe is retired: `norelmo evaluate pos MODEL_DIR --train ... --test ...` "
        "scores the model with NorLM's own tagger protocol"
    )


def _evaluate_pos(a) -> None:
    from .evaluate.pos import evaluate_pos

    result = evaluate_pos(a.model_dir, a.train, a.test, a.lemmas, a.seeds, progress=True)
    _write_result(result, a.output)


def _evaluate_sentiment(a) -> None:
    from .evaluate.sentiment import evaluate_sentiment

    result = evaluate_sentiment(
        a.model_dir, a.train, a.dev, a.test, tuple(a.methods), a.seeds, lemmatizer=a.lemmatize_with, progress=True
    )
    _write_result(result, a.output)


def _evaluate_fine(a) -> None:
    from .atomic import atomic_json
    from .evaluate.fine import evaluate_fine

    result, predictions = evaluate_fine(
        a.model_dir,
        a.train,
        a.dev,
        a.test,
        a.epochs,
        a.seeds,
        lemmatizer=a.lemmatize_with,
        progress=True,
        workers=a.workers,
    )
    if a.predictions:
        atomic_json(a.predictions, predictions)
    _write_result(result, a.output)


def _write_result(result: dict, output: Path | None) -> None:
    from .atomic import atomic_json

    if output:
        atomic_json(output, result)
    print(json.dumps(result, indent=2))
    split = result["test_split"]
    print(f"scored on {split['file']} ({split['sentences']:,} sentences, sha1 {split['sha1']}): {split['split']}",
          file=sys.stderr)  # fmt: skip


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="norelmo", description="Rebuild NorELMo models from Wikipedia dumps.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("extract", help="clean article text from a pages-articles dump, or shard a plain-text corpus")
    s.add_argument("source", type=Path, help="dump (.xml.bz2) or, with --text, a path or glob of text files")
    s.add_argument("--index", type=Path, help="multistream index: shards then seek to their own bz2 streams")
    s.add_argument("--out", type=Path, required=True, help="directory for shard-K.txt and shard-K.json")
    s.add_argument("--shards", type=int, default=1)
    s.add_argument("--shard", type=int, help="write only this shard (0-based)")
    s.add_argument("--text", action="store_true", help="source is plain text, not a dump")
    s.add_argument("--json-field", help="with --text: the files are JSON lines, the document text in this field")
    s.add_argument("--nak", choices=("nob", "nno", "both"), help="source is a folder of NAK archives: this standard")
    s.add_argument("--years", type=int, nargs=2, default=(1998, 2019), metavar=("FIRST", "LAST"), help="with --nak")
    s.add_argument(
        "--workers", type=int, default=1, help="processes that clean wikitext (per shard), this one included"
    )
    s.set_defaults(func=_extract)

    s = sub.add_parser("train-udpipe", help="train a UDPipe tokenizer and lemmatizer from CoNLL-U")
    s.add_argument("conllu", type=Path)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--tokenizer-options", default="epochs=10")
    s.add_argument("--tagger-options", default="models=1;iterations=10")
    s.set_defaults(func=_train_udpipe)

    s = sub.add_parser("tokenize", help="split and tokenize text with UDPipe: a sentence a line")
    s.add_argument("input", type=Path)
    s.add_argument("output", type=Path)
    s.add_argument("--model", type=Path, required=True, help="a .udpipe model")
    s.add_argument("--lemmatize", action="store_true", help="replace every token by its lemma")
    s.add_argument("--workers", type=int, default=1, help="worker processes, each loading the model once")
    s.set_defaults(func=_tokenize)

    s = sub.add_parser("count", help="count the tokens of tokenized files into a TSV")
    s.add_argument("inputs", type=Path, nargs="+")
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=_count)

    s = sub.add_parser("vocab", help="build vocab.txt, vocab.tsv, stats.json and a rank-frequency plot")
    s.add_argument("inputs", type=Path, nargs="+", help="tokenized text files or count TSVs")
    s.add_argument("--size", type=int, default=100000)
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=_vocab)

    for name, func, help_ in (
        ("train", _train, "train the ELMo biLM (resumes from --checkpoints)"),
        ("export", _export, "write model.hdf5, options.json and vocab.txt from the newest checkpoint"),
    ):
        s = sub.add_parser(name, help=help_)
        s.add_argument("--config", type=Path, required=True, help="run config YAML (model and train keys)")
        s.add_argument("--vocab", type=Path, required=True)
        s.add_argument("--stats", type=Path, required=True, help="the vocabulary stage's stats.json")
        s.add_argument("--checkpoints", type=Path, required=True)
        if name == "train":
            s.add_argument("--logs", type=Path, required=True, help="TensorBoard, metrics and loss plot")
            s.add_argument("--types", type=Path, help="vocab.tsv listing every corpus type (else read from inputs)")
            s.add_argument("inputs", type=Path, nargs="+", help="tokenized training files")
        else:
            s.add_argument("--out", type=Path, required=True, help="model directory to write")
            s.add_argument("--zip", type=Path, help="also write model.hdf5, options.json and vocab.txt as this zip")
        s.set_defaults(func=func)

    s = sub.add_parser("perplexity", help="full-softmax perplexity of a model directory on held-out sentences")
    s.add_argument("model_dir", type=Path, help="model.hdf5, options.json and a checkpoint holding the softmax")
    s.add_argument(
        "inputs", type=Path, nargs="+", help="tokenized files; held out: the first sentences of the first by path"
    )
    s.add_argument("--vocab", type=Path, required=True, help="the vocabulary the softmax was trained on")
    s.add_argument("--sentences", type=int, default=10000, help="at most this many (and a tenth of the file)")
    s.set_defaults(func=_perplexity)

    s = sub.add_parser("probe", help="retired: see `norelmo evaluate pos`")
    s.add_argument("args", nargs=argparse.REMAINDER)
    s.set_defaults(func=_probe)

    s = sub.add_parser("evaluate", help="NorLM's evaluation tasks on any model directory (a published one too)")
    tasks = s.add_subparsers(dest="task", required=True)
    t = tasks.add_parser("pos", help="part-of-speech tagging: UPOS accuracy of NorLM's tagger on frozen features")
    t.add_argument("model_dir", type=Path)
    t.add_argument("--train", type=Path, required=True, help="CoNLL-U the classifier learns from")
    t.add_argument("--test", type=Path, required=True, help="CoNLL-U it is scored on")
    t.add_argument("--lemmas", action="store_true", help="feed the treebank's lemmas (a lemmatized model)")
    t.set_defaults(func=_evaluate_pos)
    t = tasks.add_parser("sentiment", help="binary sentence sentiment: macro F1 of NorLM's classifiers")
    t.add_argument("model_dir", type=Path)
    for split, what in (("train", "learns from"), ("dev", "stops early on"), ("test", "is scored on")):
        t.add_argument(
            f"--{split}", type=Path, required=True, help=f"NorLM's CSV or NoReC_sentence JSON the classifier {what}"
        )
    t.add_argument("--methods", nargs="+", choices=("bow", "lstm"), default=["bow", "lstm"])
    t.add_argument("--lemmatize-with", type=Path, help="a UDPipe model whose lemmas replace the tokens")
    t.set_defaults(func=_evaluate_sentiment)
    t = tasks.add_parser(
        "fine", help="fine-grained sentiment: Sentiment Graph F1 of NorLM's graph parser on NoReC_fine"
    )
    t.add_argument("model_dir", type=Path)
    for split, what in (("train", "learns from"), ("dev", "picks its epoch on"), ("test", "is scored on")):
        t.add_argument(f"--{split}", type=Path, required=True, help=f"NoReC_fine JSON the parser {what}")
    t.add_argument("--epochs", type=int, default=100, help="the parser's epochs (NorLM's protocol: 100)")
    t.add_argument("--lemmatize-with", type=Path, help="a UDPipe model whose lemmas the ELMo model reads")
    t.add_argument("--predictions", type=Path, help="write the seed-42 parser's test opinions here (NoReC_fine JSON)")
    t.add_argument("--workers", type=int, default=1, help="seeds trained at once, each in its own process")
    t.set_defaults(func=_evaluate_fine)
    for t in tasks.choices.values():
        t.add_argument("--seeds", type=int, default=5, help="classifier seeds, 42 first")
        t.add_argument("--output", type=Path, help="also write the result to this JSON file")

    s = sub.add_parser("embed", help="ELMo vectors for pre-tokenized sentences, as simple_elmo computes them")
    s.add_argument("model_dir", type=Path)
    s.add_argument("input", type=Path, help="one sentence per line, tokens separated by spaces")
    s.add_argument("--output", type=Path, required=True, help=".npy file")
    s.add_argument("--layers", choices=("average", "top", "all"), default="average")
    s.add_argument("--batch-size", type=int, default=32, help="rows whose LSTM states carry over (simple_elmo: 32)")
    s.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the warm-up pass over the first batch: its sentences then start from zero LSTM states",
    )
    s.set_defaults(func=_embed)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except NorelmoError as exc:
        if debugging():
            traceback.print_exc()
        print(error_line(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
