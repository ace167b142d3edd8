"""Which distribution strategy a training process runs under: one process or several workers.

Several workers (one process per node or per SLURM task) train with MultiWorkerMirroredStrategy:
each worker reads the same batches, its replicas take their equal share of the rows, and gradients
are all-reduced across every replica of every worker. The cluster comes from SLURM when the job step
has several tasks, from TF_CONFIG otherwise; a single process uses its local GPUs (MirroredStrategy).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import tensorflow as tf

from ..errors import NorelmoError
from ..gpus import cuda_libraries_installed, machine_gpus_described, nvidia_gpus

# SlurmClusterResolver gives task k of a node port PORT_BASE + k.
PORT_BASE = 28888


@dataclass(frozen=True)
class Workers:
    strategy: tf.distribute.Strategy | None  # None: one process on at most one device
    # The chief writes logs, metrics, plots and the checkpoints a rerun resumes from.
    chief: bool = True
    task: str = "worker-0"


def _tf_config_workers() -> int:
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return 0
    try:
        spec = json.loads(raw)
        return sum(len(hosts) for hosts in spec["cluster"].values())
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise NorelmoError(f"TF_CONFIG is not a cluster spec ({exc}): {raw[:200]}") from exc


def _slurm_tasks() -> int:
    return int(os.environ.get("SLURM_STEP_NUM_TASKS", os.environ.get("SLURM_NTASKS", "1")))


def cluster_resolver() -> tf.distribute.cluster_resolver.ClusterResolver | None:
    """A resolver when this process is one of several training workers, else None."""
    tasks = _slurm_tasks()
    if tasks > 1:
        # SLURM binds GPUs to tasks (one task per GPU: --ntasks-per-gpu=1). The resolver would instead
        # split each task's visible GPUs among the node's tasks (none left with one GPU per task, and
        # an error on CPU nodes), so it gets one nominal slot per task and leaves the GPUs alone.
        return tf.distribute.cluster_resolver.SlurmClusterResolver(
            port_base=PORT_BASE, gpus_per_node=tasks, gpus_per_task=1, auto_set_gpu=False
        )
    if _tf_config_workers() > 1:
        return tf.distribute.cluster_resolver.TFConfigClusterResolver()
    return None


def size_cpu_thread_pools() -> None:
    """For training on CPUs: as many inter-op threads as cores, half as many threads inside an op.

    TensorFlow's default gives each op all cores while as many ops run at once, which oversubscribes
    them; the training graph has two independent streams throughout (the two directions) made of
    many small ops, so letting each op use half the cores runs them side by side without contention
    (on 2 cores, the tiny bench config went from 73 to 54 ms per batch; the NorELMo config within
    noise; bench/train.py also runs bilm-tf with these pools).
    TF_NUM_INTEROP_THREADS / TF_NUM_INTRAOP_THREADS still win. Pools are sized when the runtime
    starts, so in a process that already ran TensorFlow they stay as they are.
    """
    cores = len(os.sched_getaffinity(0))
    try:
        if "TF_NUM_INTEROP_THREADS" not in os.environ:
            tf.config.threading.set_inter_op_parallelism_threads(cores)
        if "TF_NUM_INTRAOP_THREADS" not in os.environ:
            tf.config.threading.set_intra_op_parallelism_threads(max(1, cores // 2))
    except RuntimeError:
        pass


def require_gpus(gpus: int, found: int, workers: int = 1) -> None:
    """Stop before training when `train.gpus` asks for GPUs this process cannot see, rather than training on the
    CPU at a few hundredths of the speed; the message says what was found and the two ways out."""
    wanted = min(gpus, 1) if workers > 1 else gpus  # several workers: one GPU per task (tasks_per_gpu=1)
    if found >= wanted:
        return
    listed = nvidia_gpus()
    if listed and cuda_libraries_installed():
        cause = (
            f"nvidia-smi lists {len(listed)} and the CUDA libraries are installed, but TensorFlow could not use "
            "them: its own reason is in the lines above (cuInit, dso_loader)"
        )
    else:
        cause = machine_gpus_described(listed)
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        cause += f"; CUDA_VISIBLE_DEVICES={visible!r}"
    raise NorelmoError(
        f"train.gpus is {gpus} but TensorFlow {tf.__version__} sees {found} GPU{'s' if found != 1 else ''}: {cause}. "
        "Install the GPU build (python3 tasks.py setup --gpu, or pip install -e '.[gpu]' -c constraints.txt), "
        "or set train.gpus: 0 to train on the CPU on purpose"
    )


def make_workers(gpus: int) -> Workers:
    """Call before any other TensorFlow op: collective ops are configured when the runtime starts.

    `gpus` caps the GPUs this process uses (the first ones it sees; SLURM and CUDA_VISIBLE_DEVICES
    decide which those are), so a workstation's other GPUs stay free.
    """
    physical = tf.config.list_physical_devices("GPU")
    require_gpus(gpus, len(physical), max(_slurm_tasks(), _tf_config_workers()))
    if len(physical) > gpus:
        tf.config.set_visible_devices(physical[:gpus], "GPU")
    if not physical or gpus == 0:
        size_cpu_thread_pools()
    resolver = cluster_resolver()
    if resolver is not None:
        strategy = tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
        task = f"{resolver.task_type}-{resolver.task_id}"
        return Workers(strategy, bool(strategy.extended.should_checkpoint), task)
    devices = [d.name for d in tf.config.list_logical_devices("GPU")]
    return Workers(tf.distribute.MirroredStrategy(devices) if len(devices) > 1 else None)
