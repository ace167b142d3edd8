"""The sample workflow through the SLURM executor, against a real slurmctld/slurmd started here.

The cluster profile is the shipped workflow/profiles/slurm with only what cannot fit a 2-core test node
scaled down (threads, memory, CPUs per GPU) and a faster first status poll.
"""

from __future__ import annotations

import os
import re
import subprocess

import numpy as np
import pytest
import yaml

from ..conftest import BIN, ROOT
from .slurm_cluster import SlurmCluster, SlurmUnavailable
from .workdir import workdir_copy

pytestmark = pytest.mark.slow

TIMEOUT = 1200  # seconds for one snakemake run; `timeout -k` kills it for good after that


@pytest.fixture(scope="module")
def cluster():
    cluster = SlurmCluster()
    try:
        cluster.start()
    except SlurmUnavailable as e:
        cluster.stop()
        pytest.skip(f"NO SLURM TEST: a real SLURM cluster cannot be started on this machine: {e}")
    except BaseException:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


def test_profile_scaled_for_the_test_node_keeps_the_shipped_settings(tmp_path):
    profile = scaled_profile(tmp_path / "profile", cpus=2, mem_mb=1500)
    shipped = yaml.safe_load((ROOT / "workflow/profiles/slurm/config.yaml").read_text())
    ours = yaml.safe_load((profile / "config.yaml").read_text())
    assert ours["executor"] == shipped["executor"] == "slurm"
    assert ours["slurm-status-command"] == "squeue"
    assert ours["default-resources"]["slurm_partition"] == shipped["default-resources"]["slurm_partition"]
    assert ours["set-resources"]["train"]["slurm_partition"] == shipped["set-resources"]["train"]["slurm_partition"]


