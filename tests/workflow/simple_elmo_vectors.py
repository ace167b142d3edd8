"""Run in a subprocess with TF_USE_LEGACY_KERAS=1: vectors from the reference loader, simple_elmo.

usage: python simple_elmo_vectors.py MODEL SENTENCES OUT_DIR   (writes OUT_DIR/{average,top,all}.npy)
"""

import sys
from pathlib import Path

import numpy as np
import tensorflow as tf
from simple_elmo import ElmoModel

model_path, sentences_path, out_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
sentences = [line.split() for line in sentences_path.read_text(encoding="utf-8").splitlines() if line.strip()]
for layers in ("average", "top", "all"):
    tf.compat.v1.reset_default_graph()  # one graph per load: simple_elmo creates its variables unscoped
    model = ElmoModel()
    model.load(model_path)
    np.save(out_dir / f"{layers}.npy", model.get_elmo_vectors(sentences, layers=layers))
