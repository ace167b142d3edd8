"""UDPipe 1 through ufal.udpipe: train a model from CoNLL-U, split and tokenize text, lemmatize."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ufal import udpipe

from ..atomic import atomic_path, atomic_text
from ..errors import NorelmoError


def read_conllu_sentences(path: Path) -> udpipe.Sentences:
    """All sentences of a CoNLL-U file, as ufal.udpipe Sentence objects."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NorelmoError(f"{path}: cannot read CoNLL-U ({exc})") from exc
    reader = udpipe.InputFormat.newConlluInputFormat()
    reader.setText(text)
    sentences, error = udpipe.Sentences(), udpipe.ProcessingError()
    sentence = udpipe.Sentence()
    while reader.nextSentence(sentence, error):
        sentences.append(sentence)
        sentence = udpipe.Sentence()
    if error.occurred():
        raise NorelmoError(f"{path}: invalid CoNLL-U ({error.message})")
    if len(sentences) == 0:
        raise NorelmoError(f"{path}: no sentences in CoNLL-U file")
    return sentences


def train_model(conllu: Path, out: Path, tokenizer_options: str, tagger_options: str) -> None:
    """Train a tokenizer + tagger/lemmatizer (no parser) and write the .udpipe model atomically."""
    sentences = read_conllu_sentences(conllu)
    error = udpipe.ProcessingError()
    model = udpipe.Trainer.train(
        "morphodita_parsito", sentences, udpipe.Sentences(), tokenizer_options, tagger_options, "none", error
    )
    if error.occurred():
        raise NorelmoError(f"{conllu}: UDPipe training failed ({error.message})")
    with atomic_path(out) as tmp:
        tmp.write_bytes(model if isinstance(model, bytes) else model.encode("latin-1"))


def load_model(path: Path) -> udpipe.Model:
    if not Path(path).is_file():
        raise NorelmoError(f"{path}: UDPipe model not found")
    model = udpipe.Model.load(str(path))
    if model is None:
        raise NorelmoError(f"{path}: not a UDPipe model (ufal.udpipe could not load it)")
    return model


@dataclass
class Tokenizer:
    """Splits paragraphs into sentences of tokens (or lemmas) with one loaded UDPipe model."""

    model: udpipe.Model
    lemmatize: bool = False

    def sentences(self, paragraph: str) -> Iterator[list[str]]:
        tokenizer = self.model.newTokenizer(udpipe.Model.DEFAULT)
        tokenizer.setText(paragraph)
        sentence, error = udpipe.Sentence(), udpipe.ProcessingError()
        while tokenizer.nextSentence(sentence, error):
            if self.lemmatize:
                self.model.tag(sentence, udpipe.Model.DEFAULT, error)
            words = [w.lemma if self.lemmatize else w.form for w in list(sentence.words)[1:]]
            # A token may hold a space ("1 000"); ELMo input is split on spaces, so join it up.
            tokens = ["".join(w.split()) for w in words]
            tokens = [t for t in tokens if t]
            if tokens:
                yield tokens
            sentence = udpipe.Sentence()
        if error.occurred():
            raise NorelmoError(f"UDPipe failed on a paragraph ({error.message})")


def paragraphs(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                yield line


def tokenize_file(model_path: Path, source: Path, out: Path, lemmatize: bool) -> dict:
    """Write one sentence per line, tokens separated by single spaces; return counts."""
    tok = Tokenizer(load_model(model_path), lemmatize)
    counts = {"paragraphs": 0, "sentences": 0, "tokens": 0}
    with atomic_text(out) as fh:
        for para in paragraphs(source):
            counts["paragraphs"] += 1
            for sent in tok.sentences(para):
                fh.write(" ".join(sent) + "\n")
                counts["sentences"] += 1
                counts["tokens"] += len(sent)
    return counts


def tokenize_lines(model_path: Path, lines: Iterable[str], lemmatize: bool = False) -> list[list[str]]:
    tok = Tokenizer(load_model(model_path), lemmatize)
    return [s for line in lines for s in tok.sentences(line)]
