"""Fine-grained sentiment as NorLM scored NorELMo: a sentiment graph parser over frozen ELMo features, scored by
Sentiment Graph F1 on NoReC_fine's test split.

The features are simple_elmo's layer average (as NorLM's other tasks), computed once per split. The parser
(graph_parser.py) trains for `epochs` epochs on batches of 50 sentences of like length, with no early stopping;
after each epoch its labelled-edge F1 on dev is measured, and the epoch with the best one is the parser whose
test graphs are decoded into opinions and scored against the JSON gold.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np

from ..download import sha1_of
from ..errors import NorelmoError
from ..parallel import ordered_map
from ..progress import progress_bar
from .classifiers import FEATURE_BATCH, elmo_inputs, keras_module, seed_list, seed_summary
from .fine_data import FineSentence, opinion_json, read_norec_fine
from .graph_inputs import Vocabularies, bucketed, edges_of, gold_matrix, make_batch
from .graph_parser import ParserSizes, ParserTrainer, build_parser
from .opinion_graph import Edges, decode, encode
from .published import fine_test_split
from .sentiment_graph_f1 import sentiment_graph_f1

NORLM_PARSER = ParserSizes()
BATCH_SENTENCES = 50
PREDICT_BATCH = 100
PROTOCOL = (
    "Barnes et al. (2021)'s sentiment graph parser, head-final with inside labels, on frozen layer-average ELMo "
    "vectors (simple_elmo, batches of 64): 3-layer BiLSTM 200, diagonal bilinear label scorer with 'no edge', Adam "
    "(1e-3, 0, 0.95), clip 5, batches of 50 sentences, the best dev labelled-edge F1 epoch; Sentiment Graph F1 "
    "(SemEval-2022 Task 10) on test"
)


def split_rows(vectors: np.ndarray, sentences: list[list[str]]) -> list[np.ndarray]:
    """token_vectors' rows, one array per sentence."""
    ends = np.cumsum([len(s) for s in sentences])
    return np.split(vectors, ends[:-1])


def labelled_edge_f1(gold: list[Edges], predicted: list[Edges]) -> float:
    right = sum(len(set(g.items()) & set(p.items())) for g, p in zip(gold, predicted, strict=True))
    n_gold, n_pred = sum(map(len, gold)), sum(map(len, predicted))
    return 2 * right / (n_gold + n_pred) if n_gold + n_pred else 0.0


class FineData:
    """One split's sentences, gold graphs and (optionally) frozen features."""

    def __init__(self, sentences: list[FineSentence], elmo: list[np.ndarray] | None):
        self.sentences = sentences
        self.tokens = [s.tokens for s in sentences]
        encoded = [encode(s.opinions) for s in sentences]
        self.edges = [edges for edges, _ in encoded]
        self.dropped_edges = sum(dropped for _, dropped in encoded)
        self.gold = [gold_matrix(e, len(t)) for e, t in zip(self.edges, self.tokens, strict=True)]
        self.elmo = elmo

    def batches(self, vocab: Vocabularies, size: int, rng: np.random.Generator | None = None):
        for index in bucketed([len(t) for t in self.tokens], size, rng):
            yield make_batch(index, self.tokens, vocab, self.elmo, self.gold)


def predict_edges(trainer: ParserTrainer, data: FineData, vocab: Vocabularies) -> list[Edges]:
    edges: list[Edges] = [{}] * len(data.tokens)
    for batch in data.batches(vocab, PREDICT_BATCH):
        for k, matrix in zip(batch.index, trainer.predict_batch(batch), strict=True):
            edges[k] = edges_of(matrix)
    return edges


def train_parser(
    train: FineData,
    dev: FineData,
    vocab: Vocabularies,
    epochs: int,
    seed: int,
    progress: bool = False,
    sizes: ParserSizes = NORLM_PARSER,
) -> tuple[ParserTrainer, list[dict]]:
    """The parser of the epoch with the best dev labelled-edge F1, and each epoch's loss, dev F1 and seconds.
    `sizes`: NorLM's unless a test asks for a smaller parser."""
    keras = keras_module()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    elmo_width = train.elmo[0].shape[1] if train.elmo is not None else None
    model = build_parser(len(vocab.words) + 2, len(vocab.chars) + 2, elmo_width, sizes)
    trainer = ParserTrainer(model, sizes)
    history, best, best_weights = [], -1.0, None
    bar = progress_bar(range(1, epochs + 1), desc=f"parser epochs, seed {seed}", disable=not progress)
    for epoch in bar:
        start = time.perf_counter()
        losses = [trainer.train_batch(batch) for batch in train.batches(vocab, BATCH_SENTENCES, rng)]
        train_s = time.perf_counter() - start
        dev_f1 = labelled_edge_f1(dev.edges, predict_edges(trainer, dev, vocab))
        history.append(
            {
                "epoch": epoch,
                "loss": float(np.mean(losses)),
                "dev_labelled_edge_f1": dev_f1,
                "train_seconds": train_s,
                "seconds": time.perf_counter() - start,
            }
        )
        if dev_f1 > best:
            best, best_weights = dev_f1, [w.copy() for w in model.get_weights()]
        bar.set_postfix(loss=f"{history[-1]['loss']:.4f}", dev_f1=f"{dev_f1:.3f}", best=f"{best:.3f}")
    model.set_weights(best_weights)
    return trainer, history


