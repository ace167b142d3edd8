"""Run in a subprocess with TF_USE_LEGACY_KERAS=1: vectors from the reference loader, simple_elmo.

usage: python simple_elmo_vectors.py MODEL SENTENCES OUT_DIR [BATCH_SIZE]

writes OUT_DIR/{average,top,all}.npy (get_elmo_vectors) and sentence-{average,top}.npy (get_elmo_vector_average)
"""

import sys
from pathlib import Path

import numpy as np
import tensorflow as tf
from simple_elmo import ElmoModel

model_path, sentences_path, out_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
batch_size = int(sys.argv[4]) if len(sys.argv) > 4 else 32  # simple_elmo's default max_batch_size
sentences = [line.split() for line in sentences_path.read_text(encoding="utf-8").splitlines() if line.strip()]
for layers in ("average", "top", "all"):
    tf.compat.v1.reset_default_graph()  # one graph per load: simple_elmo creates its variables unscoped
    model = ElmoModel()
    model.load(model_path, max_batch_size=batch_size)
    np.save(out_dir / f"{layers}.npy", model.get_elmo_vectors(sentences, layers=layers))
    if layers != "all":
        np.save(out_dir / f"sentence-{layers}.npy", model.get_elmo_vector_average(sentences, layers=layers))
