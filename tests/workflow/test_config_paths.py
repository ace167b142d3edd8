"""What a config points at is checked before any job runs, and a stage that fails on bad input says so in one line."""

from __future__ import annotations

import pytest
import yaml

from norelmo.config import validate
from norelmo.errors import NorelmoError
from norelmo.inputs import EVALUATION_FILES, check_local_paths

from ..conftest import ROOT
from .workdir import snakemake_at


def sample_config(tmp_path) -> dict:
    """The bundled sample's config with its paths made absolute, so it runs from any directory."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    for corpus in config["corpora"]:
        for key in ("dump", "index", "text"):
            if key in corpus:
                corpus[key] = str(ROOT / corpus[key])
    config["udpipe"]["train_conllu"] = str(ROOT / config["udpipe"]["train_conllu"])
    for key in EVALUATION_FILES:
        config["evaluate"][key] = str(ROOT / config["evaluate"][key])
    return config


def missing_dump(c, tmp):
    c["corpora"][0]["dump"] = str(tmp / "nowiki.xml.bz2")
    return "corpora.0.dump", c["corpora"][0]["dump"]


def index_is_a_directory(c, tmp):
    c["corpora"][0]["index"] = str(tmp)
    return "corpora.0.index", str(tmp)


def text_glob_matches_nothing(c, tmp):
    c["corpora"][1]["text"] = "/nonexistent/*.txt"
    return "corpora.1.text", "/nonexistent/*.txt"


def json_lines_without_their_field(c, tmp):
    (tmp / "ncc.jsonl.gz").write_bytes(b"")
    c["corpora"][1]["text"] = str(tmp / "*.jsonl.gz")
    return "corpora.1.text", f"{tmp / 'ncc.jsonl.gz'} is JSON lines: set corpora.1.json_field"


def missing_corpus_udpipe_model(c, tmp):
    c["corpora"][1]["udpipe_model"] = str(tmp / "nynorsk.udpipe")
    return "corpora.1.udpipe_model", f"{tmp / 'nynorsk.udpipe'} does not exist"


def missing_udpipe_model(c, tmp):
    c["udpipe"]["train_conllu"] = None
    c["udpipe"]["model"] = "models/bokmaal.udpipe"
    return "udpipe.model", "models/bokmaal.udpipe"


def missing_udpipe_conllu(c, tmp):
    c["udpipe"]["train_conllu"] = str(tmp / "train.conllu")
    return "udpipe.train_conllu", c["udpipe"]["train_conllu"]


def missing_pos_train(c, tmp):
    c["evaluate"]["pos_train"] = str(tmp / "no-train.conllu")
    return "evaluate.pos_train", c["evaluate"]["pos_train"]


def pos_test_is_a_directory(c, tmp):
    c["evaluate"]["pos_test"] = str(tmp)
    return "evaluate.pos_test", str(tmp)


def missing_sentiment_dev(c, tmp):
    c["evaluate"]["sentiment_dev"] = str(tmp / "dev.json")
    return "evaluate.sentiment_dev", c["evaluate"]["sentiment_dev"]


def init_from_missing(c, tmp):
    c["train"]["init_from"] = str(tmp / "norelmo-model")
    return "train.init_from", c["train"]["init_from"]


def init_from_without_options(c, tmp):
    (tmp / "model").mkdir()
    (tmp / "model" / "model.hdf5").write_bytes(b"")
    c["train"]["init_from"] = str(tmp / "model")
    return "train.init_from", f"{tmp / 'model'} has no options.json"


MISTAKES = [missing_dump, index_is_a_directory, text_glob_matches_nothing, json_lines_without_their_field,
            missing_corpus_udpipe_model, missing_udpipe_model, missing_udpipe_conllu,
            missing_pos_train, pos_test_is_a_directory, missing_sentiment_dev, init_from_missing,
            init_from_without_options]  # fmt: skip


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda f: f.__name__)
def test_a_path_mistake_fails_a_dry_run_naming_its_key(mistake, tmp_path):
    config = sample_config(tmp_path)
    key, path = mistake(config, tmp_path)
    proc = snakemake_at(tmp_path, config, "-n")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"{key}: {path}" in out, out[-3000:]
    assert [line for line in out.splitlines() if "norelmo" in line][0].startswith("norelmo: error: config: ")
    assert "rule extract" not in out  # failed while reading the config, before planning any job
    assert not (tmp_path / "results").exists()


def test_the_sample_config_passes_and_every_mistake_is_named_at_once(tmp_path):
    config = validate(sample_config(tmp_path))
    check_local_paths(config)
    missing_dump(config, tmp_path)
    missing_pos_train(config, tmp_path)
    with pytest.raises(NorelmoError, match=r"corpora\.0\.dump: .*; evaluate\.pos_train: "):
        check_local_paths(config)


@pytest.fixture
def bad_text_corpus(tmp_path):
    """A plain-text corpus whose second line is not UTF-8: extraction fails on it with the project's own error."""
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_bytes(b"God morgen.\nbad \xff byte\n")
    config = sample_config(tmp_path)
    config["corpora"] = [{"name": "news", "text": str(tmp_path / "news" / "*.txt")}]
    config["shards"] = 1
    return config


def test_a_stage_failing_on_bad_input_logs_one_line(bad_text_corpus, tmp_path):
    proc = snakemake_at(tmp_path, bad_text_corpus, "results/sample/text/news/shard-0.txt")
    message = f"norelmo: error: {tmp_path / 'news' / 'a.txt'}:2: not valid UTF-8"
    log = (tmp_path / "results" / "sample" / "logs" / "extract" / "news-0.log").read_text().splitlines()
    assert proc.returncode != 0
    assert len(log) == 1 and log[0].startswith(message), log
    assert message in proc.stderr and "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "results" / "sample" / "text" / "news" / "shard-0.txt").exists()


def test_norelmo_debug_adds_the_traceback(bad_text_corpus, tmp_path):
    proc = snakemake_at(tmp_path, bad_text_corpus, "results/sample/text/news/shard-0.txt", env={"NORELMO_DEBUG": "1"})
    log = (tmp_path / "results" / "sample" / "logs" / "extract" / "news-0.log").read_text()
    assert proc.returncode != 0
    assert log.startswith("Traceback") and "norelmo.errors.NorelmoError" in log
    assert log.splitlines()[-1].startswith("norelmo: error: ")


@pytest.mark.parametrize(
    "where, key",
    [("train", "batch_sise"), (None, "shardz")],
    ids=["under train", "top level"],
)
def test_a_mistyped_key_is_one_line_naming_it(tmp_path, where, key):
    """Not Snakemake's validate(), which prints the whole schema and config after its one useful line."""
    config = sample_config(tmp_path)
    (config[where] if where else config)[key] = 2
    proc = snakemake_at(tmp_path, config, "-n")
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if not line.startswith("Using workflow")]
    assert proc.returncode != 0
    assert lines == [f"norelmo: error: config: invalid config: {where or 'top level'}: unknown key(s) '{key}'"]
