"""One device and two (logical CPU devices, MirroredStrategy) give the same training at the same global batch."""

import json
import subprocess
import sys

from ..conftest import ROOT

SCRIPT = r"""
import json, sys, tempfile
from pathlib import Path
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
tf.config.experimental.enable_op_determinism()
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])
from tests.elmo.tiny import TINY, TINY_TRAIN
from norelmo.elmo.batches import BatchMaker
from norelmo.elmo.token_types import corpus_types
from norelmo.elmo.train import Trainer

tmp = Path(tempfile.mkdtemp())
lines = ["Oslo er en stor by i Norge .", "Bergen har mange kontorer og skoler .", "Kirken ble bygd i 1150 ."] * 20
(tmp / "t.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
vocab = ["<S>", "</S>", "<UNK>"] + sorted({w for x in lines for w in x.split()})
types = corpus_types(vocab, None, [tmp / "t.txt"], 50)
results, trainers = {}, {}
for name, devices in (("one", None), ("two", ["/cpu:0", "/cpu:1"])):
    trainer = Trainer(TINY, TINY_TRAIN, len(vocab), tmp / name, devices=devices)
    batches = BatchMaker([tmp / "t.txt"], types, TINY_TRAIN.batch_size, TINY.unroll_steps, 16, 3, widest_filter=3)
    losses = [trainer.train_step(next(batches))[0] for _ in range(12)]
    results[name] = ({n: v.numpy() for n, v in trainer.model.weights.items()}, losses)
    trainers[name] = trainer
two = trainers["two"]
replicas_agree = all(
    np.array_equal(*[t.numpy() for t in two.strategy.experimental_local_results(v)]) for v in two.variables
)
weights_diff = max(float(np.abs(results["one"][0][n] - results["two"][0][n]).max()) for n in results["one"][0])
loss_diff = max(abs(a - b) for a, b in zip(results["one"][1], results["two"][1]))
print("RESULT " + json.dumps({"weights": weights_diff, "loss": loss_diff, "replicas_agree": replicas_agree,
                              "replicas": two.strategy.num_replicas_in_sync}))
"""


def test_two_devices_train_like_one_at_the_same_global_batch():
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "src"), str(ROOT)], capture_output=True, text=True)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    result = json.loads(lines[-1][len("RESULT ") :])
    print(result)
    assert result["replicas"] == 2 and result["replicas_agree"]
    assert result["weights"] <= 1e-5 and result["loss"] <= 1e-5
