"""The trainer is bilm-tf: from the same weights, on the same batches and negatives, bilm-tf's own TF1 training
graph (simple_elmo's copy) and this project's trainer give the same loss at every step and the same weights.

bench/parity.py runs both (in a process of its own: bilm-tf's LSTM cells need TF_USE_LEGACY_KERAS=1 before
TensorFlow is imported); see its docstring for the setup.
"""

import json
import os
import subprocess
import sys

from ..conftest import ROOT

STEPS = 120


def test_losses_and_weights_equal_bilm_tf_step_by_step(tmp_path):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="2", TF_USE_LEGACY_KERAS="1")
    cmd = [sys.executable, str(ROOT / "bench" / "parity.py"), "--step-by-step", "--steps", str(STEPS),
           "--json", str(tmp_path / "parity.json")]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "parity.json").read_text())
    assert len(result["losses"]) == STEPS
    for step, (ours, theirs) in enumerate(result["losses"], 1):
        assert abs(ours - theirs) <= 1e-4 * theirs, f"step {step}: loss {ours}, bilm-tf {theirs}"
    for name, gap in result["weight_gaps"].items():
        assert gap <= 1e-4, f"{name}: weights differ by {gap} after {STEPS} steps"
    # The comparison covered what it must: clipped and unclipped steps, and LSTM states carried into batches.
    assert 0 < result["clipped_steps"] < STEPS and result["carried_rows"] > 0
    losses = [theirs for _, theirs in result["losses"]]
    assert sum(losses[-20:]) < sum(losses[:20])  # and the model learned something meanwhile
