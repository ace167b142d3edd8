"""UDPipe 1 through ufal.udpipe: train a model from CoNLL-U, split and tokenize text, lemmatize."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ufal import udpipe

from ..atomic import atomic_path, atomic_text
from ..errors import NorelmoError
from ..parallel import batched, ordered_map
from ..progress import progress_bar
from ..textio import utf8_lines


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


# A "token" longer than this is markup or binary debris, not a word; it is dropped and counted.
MAX_TOKEN_CHARS = 1000
CHUNK_PARAGRAPHS = 256  # paragraphs per task handed to a worker process


@dataclass
class Tokenizer:
    """Splits paragraphs into sentences of tokens (or lemmas) with one loaded UDPipe model.

    With `lemmatize` the tagger runs on the same sentences in the same pass, so token and lemma
    output share their sentence and token boundaries.
    """

    model: udpipe.Model
    lemmatize: bool = False
    overlong: int = 0
    _tokenizer: udpipe.InputFormat | None = None

    def sentences(self, paragraph: str) -> Iterator[list[str]]:
        if self._tokenizer is None:  # one per Tokenizer: creating it costs as much as a paragraph
            self._tokenizer = self.model.newTokenizer(udpipe.Model.DEFAULT)
        tokenizer = self._tokenizer
        tokenizer.setText(paragraph)
        sentence, error = udpipe.Sentence(), udpipe.ProcessingError()
        while tokenizer.nextSentence(sentence, error):
            if self.lemmatize:
                self.model.tag(sentence, udpipe.Model.DEFAULT, error)
            words = [w.lemma if self.lemmatize else w.form for w in list(sentence.words)[1:]]
            tokens = []
            for word in words:
                # A token may hold a space ("1 000"); ELMo input is split on spaces, so join it up.
                token = "".join(word.split())
                if len(token) > MAX_TOKEN_CHARS:
                    self.overlong += 1
                elif token:
                    tokens.append(token)
            if tokens:
                yield tokens
            sentence = udpipe.Sentence()
        if error.occurred():
            raise NorelmoError(f"UDPipe failed on a paragraph ({error.message})")


def read_paragraphs(path: Path, counts: dict) -> Iterator[str]:
    """Non-empty lines of a UTF-8 text shard; NUL characters are removed and counted."""
    for _, line in utf8_lines(path):
        if "\0" in line:
            counts["nul_characters_removed"] += line.count("\0")
            line = line.replace("\0", "")
        line = line.strip()
        if line:
            yield line


def _count_paragraphs(path: Path) -> int:
    """The non-empty lines read_paragraphs yields (a line of NULs and blanks aside), read as bytes: quick."""
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


_worker: Tokenizer | None = None


def _init_worker(model_path: str, lemmatize: bool) -> None:
    global _worker
    _worker = Tokenizer(load_model(Path(model_path)), lemmatize)


def _tokenize_chunk(paragraphs: list[str]) -> tuple[list[list[str]], int, int]:
    """(sentences, overlong tokens dropped, paragraphs) of one chunk, in the worker's process."""
    before = _worker.overlong
    sents = [s for p in paragraphs for s in _worker.sentences(p)]
    return sents, _worker.overlong - before, len(paragraphs)


def tokenize_file(
    model_path: Path, source: Path, out: Path, lemmatize: bool, workers: int = 1, progress: bool = False
) -> dict:
    """Write one sentence per line, tokens separated by single spaces; return the shard's counts.

    With `workers` > 1 the paragraphs go to that many processes, each loading the model once;
    the output keeps the input order. `progress`: a bar of the paragraphs done, of how many.
    """
    if workers > 1:
        load_model(model_path)  # one clear error before worker processes start (one process loads it once anyway)
    counts = Counter(paragraphs=0, sentences=0, tokens=0, overlong_tokens_dropped=0, nul_characters_removed=0)
    chunks = batched(read_paragraphs(Path(source), counts), CHUNK_PARAGRAPHS)
    init = (str(model_path), lemmatize)
    total = _count_paragraphs(Path(source)) if progress else None
    with (
        atomic_text(out) as fh,
        ordered_map(_tokenize_chunk, chunks, workers, _init_worker, init) as results,
        progress_bar(total=total, desc=f"tokenize {source}", unit="paragraph", disable=not progress) as bar,
    ):
        for sentences, overlong, n_paragraphs in results:
            bar.update(n_paragraphs)
            counts["paragraphs"] += n_paragraphs
            counts["overlong_tokens_dropped"] += overlong
            for sent in sentences:
                fh.write(" ".join(sent) + "\n")
                counts["sentences"] += 1
                counts["tokens"] += len(sent)
    # An empty shard is legitimate (more shards than documents) but never silent: it is flagged.
    result = dict(counts)
    result["empty"] = counts["sentences"] == 0
    return result


def tokenize_lines(model_path: Path, lines: Iterable[str], lemmatize: bool = False) -> list[list[str]]:
    """Sentences of tokens (or lemmas) for a few paragraphs, in this process."""
    tok = Tokenizer(load_model(model_path), lemmatize)
    return [s for line in lines for s in tok.sentences(line)]


def lemmatize_tokenized(model_path: Path, sentences: list[list[str]]) -> list[list[str]]:
    """Lemmas of already tokenized sentences: UDPipe's tagger on the given tokens, as one sentence each."""
    model = load_model(model_path)
    reader = udpipe.InputFormat.newInputFormat("horizontal")
    error = udpipe.ProcessingError()
    lemmatized = []
    for tokens in sentences:
        reader.setText(" ".join(tokens))
        sentence = udpipe.Sentence()
        if not reader.nextSentence(sentence, error):
            raise NorelmoError(f"UDPipe could not read the sentence {' '.join(tokens)!r} ({error.message})")
        model.tag(sentence, udpipe.Model.DEFAULT, error)
        # A lemma may hold a space; ELMo input is split on spaces, so join it up (as tokenization does).
        lemmas = ["".join(w.lemma.split()) or w.form for w in list(sentence.words)[1:]]
        lemmatized.append(lemmas)
    return lemmatized
