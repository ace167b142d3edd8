"""Shared fixtures: paths to the bundled sample and a UDPipe model trained from it once per session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "resources" / "sample"
DUMP = SAMPLE / "nowiki-sample-pages-articles-multistream.xml.bz2"
INDEX = SAMPLE / "nowiki-sample-pages-articles-multistream-index.txt.bz2"
CONLLU = SAMPLE / "bokmaal-sample.conllu"
BIN = Path(sys.executable).parent

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def udpipe_model(tmp_path_factory) -> Path:
    """A real UDPipe model trained from the bundled CoNLL-U (one tokenizer epoch: seconds)."""
    from norelmo.text.udpipe import train_model

    out = tmp_path_factory.mktemp("udpipe") / "sample.udpipe"
    train_model(CONLLU, out, "epochs=1", "models=1;iterations=2")
    return out
