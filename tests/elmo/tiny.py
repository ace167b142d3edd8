"""A tiny biLM configuration shared by the ELMo tests (the sample's shape, smaller still)."""

from pathlib import Path

from norelmo.config import ModelConfig, TrainConfig
from norelmo.elmo.token_types import corpus_types

TINY = ModelConfig.from_dict(
    {
        "char_cnn": {
            "activation": "relu",
            "embedding": {"dim": 8},
            "filters": [[1, 16], [2, 16], [3, 32]],
            "max_characters_per_token": 50,
            "n_highway": 2,
        },
        "lstm": {
            "dim": 48,
            "projection_dim": 16,
            "n_layers": 2,
            "cell_clip": 3,
            "proj_clip": 3,
            "use_skip_connections": True,
        },
        "dropout": 0.1,
        "n_negative_samples_batch": 16,
        "unroll_steps": 5,
        "all_clip_norm_val": 10.0,
        "learning_rate": 0.2,
    }
)
TINY_TRAIN = TrainConfig(epochs=1, batch_size=4, seed=3, checkpoint_every=5, log_every=2, gpus=0)


def tiny_corpus(folder: Path, lines: list[str]):
    """The lines as a corpus file in `folder`, its vocabulary (the specials, then every word) and its types."""
    path = folder / "t.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    vocab = ["<S>", "</S>", "<UNK>"] + sorted({w for x in lines for w in x.split()})
    return path, vocab, corpus_types(vocab, None, [path], 50)
