"""The bad-input matrix that is not covered beside its stage: config values, insecure URLs, a full disk."""

import os
import resource
import signal
import subprocess

import pytest

from norelmo.config import Config
from norelmo.errors import NorelmoError
from norelmo.text.vocab import read_vocabulary

from .conftest import BIN, DUMP

BASE = {"run": "x", "corpora": [{"name": "a", "dump": "dump.xml.bz2"}]}


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"shards": 0}, "shards"),
        ({"shards": "four"}, "shards"),
        ({"vocab": {"size": 2}}, "vocab.size"),
        ({"train": {"batch_size": 1.5}}, "train.batch_size"),
        ({"model": {"lstm": {"dim": -1}}}, "model.lstm.dim"),
        ({"udpipe": {"lemmatize": "yes"}}, "udpipe.lemmatize"),
        ({"run": "../escape"}, "run"),
        ({"corpora": [{"name": "a b", "dump": "d.xml.bz2"}]}, "corpora.0.name"),
        ({"corpora": [{"name": "a", "dump": "http://dumps.example.org/x.xml.bz2"}]}, "corpora.0.dump"),
        ({"udpipe": {"model": "http://lindat.example.org/m.udpipe"}}, "udpipe.model"),
        ({"train": {"precision": "fp16"}}, "train.precision"),
        ({"evaluate": {"fine_workers": 0}}, "evaluate.fine_workers"),
        ({"corpora": [{"name": "a", "wiki": "nowiki", "date": "2020-09-01"}]}, "corpora.0.date"),
        ({"corpora": [{"name": "a", "wiki": "nowiki"}]}, "corpora.0: a corpus is a `dump`"),
        (
            {"corpora": [{"name": "a", "wiki": "nowiki", "date": 20200901, "mirror": "http://x.org/{date}"}]},
            "corpora.0.mirror",
        ),
    ],
)
def test_each_bad_config_value_is_one_error_naming_its_key(override, key):
    with pytest.raises(NorelmoError) as err:
        Config.from_dict({**BASE, **override}, "bad.yaml")
    assert str(err.value).startswith("bad.yaml:") and key in str(err.value)


def test_a_vocabulary_with_a_duplicate_names_the_line(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("<S>\n</S>\n<UNK>\nby\nøy\nby\n", encoding="utf-8")
    with pytest.raises(NorelmoError, match=r"vocab.txt:6: 'by' is listed twice"):
        read_vocabulary(vocab)


def test_a_full_disk_during_a_write_leaves_nothing_and_says_so(tmp_path):
    """A file-size limit stands in for a full disk: the write fails part way."""

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    out = tmp_path / "out"
    env = dict(os.environ)
    cmd = [str(BIN / "norelmo"), "extract", str(DUMP), "--out", str(out), "--shards", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, preexec_fn=limit)
    assert proc.returncode == 2
    assert (
        proc.stderr.strip().splitlines()[-1].startswith(f"norelmo: error: {out / 'shard-0.txt'}: could not be written")
    )
    assert list(out.iterdir()) == []
