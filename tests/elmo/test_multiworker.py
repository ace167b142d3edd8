"""Two training workers (MultiWorkerMirroredStrategy over TF_CONFIG, on localhost) train like one."""

import json
import os
import socket
import subprocess

import numpy as np
import pytest

from .test_resume import corpus, final_weights, train_cmd

pytestmark = pytest.mark.slow
EPOCHS = 2


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def test_two_workers_end_with_the_weights_of_one_at_the_same_global_batch(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("TF_CONFIG", None)
    # Two epochs (50 updates): summation order differs across workers, and over hundreds of updates
    # float rounding grows past any tolerance while the loss curves stay the same.
    subprocess.run(train_cmd(tmp_path, "one", EPOCHS), check=True, env=env, capture_output=True)

    hosts = [f"127.0.0.1:{p}" for p in free_ports(2)]
    procs = []
    for index in range(2):
        tf_config = {"cluster": {"worker": hosts}, "task": {"type": "worker", "index": index}}
        cmd = train_cmd(tmp_path, "two", EPOCHS)
        procs.append(
            subprocess.Popen(cmd, env=dict(env, TF_CONFIG=json.dumps(tf_config)), stderr=subprocess.PIPE, text=True)
        )
    errors = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(e[-3000:] for e in errors)

    one, two = final_weights(tmp_path, "one", corpus(tmp_path)[3]), final_weights(tmp_path, "two", corpus(tmp_path)[3])
    worst = max(float(np.abs(one[n] - two[n]).max()) for n in one)
    print(f"max abs weight difference, 1 worker vs 2: {worst:.2e}")
    assert worst <= 1e-5
    # Only the chief wrote the run's logs and kept checkpoints; the other worker's were temporary.
    assert json.loads((tmp_path / "two" / "logs" / "train.json").read_text())["batches"] > 0
    assert [p.name for p in (tmp_path / "two" / "ckpt").iterdir() if p.name.startswith(".")] == []
