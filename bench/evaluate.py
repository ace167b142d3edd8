"""NorLM's evaluation tasks on real data, per model, with what training bought, and the features against simple_elmo.

    python bench/evaluate.py [--model NAME=DIR ...] [--seeds 5] [--equality-sentences 500]
    python bench/evaluate.py --no-sample --model "NoReC model=results/rehearsal-norec/model" --rows random
    python bench/evaluate.py --no-sample --model "NoReC model=results/rehearsal-norec/model" --fine-epochs 100
    python bench/evaluate.py --no-sample --model "NoReC model=results/rehearsal-norec/model" --rows random \
        --tasks fine --fine-epochs 100 --json fine-rows.json

Data (../shared/data): part-of-speech on UD Norwegian Bokmål, with **dev as the training split** (train is not
there) and test to score; binary sentiment on two splits, each train, dev, test: NorLM's (norlm-sentiment/, 2,675 /
516 / 417 sentences, the one the published column was measured on) and NoReC_sentence binary/ as released (3,894 /
701 / 583; `--sentiment-splits` picks). Rows, all from one run:
the bundled sample's model (run `python3 tasks.py sample` first), the same architecture with random initial
weights (what the features give before any training), a majority-class baseline, and every --model given (the
model trained on NoReC, say) with its own architecture's random weights beside it. Each row: the seed-42 figure
(the published ones are single runs), mean ± sd over the seeds, and minutes for the features and for one
classifier. NorELMo's published figures are printed beside. `--rows trained` or `--rows random` scores only one
of a --model's two rows (a random-weights row needs only the architecture: options.json and vocab.txt of a model
exported from any checkpoint of its run); `--no-sample` leaves the sample's rows out.

`--fine-epochs N` adds the fine-grained task (NoReC_fine, norec-fine/; Sentiment Graph F1 of the graph parser
trained N epochs, 100 being NorLM's protocol, `--fine-seeds` seeds) for every row, and a row of the parser with no
ELMo features (word and character embeddings only). It is off by default: on 2 cores one seed of 100 epochs takes
about 70 minutes per row (bench/fine_parser.py). `--tasks` picks tasks (`--tasks fine`: only the fine-grained
rows); `--no-elmo-row no` or `only` leaves that row out or scores it alone, so that rows can run as parallel
processes (the parser's small sequential steps leave cores idle: on 2 cores two side by side take less than
twice one); `--json` is rewritten after every row, so a long run that stops keeps the rows it finished.

The features check embeds sentences of both data sets with this project's embedder and with the real simple_elmo
package (batches of 64, as the published scripts load it) and prints the largest difference per feature kind, on
the first model scored (the sample's, unless --no-sample).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data"
UD = DATA / "ud-no-bokmaal"
SENTIMENT_SPLITS = {  # name: (folder, extension)
    "NorLM's split": (DATA / "norlm-sentiment", "csv"),
    "NoReC_sentence": (DATA / "norec-sentence" / "binary", "json"),
}

from norelmo.evaluate.datasets import read_sentiment_split, read_tagged_conllu  # noqa: E402
from norelmo.evaluate.published import PUBLISHED  # noqa: E402


def random_weights_model(model_dir: Path, out: Path) -> Path:
    """`model_dir`'s architecture and vocabulary with bilm-tf's initial values instead of trained weights."""
    from norelmo.elmo.export import write_model_dir
    from norelmo.elmo.model import initial_values
    from norelmo.elmo.model_files import load_options, model_config_from_options

    options = load_options(model_dir)
    write_model_dir(
        initial_values(model_config_from_options(options), None, seed=0), options, model_dir / "vocab.txt", out
    )
    return out


def feature_differences(model_dir: Path, sentences: list[list[str]]) -> dict[str, float]:
    """Largest absolute difference between this project's features and simple_elmo's, per feature kind."""
    import numpy as np

    from norelmo.elmo.embed import Embedder
    from norelmo.evaluate.classifiers import FEATURE_BATCH

    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "sentences.txt"
        text.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
        script = ROOT / "tests" / "workflow" / "simple_elmo_vectors.py"
        env = dict(os.environ, TF_USE_LEGACY_KERAS="1")
        cmd = [sys.executable, str(script), str(model_dir), str(text), tmp, str(FEATURE_BATCH)]
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        reference = {name: np.load(Path(tmp) / f"{name}.npy") for name in ("average", "top")}
        reference |= {f"sentence-{m}": np.load(Path(tmp) / f"sentence-{m}.npy") for m in ("average", "top")}
    embedder = Embedder(model_dir, batch_size=FEATURE_BATCH)
    found = {}
    for layers in ("average", "top"):
        tokens = np.concatenate([reference[layers][k, : len(s)] for k, s in enumerate(sentences)])
        found[f"token, {layers}"] = float(np.abs(embedder.token_vectors(sentences, layers) - tokens).max())
        ours = embedder.sentence_vectors(sentences, layers)
        found[f"sentence mean, {layers}"] = float(np.abs(ours - reference[f"sentence-{layers}"]).max())
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=Path, default=ROOT / "results" / "sample" / "model", help="the sample's model")
    ap.add_argument("--model", action="append", default=[], metavar="NAME=DIR", help="more models to score")
    ap.add_argument("--rows", choices=["both", "trained", "random", "none"], default="both", help="of each --model")
    ap.add_argument("--no-elmo-row", choices=["yes", "no", "only"], default="yes",
                    help="the fine-grained parser without ELMo: with the other rows, not at all, or alone")  # fmt: skip
    ap.add_argument("--no-sample", action="store_true", help="leave out the sample model's rows")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument(
        "--sentiment-splits", nargs="+", choices=list(SENTIMENT_SPLITS), default=list(SENTIMENT_SPLITS), metavar="SPLIT"
    )
    ap.add_argument("--equality-sentences", type=int, default=500, help="per data set, for the features check")
    ap.add_argument("--fine-epochs", type=int, default=0, help="the fine-grained task's epochs; 0: not run")
    ap.add_argument("--fine-seeds", type=int, default=1)
    ap.add_argument("--tasks", nargs="+", choices=["pos", "sentiment", "fine"], default=["pos", "sentiment", "fine"],
                    help="which tasks to score (fine only with --fine-epochs)")  # fmt: skip
    ap.add_argument("--json", type=Path, help="also write every result here")
    a = ap.parse_args()
    from norelmo.evaluate.fine import evaluate_fine
    from norelmo.evaluate.pos import evaluate_pos
    from norelmo.evaluate.sentiment import evaluate_sentiment

    tmp = Path(tempfile.mkdtemp())
    # name: (model directory, whether to score its architecture with random weights instead)
    models = {}
    if not a.no_sample:
        models["sample model (trained)"] = (a.sample, False)
        models["random weights (sample's architecture)"] = (a.sample, True)
    for name, path in (m.split("=", 1) for m in a.model):
        if a.rows != "random":
            models[name] = (Path(path), False)
        if a.rows != "trained":
            models[f"random weights ({name}'s architecture)"] = (Path(path), True)
    if a.no_elmo_row == "only":
        models = {}
        if not a.fine_epochs or a.tasks != ["fine"]:
            raise SystemExit("--no-elmo-row only needs --tasks fine and --fine-epochs")
    elif not models:
        raise SystemExit("nothing to score: --no-sample needs a --model")
    if a.tasks == ["fine"] and not a.fine_epochs:
        raise SystemExit("--tasks fine needs --fine-epochs")
    pos_files = (UD / "no_bokmaal-ud-dev.conllu", UD / "no_bokmaal-ud-test.conllu")
    sentiment_files = {
        name: tuple(folder / f"{split}.{ext}" for split in ("train", "dev", "test"))
        for name, (folder, ext) in SENTIMENT_SPLITS.items()
        if name in a.sentiment_splits
    }
    fine_files = tuple(DATA / "norec-fine" / f"{split}.json" for split in ("train", "dev", "test"))

    def fine(path: Path | None) -> dict | None:
        if not a.fine_epochs or "fine" not in a.tasks:
            return None
        return evaluate_fine(path, *fine_files, epochs=a.fine_epochs, seeds=a.fine_seeds, progress=True)[0]

    results, scored, no_elmo = {}, [], None

    def save(**more) -> None:
        if a.json:
            everything = {"results": results, "fine_without_elmo": no_elmo, **more}
            a.json.write_text(json.dumps(everything, indent=1))

    for k, (name, (path, random)) in enumerate(models.items()):
        path = random_weights_model(path, tmp / f"random-{k}") if random else path
        scored.append(path)
        print(f"scoring {name}: {path}", file=sys.stderr, flush=True)
        results[name] = {
            "pos": evaluate_pos(path, *pos_files, seeds=a.seeds) if "pos" in a.tasks else None,
            "sentiment": {
                split: evaluate_sentiment(path, *files, seeds=a.seeds) for split, files in sentiment_files.items()
            }
            if "sentiment" in a.tasks
            else None,
            "fine": fine(path),
        }
        save()
    no_elmo = fine(None) if a.no_elmo_row != "no" else None
    save()
    first = next(iter(results.values()), {"pos": None, "sentiment": None, "fine": no_elmo})
    pos = first["pos"]
    if pos:
        print(f"part-of-speech: UD Bokmål dev as the training split ({pos['train_tokens']:,} tokens; train is not")
        print(f"in ../shared/data), test scored ({pos['test_tokens']:,} tokens); UPOS accuracy; seeds {pos['seeds']}")
    for split, sentiment in (first["sentiment"] or {}).items():
        counts = ", ".join(f"{k} {v:,}" for k, v in sentiment["sentences"].items())
        print(f"sentiment on {split}: {counts} sentences; macro F1")
    if first["fine"]:
        counts = ", ".join(f"{k} {v:,}" for k, v in first["fine"]["sentences"].items())
        print(f"fine-grained on NoReC_fine: {counts} sentences; Sentiment Graph F1; seeds {first['fine']['seeds']}")
    print()
    print(f"| {'task':<28} | {'model':<40} | seed 42 | mean ± sd      | features min | classifier min |")
    print(f"|{'-' * 30}|{'-' * 42}|---------|----------------|--------------|----------------|")

    def row(task: str, model: str, r: dict | None, majority: float | None = None) -> None:
        if r is None:
            print(f"| {task:<28} | {model:<40} | {100 * majority:7.1f} | {'':<14} | {'':>12} | {'':>14} |")
            return
        spread = f"{100 * r['mean']:.1f} ± {100 * r['sd']:.1f}"
        print(
            f"| {task:<28} | {model:<40} | {100 * r['seed_42']:7.1f} | {spread:<14} | "
            f"{r['features_minutes']:12.2f} | {r['classifier_minutes']:14.2f} |"
        )

    if pos:
        row("part-of-speech", f"majority class ({pos['majority_tag']})", None, pos["majority_accuracy"])
        for name, r in results.items():
            row("part-of-speech", name, r["pos"])
    for split in sentiment_files if first["sentiment"] else ():
        for method, label in (("bow", f"{split}, mean vector"), ("lstm", f"{split}, BiLSTM")):
            sentiment = first["sentiment"][split]
            row(label, f"majority class ({sentiment['majority_label']})", None, sentiment["majority_macro_f1"])
            for name, r in results.items():
                row(label, name, r["sentiment"][split]["methods"][method])
    if first["fine"]:
        label = f"fine-grained, {a.fine_epochs} epochs"
        for name, r in results.items():
            row(label, name, r["fine"])
        if no_elmo:
            row(label, "parser without ELMo (words, characters)", no_elmo)
        fine_rows = {name: r["fine"] for name, r in results.items()} | (
            {"parser without ELMo": no_elmo} if no_elmo else {}
        )
        print("\n| fine-grained, seed 42 | precision | recall | best epoch | its dev labelled-edge F1 | s/epoch |")
        print("|---|---|---|---|---|---|")
        for name, r in fine_rows.items():
            run = r["runs"][0]
            print(
                f"| {name} | {100 * r['precision']:.1f} | {100 * r['recall']:.1f} | {r['best_epoch']} | "
                f"{100 * run['best_dev_labelled_edge_f1']:.1f} | {run['epoch_seconds']:.1f} |"
            )
    published = "; ".join(f"{m} {p[0]} / {s[0]} / {f[0]}" for m, (p, s, f) in PUBLISHED.items())
    print(f"\npublished (PoS accuracy / binary sentiment F1 / SF1, full UD train, single runs): {published}")

    if not scored:
        return
    n = a.equality_sentences
    sentences = [s.forms for s in read_tagged_conllu(pos_files[1])][:n]
    sentences += [s.tokens for s in read_sentiment_split(next(iter(sentiment_files.values()))[2])][:n]
    checked = scored[0]
    differences = feature_differences(checked, sentences)
    print(f"\nfeatures against simple_elmo 0.9.2 ({checked}, {len(sentences)} sentences, batches of 64):")
    print("| feature                 | largest abs difference |\n|-------------------------|------------------------|")
    for kind, value in differences.items():
        print(f"| {kind:<23} | {value:22.2e} |")
    save(feature_differences=differences)


if __name__ == "__main__":
    main()
