"""The evaluation tasks' readers: CoNLL-U syntactic words, NoReC_sentence JSON, and one clear error for bad input."""

import pytest

from norelmo.errors import NorelmoError
from norelmo.evaluate.datasets import read_sentiment_split, read_tagged_conllu

from ..conftest import CONLLU, ROOT

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
    sentences = read_tagged_conllu(path)
    assert len(sentences) == 2
    assert sentences[0].forms == ["Han", "gikk", "til", "byen", "."]
    assert sentences[0].lemmas == ["han", "gå", "til", "by", "$."]
    assert sentences[0].upos == ["PRON", "VERB", "ADP", "NOUN", "PUNCT"]


def test_the_bundled_sample_reads_whole():
    sentences = read_tagged_conllu(CONLLU)
    assert len(sentences) == 400 and all(len(s.forms) == len(s.upos) > 0 for s in sentences)


def test_a_row_with_missing_columns_is_an_error_naming_file_and_line(tmp_path):
    path = tmp_path / "bad.conllu"
    path.write_text(SENTENCE.replace("2\tgikk\tgå\tVERB\t_\t_\t0\troot\t_\t_", "2 gikk gå VERB"), encoding="utf-8")
    with pytest.raises(
        NorelmoError, match=r"bad\.conllu:3: invalid CoNLL-U .*'2 gikk gå VERB' does not contain 10 columns"
    ):
        read_tagged_conllu(path)


def test_an_empty_or_unreadable_file_is_an_error(tmp_path):
    empty = tmp_path / "empty.conllu"
    empty.write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(NorelmoError, match="empty.conllu: no sentences"):
        read_tagged_conllu(empty)
    latin1 = tmp_path / "latin1.conllu"
    latin1.write_bytes(SENTENCE.encode("latin-1"))
    with pytest.raises(NorelmoError, match="latin1.conllu: cannot read CoNLL-U"):
        read_tagged_conllu(latin1)


def test_the_bundled_sentiment_sample_reads_as_labelled_token_lists():
    split = read_sentiment_split(ROOT / "resources" / "sample" / "sentiment" / "train.json")
    assert len(split) == 200 and {s.label for s in split} == {"Positive", "Negative"}
    assert split[0].sent_id == "sample-train-000" and split[0].tokens[-1] == "."


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"text": "a", "label": "Positive"}', r"expected a JSON list of \{text, label\} objects, found dict"),
        ("[]", "no sentences"),
        ('[{"sent_id": "s1", "text": "a b", "label": "Positive"},\n{"sent_id": "s2", "text": "c"', ":2: not JSON"),
        ('[{"sent_id": "s1", "text": "a", "label": "Positive"}, {"sent_id": "s2", "label": "Negative"}]',
         r"sentence 1 \(s2\): expected an object with a string 'text' and a 'label'"),
        ('[{"sent_id": "s1", "text": "a", "label": "Neutral"}]', r"sentence 0 \(s1\): label 'Neutral' is not one of"),
        ('[{"sent_id": "s1", "text": "  ", "label": "Negative"}]', r"sentence 0 \(s1\): empty text"),
    ],
)  # fmt: skip
def test_a_bad_sentiment_split_is_one_error_naming_file_and_sentence(tmp_path, content, message):
    path = tmp_path / "split.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NorelmoError, match=f"split\\.json{message if message.startswith(':') else ': ' + message}"):
        read_sentiment_split(path)


def test_norlm_csv_reads_as_pandas_read_it(tmp_path):
    """NorLM's split: `label,text`, no header, 1 positive, 0 negative, CSV quoting where the text has a comma."""
    path = tmp_path / "test.csv"
    path.write_text('0,Latskap fra kozefar .\n1,"Stor , men strålende ."\n\n1,"Han sa ""ja"" ."\n', encoding="utf-8")
    split = read_sentiment_split(path)
    assert [(s.label, s.tokens) for s in split] == [
        ("Negative", ["Latskap", "fra", "kozefar", "."]),
        ("Positive", ["Stor", ",", "men", "strålende", "."]),
        ("Positive", ["Han", "sa", '"ja"', "."]),
    ]
    assert [s.sent_id for s in split] == ["1", "2", "4"]  # the line each came from


@pytest.mark.parametrize(
    "content, message",
    [
        ("1,god film .\n2,dårlig .\n", r":2: label '2' is not 0 \(negative\) or 1 \(positive\)"),
        ("1,god film .\nPositive,dårlig .\n", r":2: label 'Positive' is not 0"),
        ("1,god film .\n0\n", r":2: expected label,text \(2 fields\), found 1"),
        ("1,god film .\n0,   \n", r":2: empty text"),
        ('1,god film .\n0,"en sitert tekst ."slutt\n', r":2: does not parse as CSV"),
        ("\n\n", r": no sentences"),
    ],
)
def test_a_bad_csv_split_is_one_error_naming_file_and_line(tmp_path, content, message):
    path = tmp_path / "train.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NorelmoError, match=f"^{path}{message}"):
        read_sentiment_split(path)


def test_the_shared_copy_of_norlm_split_has_its_published_counts():
    data = ROOT.parent / "shared" / "data" / "norlm-sentiment"
    if not data.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    counts = {split: len(read_sentiment_split(data / f"{split}.csv")) for split in ("train", "dev", "test")}
    assert counts == {"train": 2675, "dev": 516, "test": 417}
