"""Opinions as a labelled graph over a sentence's tokens, head-final with inside labels, the encoding of the graph
parser that scored NorELMo's fine-grained column (Barnes et al. 2021), and back.

Nodes are 0 (the root) and the tokens, 1 to n. The last token of a polar expression hangs from the root,
labelled `exp-Positive` or `exp-Negative`; the last tokens of the opinion's target and holder hang from that
expression head, labelled `targ` and `holder`; every other token of a span hangs from its span's head, labelled
`IN:` and the span's label. A pair of nodes has one label at most (the parser scores one label per pair), so
where two opinions ask for different labels on one pair the first wins and the conversion loses the other: the
encoding returns how many it dropped.
"""

from __future__ import annotations

from itertools import product

from .fine_data import POLARITIES, Opinion

EXPRESSION = {p: f"exp-{p}" for p in POLARITIES}
TARGET, HOLDER, INSIDE = "targ", "holder", "IN:"
LABELS = (*EXPRESSION.values(), TARGET, HOLDER, *(INSIDE + label for label in (*EXPRESSION.values(), TARGET, HOLDER)))

Edges = dict[tuple[int, int], str]  # (head, dependent) -> label; nodes 1-based, 0 the root


def _attach(edges: Edges, head: int, dependent: int, label: str) -> int:
    """Add the edge; 1 where the pair already has another label (this one is dropped), else 0."""
    have = edges.setdefault((head, dependent), label)
    return int(have != label)


def _span_edges(edges: Edges, span: frozenset[int], parent: int, label: str) -> tuple[int, int]:
    """The span's head (its last token, 1-based) attached to `parent`, its other tokens to the head."""
    head = max(span) + 1
    dropped = _attach(edges, parent, head, label)
    for token in span:
        if token + 1 != head:
            dropped += _attach(edges, head, token + 1, INSIDE + label)
    return head, dropped


def encode(opinions: list[Opinion]) -> tuple[Edges, int]:
    """The sentence's graph, and how many edges conflicting labels dropped."""
    edges: Edges = {}
    dropped = 0
    for opinion in opinions:
        exp_head, lost = _span_edges(edges, opinion.expression, 0, EXPRESSION[opinion.polarity])
        dropped += lost
        for span, label in ((opinion.target, TARGET), (opinion.holder, HOLDER)):
            if span:
                dropped += _span_edges(edges, span, exp_head, label)[1]
    return edges, dropped


def decode(edges: Edges) -> list[Opinion]:
    """The opinions a graph holds: one per expression head and each pairing of its targets and holders (an
    expression without a target or holder has an empty one)."""

    def span(head: int, label: str) -> frozenset[int]:
        inside = {dep for (h, dep), lab in edges.items() if h == head and lab == INSIDE + label}
        return frozenset(k - 1 for k in {head, *inside})

    opinions = []
    for (root, exp_head), label in sorted(edges.items()):
        if root != 0 or label not in EXPRESSION.values():
            continue
        polarity = label.removeprefix("exp-")
        expression = span(exp_head, label)
        parts = {}
        for part in (TARGET, HOLDER):
            heads = sorted(dep for (h, dep), lab in edges.items() if h == exp_head and lab == part)
            parts[part] = [span(head, part) for head in heads] or [frozenset()]
        for target, holder in product(parts[TARGET], parts[HOLDER]):
            opinions.append(Opinion(holder, target, expression, polarity))
    return opinions
