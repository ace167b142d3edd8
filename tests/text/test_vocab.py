"""Vocabulary order, cut, counts and stats."""

import json

import pytest

from norelmo.errors import NorelmoError
from norelmo.text.vocab import build_vocabulary, count_tokens, read_vocabulary, write_counts


def shard_counts(tmp_path, name, text):
    tokens = tmp_path / f"{name}.txt"
    tokens.write_text(text, encoding="utf-8")
    out = tmp_path / f"{name}.tsv"
    write_counts(*count_tokens([tokens]), out)
    return out


def test_specials_first_then_descending_count_with_alphabetical_ties(tmp_path):
    a = shard_counts(tmp_path, "a", "by er by .\nøy er by .\n")
    b = shard_counts(tmp_path, "b", "elv er øy .\n")
    stats = build_vocabulary([a, b], size=3, out_dir=tmp_path / "v")
    vocab = (tmp_path / "v" / "vocab.txt").read_text(encoding="utf-8").splitlines()
    # counts: er 3, by 3, . 3, øy 2, elv 1 -> ties (3) ordered by the token itself
    assert vocab == ["<S>", "</S>", "<UNK>", ".", "by", "er"]
    assert stats["tokens"] == 12 and stats["sentences"] == 3 and stats["types"] == 5
    assert stats["coverage"] == pytest.approx(9 / 12)
    full = (tmp_path / "v" / "vocab.tsv").read_text(encoding="utf-8").splitlines()
    assert full == [".\t3", "by\t3", "er\t3", "øy\t2", "elv\t1"]
    assert json.loads((tmp_path / "v" / "stats.json").read_text())["n_train_tokens"] == 12
    assert (tmp_path / "v" / "rank-frequency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_empty_corpus_is_an_error_not_an_empty_vocabulary(tmp_path):
    empty = shard_counts(tmp_path, "e", "\n\n")
    with pytest.raises(NorelmoError, match="empty"):
        build_vocabulary([empty], size=10, out_dir=tmp_path / "v")
    assert not (tmp_path / "v" / "vocab.txt").exists()


def test_a_vocabulary_without_specials_is_rejected(tmp_path):
    bad = tmp_path / "vocab.txt"
    bad.write_text("by\nøy\n<UNK>\n", encoding="utf-8")
    with pytest.raises(NorelmoError, match=r"lacks <S>, </S>"):
        read_vocabulary(bad)
