"""Sentiment Graph F1, as SemEval-2022 Task 10 defines it for structured sentiment (and ltgoslo/norbench for
NoReC_fine): opinions scored as (holder, target, expression, polarity) tuples of token sets, against the gold.

A predicted tuple counts when some gold tuple overlaps it in all three spans and has its polarity; it counts the
best overlap among the gold tuples that overlap it in all three spans: the mean over the spans of
|overlap| / |predicted span|. Precision is the sum over predicted tuples divided by their number; recall the same
from the gold side (|overlap| / |gold span|); both micro over the split. An empty holder or target overlaps only
another empty one.
"""

from __future__ import annotations

from collections.abc import Sequence

from .fine_data import Opinion

EMPTY = frozenset({-1})  # an empty holder or target: overlaps only another empty one


def _spans(opinion: Opinion) -> tuple[frozenset, frozenset, frozenset]:
    return opinion.holder or EMPTY, opinion.target or EMPTY, opinion.expression or EMPTY


def _weight(own: Opinion, others: Sequence[Opinion]) -> float:
    """0 where no tuple of `others` overlaps `own` in all three spans with its polarity; else the best overlap
    among those overlapping in all three spans, each span's overlap taken relative to `own`'s."""
    spans = _spans(own)
    overlapping = [o for o in others if all(a & b for a, b in zip(spans, _spans(o), strict=True))]
    if not any(o.polarity == own.polarity for o in overlapping):
        return 0.0
    return max(sum(len(a & b) / len(a) for a, b in zip(spans, _spans(o), strict=True)) / 3 for o in overlapping)


def sentiment_graph_f1(gold: Sequence[Sequence[Opinion]], predicted: Sequence[Sequence[Opinion]]) -> dict:
    """Precision, recall and F1 of `predicted` against `gold`, sentence by sentence (the same order)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold sentences but {len(predicted)} predicted")
    n_pred = sum(len(p) for p in predicted)
    n_gold = sum(len(g) for g in gold)
    precision_sum = sum(_weight(o, g) for g, p in zip(gold, predicted, strict=True) for o in p)
    recall_sum = sum(_weight(o, p) for g, p in zip(gold, predicted, strict=True) for o in g)
    precision = precision_sum / n_pred if n_pred else 0.0
    recall = recall_sum / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted": n_pred, "gold": n_gold}
