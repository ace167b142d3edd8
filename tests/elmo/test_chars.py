"""Character ids follow bilm-tf: UTF-8 bytes, 256-260 for specials, bytes cut at max_chars - 2."""

import numpy as np

from norelmo.elmo.chars import BOS, BOW_CHAR, EOS, EOW_CHAR, PAD_CHAR, CharIds, token_char_ids


def test_ascii_token():
    ids = token_char_ids("by", 10)
    assert ids.tolist() == [BOW_CHAR, ord("b"), ord("y"), EOW_CHAR] + [PAD_CHAR] * 6


def test_norwegian_letters_are_two_utf8_bytes_each():
    ids = token_char_ids("øy", 10)
    assert ids[:5].tolist() == [BOW_CHAR, 0xC3, 0xB8, ord("y"), EOW_CHAR]


def test_sentence_markers():
    assert token_char_ids(BOS, 6).tolist() == [BOW_CHAR, 256, EOW_CHAR, PAD_CHAR, PAD_CHAR, PAD_CHAR]
    assert token_char_ids(EOS, 6).tolist() == [BOW_CHAR, 257, EOW_CHAR, PAD_CHAR, PAD_CHAR, PAD_CHAR]


def test_over_long_tokens_are_cut_in_bytes_even_inside_a_letter():
    word = "a" + "æ" * 30  # 61 bytes
    ids = token_char_ids(word, 50)
    assert len(ids) == 50 and ids[0] == BOW_CHAR and ids[-1] == EOW_CHAR
    assert bytes(ids[1:49].astype(np.uint8)) == word.encode("utf-8")[:48]
    assert ids[48] == 0xC3  # the first byte of a cut 'æ'


def test_sentence_adds_markers_and_caches():
    chars = CharIds(12)
    ids = chars.sentence(["Oslo", "."])
    assert ids.shape == (4, 12)
    assert ids[0, 1] == 256 and ids[-1, 1] == 257
    assert chars("Oslo") is chars("Oslo")


def test_batch_groups_give_every_position_its_token_characters(tmp_path):
    """Short and long groups, each cut to its width, still hold each input token's characters."""
    from norelmo.elmo.batches import BatchMaker
    from norelmo.elmo.token_types import corpus_types

    words = "i og på kontorbygningene Oslo sjøen " + "x" * 60
    (tmp_path / "t.txt").write_text((words + "\n") * 30, encoding="utf-8")
    vocab = ["<S>", "</S>", "<UNK>", "i", "og"]
    types = corpus_types(vocab, None, [tmp_path / "t.txt"], 50)
    plain = BatchMaker([tmp_path / "t.txt"], types, 4, 5, 2, seed=1)
    split = BatchMaker([tmp_path / "t.txt"], types, 4, 5, 2, seed=1, widest_filter=4)
    for _ in range(6):
        a, b = next(plain), next(split)
        widths = b.short_chars.shape[1], b.long_chars.shape[1]
        assert widths[0] < 50 and widths[1] <= 50
        groups = (b.short_chars, b.long_chars)
        padded = [np.pad(g, [(0, 0), (0, 50 - g.shape[1])], constant_values=PAD_CHAR) for g in groups]
        np.testing.assert_array_equal(np.concatenate(padded)[b.positions], a.short_chars[a.positions])
