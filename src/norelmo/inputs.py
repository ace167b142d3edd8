"""The local files a config points at, checked when the workflow starts: a mistake costs no job (nor queue wait)."""

from __future__ import annotations

import glob
from collections.abc import Iterator
from pathlib import Path

from .errors import NorelmoError

MODEL_FILES = ("model.hdf5", "options.json")


def is_url(location: str) -> bool:
    """A location the download rule fetches rather than a local path."""
    return location.startswith(("http://", "https://"))


def text_corpus_files(pattern: str) -> list[Path]:
    """The files a `text` corpus entry names: a path or a glob (`**` included), sorted."""
    return sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())


def _file_problem(path: str) -> str | None:
    p = Path(path)
    if not p.exists():
        return "does not exist"
    if not p.is_file():
        return "is not a file"
    return None


EVALUATION_FILES = (
    "pos_train",
    "pos_test",
    "sentiment_train",
    "sentiment_dev",
    "sentiment_test",
    "fine_train",
    "fine_dev",
    "fine_test",
)


def nak_archives(nak: dict) -> list[str]:
    """The archives a `nak` corpus reads, in order: paths in its `archives` folder, else URLs at its mirror."""
    from .text.nak import MIRROR, archive_names

    names = archive_names(*nak["years"])
    if nak.get("archives"):
        return [str(Path(nak["archives"]) / name) for name in names]
    return [f"{nak.get('mirror', MIRROR).rstrip('/')}/{name}" for name in names]


def _problems(data: dict) -> Iterator[str]:
    for i, corpus in enumerate(data["corpora"]):
        if corpus.get("nak", {}).get("archives"):
            for location in nak_archives(corpus["nak"]):
                if problem := _file_problem(location):
                    yield f"corpora.{i}.nak.archives: {location} {problem}"
        for key in ("dump", "index", "udpipe_model"):
            location = corpus.get(key)
            if location and not is_url(location) and (problem := _file_problem(location)):
                yield f"corpora.{i}.{key}: {location} {problem}"
        if "text" in corpus:
            files = text_corpus_files(corpus["text"])
            if not files:
                yield f"corpora.{i}.text: {corpus['text']} matches no file"
            jsonl = [f for f in files if ".jsonl" in f.suffixes]
            if jsonl and "json_field" not in corpus:
                # Read as text, each JSON line would become a paragraph of markup.
                yield f"corpora.{i}.text: {jsonl[0]} is JSON lines: set corpora.{i}.json_field (the text's field)"
    udpipe = data["udpipe"]
    # The model is read only when no CoNLL-U file to train one from is given.
    model_key = "udpipe.train_conllu" if udpipe["train_conllu"] else "udpipe.model"
    checked = [(model_key, udpipe["train_conllu"] or udpipe["model"])]
    checked += [(f"evaluate.{key}", data["evaluate"][key]) for key in EVALUATION_FILES]
    for key, location in checked:
        if location and not is_url(location) and (problem := _file_problem(location)):
            yield f"{key}: {location} {problem}"
    init_from = data["train"]["init_from"]
    if init_from:
        if not Path(init_from).is_dir():
            yield f"train.init_from: {init_from} is not a directory"
        else:
            missing = [name for name in MODEL_FILES if not (Path(init_from) / name).is_file()]
            if missing:
                yield f"train.init_from: {init_from} has no {' or '.join(missing)}"


def check_local_paths(data: dict, source: str = "config") -> None:
    """One NorelmoError naming each key whose local path is missing or of the wrong kind (URLs are the
    download rule's business). `data` is a validated config; relative paths are taken from the current directory,
    where the workflow's jobs read them too."""
    problems = list(_problems(data))
    if problems:
        raise NorelmoError(f"{source}: " + "; ".join(problems))
