"""Real UDPipe: a model trained from the bundled CoNLL-U splits, tokenizes and lemmatizes Bokmål."""

import pytest

from norelmo.errors import NorelmoError
from norelmo.text.udpipe import load_model, tokenize_file, tokenize_lines


def test_sentences_are_split_and_punctuation_separated(udpipe_model):
    sents = tokenize_lines(udpipe_model, ["Oslo er en stor by i Norge. Bergen har mange kontorer, skoler og kirker."])
    assert sents == [
        ["Oslo", "er", "en", "stor", "by", "i", "Norge", "."],
        ["Bergen", "har", "mange", "kontorer", ",", "skoler", "og", "kirker", "."],
    ]


def test_lemmatized_output_has_the_same_boundaries_with_lemmas(udpipe_model):
    text = ["Bergen har mange kontorer, skoler og kirker. Kirken ble bygd i 1150."]
    tokens = tokenize_lines(udpipe_model, text)
    lemmas = tokenize_lines(udpipe_model, text, lemmatize=True)
    assert [len(s) for s in lemmas] == [len(s) for s in tokens]
    assert "kontor" in lemmas[0] and "kontorer" not in lemmas[0]
    assert lemmas[1][:3] == ["kirke", "bli", "bygge"]


def test_tokenize_file_writes_one_sentence_per_line(udpipe_model, tmp_path):
    src = tmp_path / "shard.txt"
    src.write_text("Oslo er en by. Den er stor.\nHistorie\n\nTrondheim har en gammel kirke.\n", encoding="utf-8")
    out = tmp_path / "tokens.txt"
    counts = tokenize_file(udpipe_model, src, out, lemmatize=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == ["Oslo er en by .", "Den er stor .", "Historie", "Trondheim har en gammel kirke ."]
    assert counts == {"paragraphs": 3, "sentences": 4, "tokens": 16}


def test_a_file_that_is_not_a_model_is_one_clear_error(tmp_path):
    bad = tmp_path / "broken.udpipe"
    bad.write_bytes(b"\x00not a model")
    with pytest.raises(NorelmoError, match="not a UDPipe model"):
        load_model(bad)
    with pytest.raises(NorelmoError, match="not found"):
        load_model(tmp_path / "missing.udpipe")
