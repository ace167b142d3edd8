"""The probe's CoNLL-U reader: syntactic words only, and one clear error naming file and line."""

import pytest

from norelmo.errors import NorelmoError
from norelmo.evaluate.probe import read_conllu

from ..conftest import CONLLU

SENTENCE = """# text = Han gikk til byen.
1	Han	han	PRON	_	_	2	nsubj	_	_
2	gikk	gå	VERB	_	_	0	root	_	_
3-4	til_byen	_	_	_	_	_	_	_	_
3	til	til	ADP	_	_	4	case	_	_
4	byen	by	NOUN	_	_	2	obl	_	SpaceAfter=No
4.1	x	x	X	_	_	_	_	_	_
5	.	$.	PUNCT	_	_	2	punct	_	_

"""


def test_reads_forms_lemmas_and_upos_skipping_ranges_and_empty_nodes(tmp_path):
    path = tmp_path / "s.conllu"
    path.write_text(SENTENCE * 2, encoding="utf-8")
    sentences = read_conllu(path)
    assert len(sentences) == 2
    assert sentences[0].forms == ["Han", "gikk", "til", "byen", "."]
    assert sentences[0].lemmas == ["han", "gå", "til", "by", "$."]
    assert sentences[0].upos == ["PRON", "VERB", "ADP", "NOUN", "PUNCT"]


def test_the_bundled_sample_reads_whole():
    sentences = read_conllu(CONLLU)
    assert len(sentences) == 400 and all(len(s.forms) == len(s.upos) > 0 for s in sentences)


def test_a_row_with_missing_columns_is_an_error_naming_file_and_line(tmp_path):
    path = tmp_path / "bad.conllu"
    path.write_text(SENTENCE.replace("2\tgikk\tgå\tVERB\t_\t_\t0\troot\t_\t_", "2 gikk gå VERB"), encoding="utf-8")
    with pytest.raises(
        NorelmoError, match=r"bad\.conllu: invalid CoNLL-U .*'2 gikk gå VERB' does not contain 10 columns"
    ):
        read_conllu(path)


def test_an_empty_or_unreadable_file_is_an_error(tmp_path):
    empty = tmp_path / "empty.conllu"
    empty.write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(NorelmoError, match="empty.conllu: no sentences"):
        read_conllu(empty)
    latin1 = tmp_path / "latin1.conllu"
    latin1.write_bytes(SENTENCE.encode("latin-1"))
    with pytest.raises(NorelmoError, match="latin1.conllu: cannot read CoNLL-U"):
        read_conllu(latin1)
