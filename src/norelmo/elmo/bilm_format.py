"""Facts of bilm-tf's model format that the exporter and the readers of its files share: the loader files, the
character vocabulary size inference expects, the checkpoint's name, and the TF1 graph's variable names."""

from __future__ import annotations

import re

INFERENCE_N_CHARACTERS = 262  # loaders add 1 to every character id and keep 0 for padding
CHECKPOINT_PREFIX = "model.ckpt"
LOADER_FILES = ("model.hdf5", "options.json", "vocab.txt")
_RNN_FILE_NAME = re.compile(r"^RNN_(\d+)/RNN/MultiRNNCell/Cell(\d+)/LSTMCell/(W_0|B|W_P_0)$")
_RNN_GRAPH_LEAF = {"W_0": "kernel", "B": "bias", "W_P_0": "projection/kernel"}


def tf1_variable_name(name: str) -> str:
    """The variable name bilm-tf's TF1 training graph gives a weight (what its checkpoints hold)."""
    m = _RNN_FILE_NAME.match(name)
    if m:
        d, layer, leaf = m.groups()
        return f"lm/RNN_{d}/rnn/multi_rnn_cell/cell_{layer}/lstm_cell/{_RNN_GRAPH_LEAF[leaf]}"
    return "lm/" + name
