"""NoReC_fine, the fine-grained sentiment task's data: sentences with opinions (holder, target, polar expression,
polarity) whose spans are character offsets into the already tokenized text, read as sets of token indices.

An offset `b:e` must start where a token starts and end where one ends (the text is tokens joined by single
spaces); a discontinuous span has several offsets, united. A polarity is Positive or Negative; null (two
training opinions of the release) is skipped and counted, as the released data's own converters skip it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import NorelmoError
from .datasets import read_json_file

POLARITIES = ("Positive", "Negative")
SPAN_KEYS = ("Source", "Target", "Polar_expression")  # holder, target, expression


@dataclass(frozen=True)
class Opinion:
    """Token indices (0-based) of each span; an empty holder or target is an empty set."""

    holder: frozenset[int]
    target: frozenset[int]
    expression: frozenset[int]
    polarity: str


@dataclass(frozen=True)
class FineSentence:
    sent_id: str
    tokens: list[str]
    opinions: list[Opinion]


def token_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) characters of each space-separated token."""
    offsets, start = [], 0
    for token in text.split(" "):
        if token:
            offsets.append((start, start + len(token)))
        start += len(token) + 1
    return offsets


def _span(value, offsets: list[tuple[int, int]], text: str, where: str) -> frozenset[int]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, list) for v in value)):
        raise NorelmoError(f'{where}: expected [[strings], ["start:end", ...]]')
    strings, spans = value
    if len(strings) != len(spans):
        raise NorelmoError(f"{where}: {len(strings)} strings but {len(spans)} offsets")
    starts = {b: k for k, (b, _) in enumerate(offsets)}
    ends = {e: k for k, (_, e) in enumerate(offsets)}
    tokens: set[int] = set()
    for string, span in zip(strings, spans, strict=True):
        try:
            b, e = (int(x) for x in str(span).split(":"))
        except ValueError:
            raise NorelmoError(f"{where}: offset {span!r} is not start:end") from None
        if not 0 <= b < e <= len(text):
            raise NorelmoError(f"{where}: offset {span} is outside the text ({len(text)} characters)")
        if b not in starts or e not in ends:
            raise NorelmoError(f"{where}: offset {span} ({text[b:e]!r}) does not start and end on token boundaries")
        if text[b:e] != string:
            raise NorelmoError(f"{where}: offset {span} is {text[b:e]!r}, the opinion says {string!r}")
        tokens.update(range(starts[b], ends[e] + 1))
    return frozenset(tokens)


def read_norec_fine(path: Path, skipped: Counter | None = None) -> list[FineSentence]:
    """The sentences of a NoReC_fine JSON split; bad input is one error naming the file and the sentence.
    Opinions with a null polarity go, counted in `skipped["null_polarity"]`."""
    data = read_json_file(path)
    if not isinstance(data, list) or not data:
        raise NorelmoError(f"{path}: expected a non-empty JSON list of sentences")
    skipped = Counter() if skipped is None else skipped
    sentences = []
    for k, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or "sent_id" not in item:
            raise NorelmoError(f"{path}: sentence {k}: expected an object with 'sent_id', 'text' and 'opinions'")
        text, where = item["text"], f"{path}: {item['sent_id']}"
        if not isinstance(item.get("opinions", []), list):
            raise NorelmoError(f"{where}: 'opinions' is not a list")
        offsets = token_offsets(text)
        opinions = []
        for n, opinion in enumerate(item.get("opinions", [])):
            at = f"{where}: opinion {n}"
            if not isinstance(opinion, dict) or any(key not in opinion for key in (*SPAN_KEYS, "Polarity")):
                raise NorelmoError(f"{at}: expected {', '.join(SPAN_KEYS)} and Polarity")
            polarity = opinion["Polarity"]
            if polarity is None:
                skipped["null_polarity"] += 1
                continue
            if polarity not in POLARITIES:
                raise NorelmoError(f"{at}: polarity {polarity!r} is not Positive, Negative or null")
            holder, target, expression = (_span(opinion[key], offsets, text, f"{at}: {key}") for key in SPAN_KEYS)
            if not expression:
                raise NorelmoError(f"{at}: Polar_expression is empty")
            opinions.append(Opinion(holder, target, expression, polarity))
        sentences.append(FineSentence(str(item["sent_id"]), text.split(), opinions))
    return sentences


def opinion_json(tokens: list[str], opinion: Opinion) -> dict:
    """An opinion in NoReC_fine's own form (each run of consecutive tokens a string and its offsets), so any
    scorer can read predictions."""
    starts, position = [], 0
    for token in tokens:
        starts.append(position)
        position += len(token) + 1

    def span(indices: frozenset[int]) -> list[list[str]]:
        runs: list[list[int]] = []
        for k in sorted(indices):
            if runs and runs[-1][-1] == k - 1:
                runs[-1].append(k)
            else:
                runs.append([k])
        strings = [" ".join(tokens[k] for k in run) for run in runs]
        offsets = [f"{starts[run[0]]}:{starts[run[-1]] + len(tokens[run[-1]])}" for run in runs]
        return [strings, offsets]

    return {
        "Source": span(opinion.holder),
        "Target": span(opinion.target),
        "Polar_expression": span(opinion.expression),
        "Polarity": opinion.polarity,
    }
