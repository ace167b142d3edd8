"""What this machine offers for training on GPUs, without starting TensorFlow (the workflow asks while it plans)."""

from __future__ import annotations

import shutil
import subprocess
from importlib import metadata


def nvidia_gpus() -> list[str] | None:
    """The GPUs `nvidia-smi -L` lists, or None where there is no nvidia-smi (no NVIDIA driver installed)."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in listed.splitlines() if line.startswith("GPU ")]


def cuda_libraries_installed() -> bool:
    """Whether the gpu extra's CUDA libraries (tensorflow[and-cuda]: cuDNN and the CUDA runtime wheels) are here.

    TensorFlow's Linux wheel is built with CUDA either way; what the CPU install lacks is these libraries.
    """
    try:
        metadata.distribution("nvidia-cudnn-cu12")
    except metadata.PackageNotFoundError:
        return False
    return True


def machine_gpus_described(listed: list[str] | None) -> str:
    """Why TensorFlow sees no GPU here, from what nvidia_gpus() found: no driver, no GPU, or no CUDA libraries."""
    if listed is None:
        return "this machine has no NVIDIA driver (no nvidia-smi on PATH)"
    if not listed:
        return "nvidia-smi lists no GPU"
    return (
        f"nvidia-smi lists {len(listed)} but TensorFlow's CUDA libraries are not installed "
        "(this is the CPU install, without the gpu extra)"
    )


def gpu_shortfall(gpus: int) -> str | None:
    """What stops a training run asking for `gpus` GPUs on this machine, as far as it shows without TensorFlow;
    None when the driver lists enough GPUs and the CUDA libraries are installed."""
    listed = nvidia_gpus()
    if not listed or not cuda_libraries_installed():
        return machine_gpus_described(listed)
    if len(listed) < gpus:
        return f"nvidia-smi lists {len(listed)} of the {gpus} asked for"
    return None
