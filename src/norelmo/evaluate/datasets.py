"""The evaluation tasks' data: UD treebanks (CoNLL-U) and binary sentiment splits, NoReC_sentence's JSON or NorLM's
CSV, checked as they are read."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import NorelmoError
from ..text.udpipe import read_conllu_sentences

SENTIMENT_LABELS = ("Negative", "Positive")  # NoReC_sentence binary/
CSV_LABELS = {"0": "Negative", "1": "Positive"}  # NorLM's CSV: label,text without a header


@dataclass(frozen=True)
class TaggedSentence:
    forms: list[str]
    lemmas: list[str]
    upos: list[str]


@dataclass(frozen=True)
class LabelledSentence:
    sent_id: str
    tokens: list[str]
    label: str


def read_tagged_conllu(path: Path) -> list[TaggedSentence]:
    """Syntactic words of a CoNLL-U file (multiword-token ranges and empty nodes left out), read by UDPipe.

    UDPipe names a line it cannot parse by its content; the error here adds its number in the file.
    """
    try:
        sentences = read_conllu_sentences(path)
    except NorelmoError as exc:
        raise NorelmoError(_with_line_number(path, str(exc))) from exc
    tagged = []
    for sentence in sentences:
        words = list(sentence.words)[1:]  # word 0 is the technical root
        tagged.append(TaggedSentence([w.form for w in words], [w.lemma for w in words], [w.upostag for w in words]))
    return tagged


def _with_line_number(path: Path, message: str) -> str:
    quoted = re.search(r"line '(.*)'", message)
    if not quoted:
        return message
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    number = next((k for k, line in enumerate(lines, 1) if line == quoted.group(1)), None)
    return message if number is None else message.replace(f"{path}:", f"{path}:{number}:", 1)


def read_sentiment_split(path: Path) -> list[LabelledSentence]:
    """A binary sentiment split, by its extension: NorLM's `.csv` (`label,text` lines, no header, 1 positive and
    0 negative, CSV quoting where the text has a comma; what pandas' read_csv(header=None) read), or a
    NoReC_sentence JSON list of {"sent_id", "text", "label"}. Text is tokenized (split on spaces)."""
    sentences = _read_sentiment_csv(path) if Path(path).suffix.lower() == ".csv" else _read_sentiment_json(path)
    if not sentences:
        raise NorelmoError(f"{path}: no sentences")
    return sentences


def _read_sentiment_csv(path: Path) -> list[LabelledSentence]:
    sentences = []
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh, strict=True)
            for row in rows:
                where = f"{path}:{rows.line_num}"
                if not row:
                    continue  # a blank line, which pandas skips too
                if len(row) != 2:
                    raise NorelmoError(f"{where}: expected label,text (2 fields), found {len(row)}")
                label, text = row[0].strip(), row[1]
                if label not in CSV_LABELS:
                    raise NorelmoError(f"{where}: label {row[0]!r} is not 0 (negative) or 1 (positive)")
                if not text.split():
                    raise NorelmoError(f"{where}: empty text")
                sentences.append(LabelledSentence(str(rows.line_num), text.split(), CSV_LABELS[label]))
    except (OSError, UnicodeDecodeError) as exc:
        raise NorelmoError(f"{path}: cannot read ({exc})") from exc
    except csv.Error as exc:
        raise NorelmoError(f"{path}:{rows.line_num}: does not parse as CSV ({exc})") from exc
    return sentences


def read_json_file(path: Path):
    """A task's JSON data file; one error naming the file (and the line where it stops being JSON) otherwise."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise NorelmoError(f"{path}: cannot read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise NorelmoError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from exc


def _read_sentiment_json(path: Path) -> list[LabelledSentence]:
    data = read_json_file(path)
    if not isinstance(data, list):
        raise NorelmoError(f"{path}: expected a JSON list of {{text, label}} objects, found {type(data).__name__}")
    sentences = []
    for k, item in enumerate(data):
        named = isinstance(item, dict) and "sent_id" in item
        where = f"{path}: sentence {k}" + (f" ({item['sent_id']})" if named else "")
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or "label" not in item:
            raise NorelmoError(f"{where}: expected an object with a string 'text' and a 'label'")
        if item["label"] not in SENTIMENT_LABELS:
            raise NorelmoError(f"{where}: label {item['label']!r} is not one of {', '.join(SENTIMENT_LABELS)}")
        tokens = item["text"].split()
        if not tokens:
            raise NorelmoError(f"{where}: empty text")
        sentences.append(LabelledSentence(str(item.get("sent_id", k)), tokens, item["label"]))
    return sentences
