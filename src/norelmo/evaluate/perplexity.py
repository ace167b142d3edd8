"""Full-softmax perplexity of an exported model on the sentences training set aside."""

from __future__ import annotations

from pathlib import Path

from ..elmo.data import TokenTypes, heldout_sentences
from ..elmo.export import load_model_dir
from ..elmo.model import SOFTMAX_W, BidirectionalLM
from ..elmo.train import heldout_perplexity
from ..errors import NorelmoError
from ..text.vocab import read_vocabulary


def model_perplexity(model_dir: Path, vocab_path: Path, token_files: list[Path], n_heldout: int) -> dict:
    """Forward, backward and mean perplexity on the first `n_heldout` sentences of the first token shard by
    path (at most a tenth of it): the slice training never reads (train.heldout_sentences)."""
    vocab = read_vocabulary(vocab_path)
    cfg, weights = load_model_dir(model_dir, vocab_size=len(vocab))
    if SOFTMAX_W not in weights:
        raise NorelmoError(
            f"{model_dir}: no softmax of {len(vocab)} words in the model's checkpoint, so no full-softmax perplexity"
        )
    sentences = heldout_sentences([Path(p) for p in token_files], n_heldout)
    if not sentences:
        raise NorelmoError(f"{token_files[0]}: no held-out sentences (train.heldout_sentences is {n_heldout})")
    known = set(vocab)
    tokens = [t for s in sentences for t in s]
    oov = [t for t in tokens if t not in known]
    types = TokenTypes(vocab, sorted(set(oov)), cfg.char_cnn.max_characters_per_token)
    result = heldout_perplexity(BidirectionalLM(cfg, weights), types, sentences)
    return {**result, "sentences": len(sentences), "tokens": len(tokens), "oov_rate": len(oov) / len(tokens)}
