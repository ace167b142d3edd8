"""The four published NorELMo variants are configs: each dry-runs the full pipeline and sets only what differs."""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from norelmo.config import validate
from norelmo.gpus import gpu_shortfall

from .conftest import BIN, ROOT

VARIANTS = {
    "wiki-lemmatized": {"run": "norelmo-210-wiki-lemmatized", "lemmatize": True, "vocab": 100000, "news": False},
    "wiki-tokenized": {"run": "norelmo-211-wiki-tokenized", "lemmatize": False, "vocab": 100000, "news": False},
    "norelmo30": {"run": "norelmo-217-norelmo30", "lemmatize": False, "vocab": 30000, "news": True},
    "norelmo100": {"run": "norelmo-218-norelmo100", "lemmatize": False, "vocab": 100000, "news": True},
}


def leaves(d: dict, prefix=()):
    for key, value in d.items():
        if isinstance(value, dict):
            yield from leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_sets_only_what_differs_from_the_norelmo_defaults(name):
    raw = yaml.safe_load((ROOT / "config" / "norelmo" / f"{name}.yaml").read_text())
    defaults = validate({"run": "x", "corpora": [{"name": "c", "text": "t"}]})
    for path, value in leaves(raw):
        node = defaults
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        assert node != value, f"{name}: {'.'.join(path)} repeats its default {value!r}"
    data = validate(raw, name)
    expected = VARIANTS[name]
    assert data["run"] == expected["run"]
    assert data["udpipe"]["lemmatize"] is expected["lemmatize"]
    assert data["vocab"]["size"] == expected["vocab"]
    assert (data["model"]["lstm"]["dim"], data["train"]["epochs"], data["train"]["batch_size"]) == (2048, 3, 192)


def dry_run(configfile, directory) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(
        [str(BIN / "snakemake"), "-n", "--configfile", str(configfile), "--directory", str(directory),
         "--snakefile", str(ROOT / "Snakefile")],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_dry_run_plans_the_whole_pipeline_from_the_september_2020_dump(name, tmp_path):
    proc = dry_run(ROOT / "config" / "norelmo" / f"{name}.yaml", tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    run = VARIANTS[name]["run"]
    # Downloads: the dump and its index from the archive mirror, and UDPipe 2.5's Bokmål model.
    assert f"results/{run}/downloads/nowiki-20200901-pages-articles-multistream.xml.bz2" in out
    assert f"results/{run}/downloads/nowiki-20200901-pages-articles-multistream-index.txt.bz2" in out
    assert f"results/{run}/downloads/norwegian-bokmaal-ud-2.5-191206.udpipe" in out
    assert "train_udpipe" not in out  # the official model, not one trained from the sample
    # NorELMo30/100: the Norwegian Newspaper Corpus by name, its archives downloaded like the dumps.
    assert (f"results/{run}/text/nak/shard-0.txt" in out) is VARIANTS[name]["news"]
    archives = ["norsk_aviskorpus.zip", *(f"nak_{year}.tar" for year in range(2012, 2020))]
    assert all((f"results/{run}/downloads/{a}" in out) is VARIANTS[name]["news"] for a in archives)
    # Nynorsk Wikipedia is tokenized by UDPipe 2.5's Nynorsk model, everything else by the Bokmål one.
    nynorsk = f"results/{run}/downloads/norwegian-nynorsk-ud-2.5-191206.udpipe"
    assert (nynorsk in out) is VARIANTS[name]["news"]
    tokenized = set()
    for job in out.split("\n\n"):
        if "rule tokenize:" in job and "wildcards: corpus=" in job:
            corpus = job.split("wildcards: corpus=")[1].split(",")[0]
            tokenized.add(corpus)
            assert (nynorsk in job) is (corpus in ("nnwiki", "nak-nno")), job
    assert tokenized == {
        c["name"] for c in yaml.safe_load((ROOT / "config/norelmo" / f"{name}.yaml").read_text())["corpora"]
    }
    for stage in ("extract", "tokenize", "count_tokens", "vocab", "train", "export"):
        assert f"rule {stage}:" in out
    assert f"results/{run}/model/model.hdf5" in out
    # NorLM's evaluation: UD Bokmål 2.5 and NorLM's sentiment split, downloaded once like the other files.
    for data in ("no_bokmaal-ud-train.conllu", "no_bokmaal-ud-test.conllu", "train.csv", "dev.csv", "test.csv"):
        assert f"results/{run}/downloads/{data}" in out
    assert f"results/{run}/eval/pos.json" in out and f"results/{run}/eval/sentiment.json" in out
    # train.gpus is 1: a machine without a usable GPU hears it before any job (here: every CPU machine).
    assert ("norelmo: train.gpus is 1 but" in out) is (gpu_shortfall(1) is not None)


def test_a_local_copy_of_nak_missing_an_archive_stops_before_any_job(tmp_path):
    raw = yaml.safe_load((ROOT / "config" / "norelmo" / "norelmo30.yaml").read_text())
    (tmp_path / "nak").mkdir()
    for name in ["norsk_aviskorpus.zip", *(f"nak_{year}.tar" for year in range(2012, 2019))]:  # no 2019
        (tmp_path / "nak" / name).write_bytes(b"")
    for corpus in raw["corpora"]:
        if "nak" in corpus:
            corpus["nak"]["archives"] = str(tmp_path / "nak")
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(raw))
    proc = dry_run(tmp_path / "run.yaml", tmp_path)
    assert proc.returncode != 0
    assert f"corpora.2.nak.archives: {tmp_path / 'nak' / 'nak_2019.tar'} does not exist" in proc.stdout + proc.stderr
    assert "downloads/nak_" not in proc.stdout + proc.stderr


def test_the_norec_rehearsal_is_a_valid_config_that_trains_on_the_cpu():
    raw = yaml.safe_load((ROOT / "config" / "rehearsal" / "norec.yaml").read_text())
    cfg = validate(raw, "norec")
    assert cfg["train"]["gpus"] == 0 and cfg["train"]["epochs"] >= 1
    assert cfg["vocab"]["size"] == 100000 and not cfg["udpipe"]["lemmatize"]
    assert [c["text"] for c in cfg["corpora"]] == ["../shared/data/norec/norec-train.txt"]  # never the test reviews