def scaled_profile(dest, cpus: int, mem_mb: int):
    """workflow/profiles/slurm with threads (Snakemake's max-threads), memory and CPUs per GPU capped at what the
    test node has."""
    profile = yaml.safe_load((ROOT / "workflow/profiles/slurm/config.yaml").read_text())
    # Every rule's threads at most the node's CPUs: rule train asks for 8, and without a GPU (train.gpus: 0) the
    # executor sends them as --cpus-per-task, which a 2-CPU node never grants (the job would wait for ever).
    profile["max-threads"] = cpus
    profile["default-resources"]["mem_mb"] = min(profile["default-resources"]["mem_mb"], mem_mb)
    for resources in profile.get("set-resources", {}).values():
        if "mem_mb" in resources:
            resources["mem_mb"] = min(resources["mem_mb"], mem_mb)
        if "cpus_per_gpu" in resources:
            resources["cpus_per_gpu"] = min(resources["cpus_per_gpu"], cpus)
    profile["slurm-init-seconds-before-status-checks"] = 1
    profile["latency-wait"] = 5
    dest.mkdir(parents=True)
    (dest / "config.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    return dest


def run_snakemake(cluster, work, *args):
    env = dict(cluster.env, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    # Snakemake waits for running jobs on SIGTERM, so `timeout -k` follows with SIGKILL.
    cmd = ["timeout", "-k", "20", str(TIMEOUT), str(BIN / "snakemake"), "--workflow-profile", "slurm-test", *args]
    return subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory):
    work = workdir_copy(tmp_path_factory.mktemp("slurm-workflow"))
    scaled_profile(work / "slurm-test", cpus=2, mem_mb=3000)
    # Two epochs and one shard per corpus: the test is about scheduling, the sample run test about the model.
    config = yaml.safe_load((work / "config" / "config.yaml").read_text())
    config["shards"] = 1
    config["train"]["epochs"] = 2
    (work / "config" / "slurm.yaml").write_text(yaml.safe_dump(config))
    proc = run_snakemake(cluster, work, "--configfile", "config/slurm.yaml", "--verbose")
    (work / "snakemake.out").write_text(proc.stdout + proc.stderr)
    return work, proc


def submitted(cluster) -> dict[str, list[dict[str, str]]]:
    """SLURM jobs by rule: the executor puts `rule_<name>...` in each job's comment."""
    by_rule: dict[str, list[dict[str, str]]] = {}
    for job in cluster.jobs():
        rule = job.get("Comment", "").removeprefix("rule_").split("_wildcards")[0]
        by_rule.setdefault(rule, []).append(job)
    return by_rule


def test_sample_workflow_runs_every_job_through_slurm(cluster, slurm_run):
    work, proc = slurm_run
    assert proc.returncode == 0, f"snakemake failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-8000:]}"
    assert (work / "results/sample/model/model.hdf5").stat().st_size > 0
    jobs = submitted(cluster)
    # Every rule with work to do ran as a SLURM job, one per shard where it is sharded (2 corpora x 1 shard).
    expected = {"extract": 2, "train_udpipe": 1, "tokenize": 2, "count_tokens": 2, "vocab": 1, "train": 1, "export": 1}
    assert {rule: len(js) for rule, js in jobs.items() if rule in expected} == expected, jobs.keys()
    for rule, js in jobs.items():
        for job in js:
            assert job["JobState"] == "COMPLETED", (rule, job["JobState"])
    # Each job's own log says it ran inside its SLURM allocation.
    logs = list((work / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert len(logs) >= sum(expected.values())


def sbatch_lines(work, output: str = "snakemake.out") -> dict[str, str]:
    """The sbatch command line of each submitted job (from snakemake --verbose), by job comment."""
    lines = {}
    for line in (work / output).read_text().splitlines():
        if line.startswith("sbatch call: "):
            line = line.removeprefix("sbatch call: ").split(" --wrap=")[0]
            lines[line.split("--comment ")[1].split()[0]] = line
    return lines


def test_shard_jobs_and_the_cpu_training_job_ask_for_no_gpu(cluster, slurm_run):
    work, _ = slurm_run
    lines = sbatch_lines(work)
    assert "--gpus" not in lines["rule_train"] and "--gpus" not in lines["rule_extract_wildcards_wiki_0"]
    jobs = submitted(cluster)
    (train,) = jobs["train"]
    assert train["Partition"] == "accel"
    assert train["Account"] == "nn0000k"
    for shard in jobs["extract"] + jobs["tokenize"]:
        assert shard["Partition"] == "normal"
        assert "TresPerJob" not in shard or "gpu" not in shard["TresPerJob"]
        assert shard["NumCPUs"] == "2"


@pytest.fixture(scope="module")
def slurm_gpu_run(cluster, slurm_run):
    """The same run with train.gpus 1 (training alone reruns): the test node's GPU is a gres without a device."""
    work, _ = slurm_run
    before = {j["JobId"] for j in cluster.jobs()}
    config = yaml.safe_load((work / "config" / "slurm.yaml").read_text())
    config["train"]["gpus"] = 1
    (work / "config" / "slurm-gpu.yaml").write_text(yaml.safe_dump(config))
    proc = run_snakemake(cluster, work, "--configfile", "config/slurm-gpu.yaml", "--verbose", "--until", "train")
    (work / "snakemake-gpu.out").write_text(proc.stdout + proc.stderr)
    return work, proc, [j for j in cluster.jobs() if j["JobId"] not in before]


def test_training_job_asks_for_a_gpu_and_stops_on_a_node_without_one(cluster, slurm_gpu_run):
    work, proc, jobs = slurm_gpu_run
    lines = sbatch_lines(work, "snakemake-gpu.out")
    print("\ntraining job:", lines["rule_train"])
    assert "--gpus=1" in lines["rule_train"] and "--cpus-per-gpu=2" in lines["rule_train"]
    (train,) = [j for j in jobs if j.get("Comment", "").startswith("rule_train")]
    assert train["TresPerJob"] == "gres:gpu:1"
    assert train["Partition"] == "accel"
    # The gres is not a device TensorFlow can use: the job stops before its first step, with the reason.
    assert proc.returncode not in (0, 124, 137), proc.returncode
    assert train["JobState"] == "FAILED"
    # The rule's log holds what the job printed (the SLURM log holds Snakemake's own lines).
    text = (work / "results" / "sample" / "logs" / "train" / "train.log").read_text()
    assert "norelmo: error: train.gpus is 1 but TensorFlow" in text and "sees 0 GPUs" in text
    assert "set train.gpus: 0 to train on the CPU" in text
    assert not re.search(r"^train: .*batch", text, re.M)  # not one batch trained
    # A cluster's GPUs are on its other nodes: the login node's own lack of one is not reported.
    assert "the train job stops before its first" not in proc.stdout + proc.stderr


def test_failing_job_makes_snakemake_exit_nonzero(cluster, slurm_run, tmp_path):
    work = workdir_copy(tmp_path)
    scaled_profile(work / "slurm-test", cpus=2, mem_mb=1500)
    bad = work / "resources" / "sample" / "broken-pages-articles.xml.bz2"
    bad.write_bytes(b"this is not a bz2 file\n")
    config = yaml.safe_load((work / "config" / "config.yaml").read_text())
    config["run"] = "broken"
    config["shards"] = 1
    config["corpora"] = [{"name": "wiki", "dump": str(bad.relative_to(work))}]
    (work / "config" / "broken.yaml").write_text(yaml.safe_dump(config))
    proc = run_snakemake(cluster, work, "--configfile", "config/broken.yaml", "--until", "extract")
    assert proc.returncode not in (0, 124, 137), proc.returncode
    failed = [
        j for j in cluster.jobs() if j.get("Comment", "").startswith("rule_extract") and j["JobState"] == "FAILED"
    ]
    assert failed, "the failing extraction job is not in squeue as FAILED"
    log = next((work / ".snakemake" / "slurm_logs").rglob("*.log")).read_text()
    assert "broken-pages-articles.xml.bz2" in log  # the job's log names the bad file


def test_training_over_two_slurm_tasks_matches_one_process(cluster, tmp_path):
    """`srun -n 2 norelmo train`: SlurmClusterResolver makes the tasks two workers of one model."""
    from ..elmo.test_multiworker import EPOCHS
    from ..elmo.test_resume import corpus, final_weights, train_cmd

    env = dict(cluster.env, TF_CPP_MIN_LOG_LEVEL="2")
    subprocess.run(train_cmd(tmp_path, "one", EPOCHS), check=True, env=env, capture_output=True)
    srun = ["timeout", "-k", "20", "600", "srun", "--ntasks=2", "--cpus-per-task=1", "--mem=3000", "-p", "normal"]
    # Two tasks' progress bars interleave byte by byte in srun's output, splitting UTF-8 characters.
    cmd = [*srun, *train_cmd(tmp_path, "two", EPOCHS)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, errors="replace")
    assert proc.returncode == 0, proc.stderr[-4000:]
    vocab_size = corpus(tmp_path)[3]
    one, two = final_weights(tmp_path, "one", vocab_size), final_weights(tmp_path, "two", vocab_size)
    worst = max(float(np.abs(one[n] - two[n]).max()) for n in one)
    print(f"max abs weight difference, 1 process vs 2 SLURM tasks: {worst:.2e}")
    assert worst <= 1e-5
    steps = [j for j in cluster.jobs() if j.get("NumTasks") == "2"]
    assert steps and steps[-1]["JobState"] == "COMPLETED"