def _load_features(model_dir: Path, splits: dict[str, list[FineSentence]], lemmatizer: Path | None, progress: bool):
    from ..elmo.embed import Embedder

    texts = elmo_inputs({name: [s.tokens for s in sentences] for name, sentences in splits.items()}, lemmatizer)
    embedder = Embedder(model_dir, batch_size=FEATURE_BATCH)
    return {
        name: split_rows(
            embedder.token_vectors(sentences, "average", progress=f"features, {name}" if progress else None), sentences
        )
        for name, sentences in texts.items()
    }


_SEED_WORK: tuple = ()


def _set_seed_work(*work) -> None:
    global _SEED_WORK
    _SEED_WORK = work


def _train_seed(seed: int) -> tuple[int, list[dict], list[Edges], float]:
    """One seed's parser, trained here or in a worker process: its history, its test graphs, its seconds."""
    data, vocab, epochs, progress, sizes = _SEED_WORK
    start = time.perf_counter()
    trainer, history = train_parser(data["train"], data["dev"], vocab, epochs, seed, progress, sizes)
    return seed, history, predict_edges(trainer, data["test"], vocab), time.perf_counter() - start


def evaluate_fine(
    model_dir: Path | None,
    train_json: Path,
    dev_json: Path,
    test_json: Path,
    epochs: int = 100,
    seeds: int = 5,
    lemmatizer: Path | None = None,
    progress: bool = False,
    sizes: ParserSizes = NORLM_PARSER,
    workers: int = 1,
) -> tuple[dict, list[dict]]:
    """(result, the seed-42 parser's test opinions in NoReC_fine's JSON form). `model_dir` None: the parser with
    no ELMo features (word and character embeddings only). `lemmatizer`: a UDPipe model whose lemmas are what a
    lemmatized ELMo model reads (the parser's own word forms stay the tokens). `workers` > 1 trains that many
    seeds at once, each in a spawned process: the parser's steps are small products in sequence that leave cores
    idle, so seeds side by side finish sooner than one after another (1.15 times on 2 cores; docs/performance.md)."""
    if epochs < 1 or seeds < 1 or workers < 1:
        raise NorelmoError(
            f"the parser needs at least one epoch, one seed and one worker (epochs {epochs}, seeds {seeds}, "
            f"workers {workers})"
        )
    files = {"train": train_json, "dev": dev_json, "test": test_json}
    skipped = Counter()
    splits = {name: read_norec_fine(path, skipped) for name, path in files.items()}
    start = time.perf_counter()
    features = _load_features(model_dir, splits, lemmatizer, progress) if model_dir is not None else {}
    features_s = time.perf_counter() - start
    data = {name: FineData(sentences, features.get(name)) for name, sentences in splits.items()}
    vocab = Vocabularies.from_sentences(data["train"].tokens)
    gold = [s.opinions for s in splits["test"]]
    runs, predictions = [], []
    workers = min(workers, seeds)
    work = (data, vocab, epochs, progress, sizes)
    with ordered_map(_train_seed, seed_list(seeds), workers, _set_seed_work, work) as trained:
        outcomes = list(trained)
    _set_seed_work()  # the features are not kept alive past the task
    for seed, history, test_edges, seconds in outcomes:
        best = max(history, key=lambda h: h["dev_labelled_edge_f1"])
        opinions = [decode(edges) for edges in test_edges]
        score = sentiment_graph_f1(gold, opinions)
        runs.append(
            {
                "seed": seed,
                **{key: score[key] for key in ("f1", "precision", "recall", "predicted", "gold")},
                "best_epoch": best["epoch"],
                "best_dev_labelled_edge_f1": best["dev_labelled_edge_f1"],
                "seconds": seconds,
                "epoch_seconds": float(np.mean([h["seconds"] for h in history])),
                "history": history,
            }
        )
        if seed == seed_list(1)[0]:
            predictions = [
                {"sent_id": s.sent_id, "text": " ".join(s.tokens), "opinions": [opinion_json(s.tokens, o) for o in p]}
                for s, p in zip(splits["test"], opinions, strict=True)
            ]
    summary = seed_summary(runs, "f1")
    seed_42 = next(r for r in runs if r["seed"] == summary["seeds"][0])
    result = {
        "task": "fine",
        "metric": "sentiment_graph_f1",
        **summary,
        "precision": seed_42["precision"],
        "recall": seed_42["recall"],
        "best_epoch": seed_42["best_epoch"],
        "epochs": epochs,
        "workers": workers,
        "features_minutes": features_s / 60,
        "features": "ELMo layer average" if model_dir is not None else "none (word and character embeddings only)",
        "inputs": "lemmas (UDPipe)" if lemmatizer is not None else "tokens",
        "sentences": {name: len(s) for name, s in splits.items()},
        "opinions": {name: sum(len(s.opinions) for s in split) for name, split in splits.items()},
        "null_polarity_skipped": skipped["null_polarity"],
        "graph": {
            "dropped_edges": {name: d.dropped_edges for name, d in data.items()},
            "test_round_trip": sentiment_graph_f1(gold, [decode(e) for e in data["test"].edges]),
        },
        "files": {name: str(path) for name, path in files.items()},
        "test_split": fine_test_split(test_json, len(splits["test"]), sha1_of(test_json)),
        "protocol": PROTOCOL,
    }
    return result, predictions
