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
