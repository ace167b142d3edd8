import os
import sys
from pathlib import Path
from urllib.parse import urlparse

from snakemake.logging import logger
from snakemake.utils import validate

from norelmo.config import Config
from norelmo.errors import NorelmoError, error_line
from norelmo.evaluate.published import known_sha1
from norelmo.gpus import gpu_shortfall
from norelmo.inputs import EVALUATION_FILES, check_local_paths, is_url, nak_archives
from norelmo.wiki.sources import resolve_dates, run_at

# The package's own check first: a mistyped key is one line naming it (Snakemake's validate() below prints the
# whole schema and config after its one useful line); then the typed view the package works with.
# The local files too, also on a dry run: a missing file should not first show up as a failed (or queued) job.
try:
    CONFIG = Config.from_dict(config, "config")
    check_local_paths(CONFIG.raw)
except NorelmoError as exc:
    sys.exit(error_line(exc))
validate(
    config, schema="../schemas/config.schema.yaml"
)  # fills Snakemake's `config` with the defaults

RESULTS = f"results/{config['run']}"
CORPORA = {c["name"]: c for c in config["corpora"]}
SHARDS = list(range(config["shards"]))
# Corpora named by wiki and date: `latest` becomes the date recorded at the run's first start.
DUMP_DATES = resolve_dates(CONFIG.raw["corpora"], Path(RESULTS) / "dumps.json")
# Where the first download of a URL without published checksums is recorded, for all runs to match.
KNOWN_DOWNLOADS = "results/known-downloads.json"


def local_copy(location):
    """A local path for a path-or-URL config value: URLs go through the download rule."""
    if is_url(location):
        return f"{RESULTS}/downloads/{os.path.basename(urlparse(location).path)}"
    return location


def corpus_files(corpus):
    """{"dump": ..., "index": ...} of a dump corpus (paths or URLs), and the checksum files published beside
    them (those of a wiki's dump run; none for a dump given by URL)."""
    if "wiki" in corpus:
        run = run_at(corpus["wiki"], DUMP_DATES[corpus["name"]], corpus.get("mirror"))
        return {"dump": run.dump, "index": run.index}, run.checksum_files
    if "nak" in corpus:
        # No checksums are published: each archive's first download is recorded, later ones must match it.
        return {f"archive{k}": a for k, a in enumerate(nak_archives(corpus["nak"]))}, ()
    return {k: corpus[k] for k in ("dump", "index") if k in corpus}, ()


def downloads():
    """Local download path -> url, the config's sha1 (or None) and the published checksum files, for every
    URL the config names."""
    found = {}
    for corpus in config["corpora"]:
        files, checksum_files = corpus_files(corpus)
        for key, location in files.items():
            if is_url(location):
                sha1 = corpus.get("sha1") if key == "dump" else None
                found[local_copy(location)] = (location, sha1, checksum_files)
    for key in EVALUATION_FILES:
        location = config["evaluate"][key]
        if location and is_url(location):
            # NorLM's sentiment files are checked against the sha1s recorded with them, others at first download.
            known = known_sha1(location)
            found[local_copy(location)] = (location, known and known[0], ())
    for corpus in config["corpora"]:
        if is_url(corpus.get("udpipe_model", "")):
            found[local_copy(corpus["udpipe_model"])] = (
                corpus["udpipe_model"],
                None,
                (),
            )
    if is_url(config["udpipe"]["model"]) and not config["udpipe"]["train_conllu"]:
        found[local_copy(config["udpipe"]["model"])] = (
            config["udpipe"]["model"],
            config["udpipe"]["sha1"],
            (),
        )
    return found


DOWNLOADS = downloads()


def extract_inputs(wildcards):
    files, _ = corpus_files(CORPORA[wildcards.corpus])
    return {key: local_copy(location) for key, location in files.items()}


def udpipe_model():
    """The run's own UDPipe model: trained from udpipe.train_conllu, else udpipe.model."""
    if config["udpipe"]["train_conllu"]:
        return f"{RESULTS}/udpipe/trained.udpipe"
    return local_copy(config["udpipe"]["model"])


def corpus_udpipe_model(wildcards):
    """The model that tokenizes a corpus: its own `udpipe_model` (Nynorsk for a Nynorsk corpus), else the run's."""
    own = CORPORA[wildcards.corpus].get("udpipe_model")
    return local_copy(own) if own else udpipe_model()


def token_shards():
    return expand(
        f"{RESULTS}/tokens/{{corpus}}/shard-{{shard}}.txt", corpus=CORPORA, shard=SHARDS
    )


def count_shards():
    return expand(
        f"{RESULTS}/counts/{{corpus}}/shard-{{shard}}.tsv", corpus=CORPORA, shard=SHARDS
    )


def train_resources():
    """The GPUs the training job asks for; a multi-node job also gets its nodes and one task per GPU
    (per node on CPUs), and `mpi` so that the SLURM job step leaves starting the tasks to the script's srun.
    """
    train = config["train"]
    resources = {"gpu": train["gpus"]}
    if train["nodes"] > 1:
        resources.update(nodes=train["nodes"], mpi="srun")
        if train["gpus"]:
            resources["tasks_per_gpu"] = 1
        else:
            resources["tasks"] = train["nodes"]
    return resources


_GPU_CHECK_SAID = []


def training_gpus_checked(wildcards):
    """No inputs: rule train's input function, so that it runs while the train job is planned, before any job
    starts. Where jobs run on this machine (the local executor, or a dry run, which cannot tell a cluster's
    executor apart) and this machine lacks the GPUs `train.gpus` asks for, it says so once: the train job
    would stop before its first step. A cluster executor's GPUs are on other nodes, so it says nothing there.
    """
    plugin = workflow.executor_plugin
    gpus = config["train"]["gpus"]
    if (
        gpus < 1
        or not workflow.is_main_process  # a job's own snakemake, on its node
        or _GPU_CHECK_SAID
        or (plugin is not None and plugin.name not in ("local", "dryrun"))
    ):
        return []
    shortfall = gpu_shortfall(gpus)
    if shortfall:
        _GPU_CHECK_SAID.append(shortfall)
        where = (
            "run on this machine"
            if plugin is None or plugin.name == "dryrun"
            else "on this machine"
        )
        logger.warning(
            f"norelmo: train.gpus is {gpus} but {shortfall}: {where}, the train job stops before its first "
            "step. Install the GPU build (python3 tasks.py setup --gpu) or set train.gpus: 0 to train on the CPU"
        )
    return []


def evaluations():
    """The evaluation outputs this config asks for: perplexity needs a held-out slice, each task its data files."""
    wanted = []
    if config["train"]["heldout_sentences"] > 0:
        wanted.append(f"{RESULTS}/eval/perplexity.json")
    if all(config["evaluate"][f"pos_{split}"] for split in ("train", "test")):
        wanted.append(f"{RESULTS}/eval/pos.json")
    if all(
        config["evaluate"][f"sentiment_{split}"] for split in ("train", "dev", "test")
    ):
        wanted.append(f"{RESULTS}/eval/sentiment.json")
    if all(config["evaluate"][f"fine_{split}"] for split in ("train", "dev", "test")):
        wanted.append(f"{RESULTS}/eval/fine.json")
    return wanted
