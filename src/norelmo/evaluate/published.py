"""NorELMo's published evaluation table (the NorLM initiative's, 2021) and a run's row beside it.

Part-of-speech accuracy (UD Norwegian Bokmål), sentence-level binary sentiment macro F1 (NoReC_sentence) and
fine-grained sentiment (Sentiment Graph F1), each with the minutes it took to adapt the model in parentheses
where the table gives them. The published figures are single runs (seed 42).
"""

from __future__ import annotations

COLUMNS = ("part-of-speech accuracy", "binary sentiment F1", "fine-grained sentiment F1")

# model: (PoS, minutes), (sentiment, minutes), fine-grained; None where the table gives no minutes.
PUBLISHED = {
    "NorELMo30": ((98.1, 8), (75.0, 5), 34.5),
    "NorELMo100": ((98.0, 8), (75.0, 5), 34.2),
    "mBERT": ((98.0, None), (67.7, None), 31.7),
    "NorBERT": ((98.5, None), (77.1, None), 34.8),
    "NB-BERT-Base": ((98.7, None), (83.9, None), 34.8),
}
METHOD_NAMES = {"bow": "mean vector", "lstm": "BiLSTM"}


def _figure(value: float, minutes: float | None) -> str:
    return f"{value:.1f}" if minutes is None else f"{value:.1f} ({minutes:.0f})"


def _run_figure(result: dict) -> str:
    """Seed 42 with the adaptation minutes (features + one classifier), then mean ± sd over the seeds."""
    minutes = result["features_minutes"] + result["classifier_minutes"]
    spread = f"{100 * result['mean']:.1f} ± {100 * result['sd']:.1f} over {len(result['seeds'])} seeds"
    return f"{100 * result['seed_42']:.1f} ({minutes:.1f}); {spread}"


def seed_table(run: str, pos: dict | None, sentiment: dict | None) -> tuple[list[str], list[list[str]]]:
    """(header, rows): this run's row (one per sentiment method) above the published rows."""
    header = ["model", *COLUMNS]
    pos_cell = _run_figure(pos) if pos else "not run"
    rows = []
    methods = (sentiment or {}).get("methods") or {None: None}
    for method, result in methods.items():
        name = f"{run} (this run)" + (f", sentiment by {METHOD_NAMES[method]}" if method else "")
        rows.append([name, pos_cell, _run_figure(result) if result else "not run", "not reproduced"])
    for model, ((p, p_min), (s, s_min), fine) in PUBLISHED.items():
        rows.append([f"{model} (published)", _figure(p, p_min), _figure(s, s_min), f"{fine:.1f}"])
    return header, rows
