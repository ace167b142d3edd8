"""bench/train.py --export-step writes the compiled XLA step that ../shared/gpu-step/run_step.py times on a GPU."""

import json
import math
import os
import subprocess
import sys

import numpy as np

from ..conftest import ROOT


def test_export_step_writes_the_tiny_step_with_its_values_and_loss(tmp_path):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="2")
    cmd = [sys.executable, str(ROOT / "bench" / "train.py"), "--export-step", str(tmp_path), "--configs", "tiny",
           "--vocab-size", "20000"]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {"tiny.hlo.pb", "tiny.args.npz", "tiny.json", "tiny.vars.npz", "corpus.txt", "vocab.txt"} <= {
        p.name for p in tmp_path.iterdir()
    }
    meta = json.loads((tmp_path / "tiny.json").read_text())
    assert meta["vocab"] == 20000 and meta["tokens"] == 32 * 20
    args = np.load(tmp_path / "tiny.args.npz")
    assert [list(args[f"arr_{i}"].shape) for i in range(len(args.files))] == meta["shapes"]
    values = np.load(tmp_path / "tiny.vars.npz")
    assert len(values.files) == len(meta["vars"])
    dtypes = {"f32": np.float32, "s64": np.int64, "s32": np.int32}
    for i, (role, dtype, shape) in enumerate(meta["vars"]):
        assert values[f"arr_{i}"].dtype == dtypes[dtype] and list(values[f"arr_{i}"].shape) == shape, role
    roles = [role for role, _, _ in meta["vars"]]
    assert roles.count("weight:softmax/W") == 1 and roles.count("accum:softmax/W") == 1
    assert roles.count("state") == 8 and roles.count("step") == 2  # 2 directions x 2 layers x (c, h); counters
    assert values[f"arr_{roles.index('weight:softmax/W')}"].shape == (20000, 64)
    assert math.isfinite(meta["loss"]) and 5.0 < meta["loss"] < 12.0  # about ln(vocabulary) at the start
    # The table it prints: the character CNN is matmuls in the XLA step, no convolution is left.
    row = next(line for line in proc.stdout.splitlines() if line.startswith("| tiny |"))
    assert row.split("|")[3].strip() == "0"
