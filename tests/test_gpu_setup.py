"""A GPU workstation gets TensorFlow's GPU build from the quick start, and what a machine lacks is named.

The GPU is what these tests cannot have, so `nvidia-smi` is a script on PATH that lists one, as the driver's
tool does (`GPU 0: <name> (UUID: ...)`); everything else is real.
"""

from __future__ import annotations

import importlib.util

import pytest

from norelmo.gpus import cuda_libraries_installed, gpu_shortfall, nvidia_gpus

from .conftest import ROOT


@pytest.fixture
def one_gpu_listed(tmp_path, monkeypatch):
    smi = tmp_path / "bin" / "nvidia-smi"
    smi.parent.mkdir()
    smi.write_text('#!/bin/sh\n[ "$1" = "-L" ] && echo "GPU 0: NVIDIA H200 (UUID: GPU-1234)"\n')
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", str(smi.parent))


@pytest.fixture
def tasks(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "STAMP", tmp_path / "stamp")  # not this checkout's .venv
    return module


def test_the_quick_start_sets_up_the_gpu_build_where_nvidia_smi_lists_a_gpu(one_gpu_listed, tasks, capsys):
    assert tasks.extras_wanted(["sample"]) == "test,gpu"
    assert "nvidia-smi lists 1 GPU(s): setting up TensorFlow's GPU build" in capsys.readouterr().out


def test_a_cpu_machine_keeps_the_cpu_build_unless_asked(tasks, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "no-driver"))  # also on a machine whose driver is installed
    assert nvidia_gpus() is None
    assert tasks.extras_wanted(["sample"]) == tasks.extras_wanted(["test", "-x"]) == "test"
    assert tasks.extras_wanted(["setup", "--gpu"]) == "test,gpu"
    tasks.STAMP.write_text("test,gpu 0123")  # set up with --gpu before: kept
    assert tasks.extras_wanted(["test"]) == "test,gpu"
    assert tasks.main(["setup", "--cuda"]) == 2


def test_what_stops_gpu_training_is_named(one_gpu_listed, monkeypatch, tmp_path):
    assert nvidia_gpus() == ["GPU 0: NVIDIA H200 (UUID: GPU-1234)"]
    if cuda_libraries_installed():
        assert gpu_shortfall(1) is None
        assert gpu_shortfall(2) == "nvidia-smi lists 1 of the 2 asked for"
    else:
        assert gpu_shortfall(1) == (
            "nvidia-smi lists 1 but TensorFlow's CUDA libraries are not installed (this is the CPU install, "
            "without the gpu extra)"
        )
    monkeypatch.setenv("PATH", str(tmp_path / "no-driver"))
    assert gpu_shortfall(1) == "this machine has no NVIDIA driver (no nvidia-smi on PATH)"
