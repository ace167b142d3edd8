import os
from pathlib import Path
from urllib.parse import urlparse

from snakemake.utils import validate

from norelmo.config import Config
from norelmo.download import is_url


validate(config, schema="../schemas/config.schema.yaml")
# Checks beyond the schema (duplicate corpus names) and the typed view the package works with.
CONFIG = Config.from_dict(config, "config")

RESULTS = f"results/{config['run']}"
CORPORA = {c["name"]: c for c in config["corpora"]}
SHARDS = list(range(config["shards"]))


def local_copy(location):
    """A local path for a path-or-URL config value: URLs go through the download rule."""
    if is_url(location):
        return f"{RESULTS}/downloads/{os.path.basename(urlparse(location).path)}"
    return location


def download_url(wildcards):
    for corpus in config["corpora"]:
        for key in ("dump", "index"):
            if corpus.get(key) and local_copy(corpus[key]).endswith("/" + wildcards.file):
                return corpus[key]
    return config["udpipe"]["model"]


def download_sha1(wildcards):
    for corpus in config["corpora"]:
        if corpus.get("dump") and local_copy(corpus["dump"]).endswith("/" + wildcards.file):
            return corpus.get("sha1", "")
    return ""


def extract_inputs(wildcards):
    corpus = CORPORA[wildcards.corpus]
    if "dump" not in corpus:
        return []
    inputs = {"dump": local_copy(corpus["dump"])}
    if corpus.get("index"):
        inputs["index"] = local_copy(corpus["index"])
    return inputs


def udpipe_model():
    if config["udpipe"]["train_conllu"]:
        return f"{RESULTS}/udpipe/trained.udpipe"
    return local_copy(config["udpipe"]["model"])


def token_shards():
    return expand(f"{RESULTS}/tokens/{{corpus}}/shard-{{shard}}.txt", corpus=CORPORA, shard=SHARDS)


def count_shards():
    return expand(f"{RESULTS}/counts/{{corpus}}/shard-{{shard}}.tsv", corpus=CORPORA, shard=SHARDS)
