"""NorELMo's published evaluation table (the NorLM initiative's, 2021), the data it was measured on, and a run's row
beside it.

Part-of-speech accuracy (UD Norwegian Bokmål's test split), sentence-level binary sentiment macro F1 (NorLM's
2,675 / 516 / 417-sentence cut of NoReC_sentence, kept in ltgoslo/NorBERT) and fine-grained sentiment (Sentiment
Graph F1), each with the minutes it took to adapt the model in parentheses where the table gives them. The
published figures are single runs (seed 42). A run's cell is set beside a column only when it was scored on that
column's test split; otherwise the cell says which split it was.
"""

from __future__ import annotations

from pathlib import Path

# NorLM's sentiment split: ltgoslo/NorBERT benchmarking/data/sentiment/no/ at this commit. The same repository's
# benchmarking/experiments/results/*_sentiment.tsv hold the table's NorBERT, mBERT and NB-BERT-Base figures.
NORLM_COMMIT = "62bd35754bc7ff56fb0a6e46b5899cea446afacf"
NORLM_SENTIMENT_URL = f"https://raw.githubusercontent.com/ltgoslo/NorBERT/{NORLM_COMMIT}/benchmarking/data/sentiment/no"
NORLM_SENTIMENT_SHA1 = {
    "train": "f69a3c545ac6cb729fe52fe55e1e0555524c1376",
    "dev": "afae6dfe9007d0b741dcae7079c1d95d373302c6",
    "test": "4619964867d518d0b0c70f008f00903abd6f3486",
}
NORLM_SENTIMENT_SENTENCES = {"train": 2675, "dev": 516, "test": 417}
# UD Norwegian Bokmål's test split, which the part-of-speech column was scored on (UD 2.5; the count is the same
# in every release since, so it, with the file's name, identifies the split whatever its annotation revision).
UD_BOKMAAL_TEST = ("no_bokmaal-ud-test.conllu", 1939)
# NoReC_fine as released (ltgoslo/norec_fine at this commit; its JSON unchanged since September 2020, so the release a
# 2021 run read), which the fine-grained column was scored on.
NOREC_FINE_COMMIT = "a1d48a7124484fd11794d9347912430bf5732108"
NOREC_FINE_URL = f"https://raw.githubusercontent.com/ltgoslo/norec_fine/{NOREC_FINE_COMMIT}"
NOREC_FINE_SHA1 = {
    "train": "dc77579b859678803b9b4786a4e42c895de6d160",
    "dev": "205ebc768630b3ee2afb35e4f00b56545d03437e",
    "test": "79791a15632edccf0230995167dea91131a0cd3a",
}


def norlm_sentiment_url(split: str) -> str:
    return f"{NORLM_SENTIMENT_URL}/{split}.csv"


def norec_fine_url(split: str) -> str:
    return f"{NOREC_FINE_URL}/{split}.json"


def known_sha1(url: str) -> tuple[str, str] | None:
    """(sha1, where it is recorded) of a file this project knows by URL, so its download is checked against it."""
    for split, sha1 in NORLM_SENTIMENT_SHA1.items():
        if url == norlm_sentiment_url(split):
            return sha1, f"NorLM's {split} split at NorBERT {NORLM_COMMIT[:7]} (evaluate/published.py)"
    for split, sha1 in NOREC_FINE_SHA1.items():
        if url == norec_fine_url(split):
            return sha1, f"NoReC_fine's {split} split at norec_fine {NOREC_FINE_COMMIT[:7]} (evaluate/published.py)"
    return None


def _test_split(path: Path, sentences: int, sha1: str, comparable: bool, published: str) -> dict:
    split = f"{published} (the published column's)" if comparable else f"not {published}"
    return {"file": Path(path).name, "sentences": sentences, "sha1": sha1, "comparable": comparable, "split": split}


def sentiment_test_split(path: Path, sentences: int, sha1: str) -> dict:
    """What a sentiment test split is, for the figure scored on it: comparable with the published column only
    when it is NorLM's test file, byte for byte."""
    comparable = sha1 == NORLM_SENTIMENT_SHA1["test"]
    return _test_split(path, sentences, sha1, comparable, "NorLM's sentiment test split")


def pos_test_split(path: Path, sentences: int, sha1: str) -> dict:
    comparable = (Path(path).name, sentences) == UD_BOKMAAL_TEST
    return _test_split(path, sentences, sha1, comparable, "UD Norwegian Bokmål's test split")


def fine_test_split(path: Path, sentences: int, sha1: str) -> dict:
    comparable = sha1 == NOREC_FINE_SHA1["test"]
    return _test_split(path, sentences, sha1, comparable, "NoReC_fine's test split")


def _comparability(result: dict) -> str:
    split = result.get("test_split")
    if not split or split["comparable"]:
        return ""
    return f"; not comparable: scored on {split['file']} ({split['sentences']:,} sentences)"


COLUMNS = ("part-of-speech accuracy", "binary sentiment F1", "fine-grained sentiment F1")

# model: (figure, minutes to adapt) per column: PoS, sentiment, fine-grained; None where the table gives no minutes.
PUBLISHED = {
    "NorELMo30": ((98.1, 8), (75.0, 5), (34.5, 446)),
    "NorELMo100": ((98.0, 8), (75.0, 5), (34.2, 434)),
    "mBERT": ((98.0, None), (67.7, None), (31.7, 444)),
    "NorBERT": ((98.5, None), (77.1, None), (34.8, 438)),
    "NB-BERT-Base": ((98.7, None), (83.9, None), (34.8, 404)),
}
METHOD_NAMES = {"bow": "mean vector", "lstm": "BiLSTM"}


def _figure(value: float, minutes: float | None) -> str:
    return f"{value:.1f}" if minutes is None else f"{value:.1f} ({minutes:.0f})"


def _run_figure(result: dict) -> str:
    """Seed 42 with the adaptation minutes (features + one classifier), then mean ± sd over the seeds (a run of
    one seed says so instead)."""
    minutes = result["features_minutes"] + result["classifier_minutes"]
    figure = f"{100 * result['seed_42']:.1f} ({minutes:.1f})"
    if len(result["seeds"]) == 1:
        return f"{figure}; one seed"
    return f"{figure}; {100 * result['mean']:.1f} ± {100 * result['sd']:.1f} over {len(result['seeds'])} seeds"


def seed_table(
    run: str, pos: dict | None, sentiment: dict | None, fine: dict | None = None
) -> tuple[list[str], list[list[str]]]:
    """(header, rows): this run's row (one per sentiment method) above the published rows."""
    header = ["model", *COLUMNS]
    pos_cell = _run_figure(pos) + _comparability(pos) if pos else "not run"
    fine_cell = _run_figure(fine) + _comparability(fine) if fine else "not run"
    rows = []
    methods = (sentiment or {}).get("methods") or {None: None}
    for method, result in methods.items():
        name = f"{run} (this run)" + (f", sentiment by {METHOD_NAMES[method]}" if method else "")
        cell = _run_figure(result) + _comparability(sentiment) if result else "not run"
        rows.append([name, pos_cell, cell, fine_cell])
    for model, columns in PUBLISHED.items():
        rows.append([f"{model} (published)", *(_figure(value, minutes) for value, minutes in columns)])
    return header, rows
