"""Real UDPipe: a model trained from the bundled CoNLL-U splits, tokenizes and lemmatizes Bokmål."""

import pytest

from norelmo.errors import NorelmoError
from norelmo.text.udpipe import lemmatize_tokenized, load_model, tokenize_file, tokenize_lines


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


def test_tokenized_sentences_are_lemmatized_token_for_token(udpipe_model):
    """What the sentiment task gives a lemmatized model: NoReC_sentence's tokens kept, each replaced by its lemma."""
    sentences = [["Bergen", "har", "mange", "kontorer", ",", "skoler", "og", "kirker", "."], ["Kirken", "ble", "bygd"]]
    lemmas = lemmatize_tokenized(udpipe_model, sentences)
    assert [len(s) for s in lemmas] == [9, 3]
    assert lemmas[0][3] == "kontor" and lemmas[1] == ["kirke", "bli", "bygge"]


def test_tokenize_file_writes_one_sentence_per_line(udpipe_model, tmp_path):
    src = tmp_path / "shard.txt"
    src.write_text("Oslo er en by. Den er stor.\nHistorie\n\nTrondheim har en gammel kirke.\n", encoding="utf-8")
    out = tmp_path / "tokens.txt"
    counts = tokenize_file(udpipe_model, src, out, lemmatize=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == ["Oslo er en by .", "Den er stor .", "Historie", "Trondheim har en gammel kirke ."]
    assert (counts["paragraphs"], counts["sentences"], counts["tokens"], counts["empty"]) == (3, 4, 16, False)


def test_a_file_that_is_not_a_model_is_one_clear_error(tmp_path):
    bad = tmp_path / "broken.udpipe"
    bad.write_bytes(b"\x00not a model")
    with pytest.raises(NorelmoError, match="not a UDPipe model"):
        load_model(bad)
    with pytest.raises(NorelmoError, match="not found"):
        load_model(tmp_path / "missing.udpipe")


def test_worker_processes_give_the_same_output_in_order(udpipe_model, tmp_path):
    src = tmp_path / "shard.txt"
    paragraphs = [f"Oslo er en by nummer {k}. Bergen har mange kontorer." for k in range(700)]
    src.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    counts_one = tokenize_file(udpipe_model, src, one, lemmatize=True, workers=1)
    counts_two = tokenize_file(udpipe_model, src, two, lemmatize=True, workers=2)
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")
    assert counts_one == counts_two and counts_one["paragraphs"] == 700


def test_invalid_utf8_names_the_file_and_line(udpipe_model, tmp_path):
    src = tmp_path / "shard.txt"
    src.write_bytes(b"Oslo er en by.\nBergen er en by.\n" + b"Trondheim \xff\xfe by.\n")
    out = tmp_path / "tokens.txt"
    with pytest.raises(NorelmoError, match=r"shard.txt:3: not valid UTF-8"):
        tokenize_file(udpipe_model, src, out, lemmatize=False)
    assert not out.exists()


def test_nul_bytes_and_a_megabyte_without_spaces_are_handled_and_counted(udpipe_model, tmp_path):
    src = tmp_path / "shard.txt"
    src.write_text("Oslo\0 er en by.\n" + "x" * 1_000_000 + "\nBergen er en by.\n", encoding="utf-8")
    out = tmp_path / "tokens.txt"
    counts = tokenize_file(udpipe_model, src, out, lemmatize=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Oslo er en by ." and lines[-1] == "Bergen er en by ."
    assert max(len(t) for line in lines for t in line.split()) <= 1000
    assert counts["nul_characters_removed"] == 1 and counts["overlong_tokens_dropped"] >= 1


def test_an_empty_shard_is_flagged_not_silent(udpipe_model, tmp_path):
    src = tmp_path / "shard.txt"
    src.write_text("\n\n", encoding="utf-8")
    counts = tokenize_file(udpipe_model, src, tmp_path / "tokens.txt", lemmatize=False)
    assert counts["empty"] is True and counts["sentences"] == 0


def test_a_sample_shard_tokenized_and_lemmatized_shares_its_boundaries(udpipe_model, tmp_path):
    from norelmo.wiki.shards import extract_dump_shard

    from ..conftest import DUMP

    text = tmp_path / "shard.txt"
    extract_dump_shard(DUMP, None, 0, 1, text, tmp_path / "shard.json")
    tokens, lemmas = tmp_path / "tokens.txt", tmp_path / "lemmas.txt"
    tokenize_file(udpipe_model, text, tokens, lemmatize=False)
    tokenize_file(udpipe_model, text, lemmas, lemmatize=True, workers=2)
    token_lines = tokens.read_text(encoding="utf-8").splitlines()
    lemma_lines = lemmas.read_text(encoding="utf-8").splitlines()
    assert len(token_lines) == len(lemma_lines) > 500
    lines = list(zip(token_lines, lemma_lines, strict=True))
    assert all(len(a.split()) == len(b.split()) for a, b in lines)
    lemma_of = {t: lem for a, b in lines for t, lem in zip(a.split(), b.split(), strict=True)}
    assert lemma_of.get("kontorer") == "kontor" and lemma_of.get("bygde") == "bygge"
