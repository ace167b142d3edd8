"""The fine-grained sentiment task's parts that stand without the parser: NoReC_fine read with one error per bad
opinion, Sentiment Graph F1 on hand-made cases, and the head-final graph encoding and its way back."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from norelmo.errors import NorelmoError
from norelmo.evaluate.fine_data import Opinion, opinion_json, read_norec_fine
from norelmo.evaluate.opinion_graph import decode, encode
from norelmo.evaluate.sentiment_graph_f1 import sentiment_graph_f1

from ..conftest import ROOT

TEXT = "Hun avslutter , lurt nok , med sin aller største hit ."
TOKENS = TEXT.split()


def op(expression, target=(), holder=(), polarity="Positive") -> Opinion:
    return Opinion(frozenset(holder), frozenset(target), frozenset(expression), polarity)


def f1(gold, predicted) -> dict:
    return sentiment_graph_f1([gold], [predicted])


def test_an_exact_match_scores_1_and_nothing_predicted_scores_0():
    gold = [op({1, 2, 3, 4}, target={0}), op({8, 9, 10})]
    assert f1(gold, gold)["f1"] == 1.0
    assert f1(gold, [])["f1"] == 0.0 and f1(gold, [])["recall"] == 0.0


def test_partial_overlap_is_weighted_by_the_predicted_span_for_precision_and_the_gold_span_for_recall():
    gold = [op({1, 2, 3, 4}, target={0})]
    predicted = [op({3, 4}, target={0})]  # half the gold expression
    scores = f1(gold, predicted)
    assert scores["precision"] == pytest.approx((1 + 1 + 1) / 3)  # the predicted spans lie inside gold's
    assert scores["recall"] == pytest.approx((1 + 1 + 0.5) / 3)  # holders both empty: 1; target 1; expression 2/4


def test_a_discontinuous_span_is_the_union_of_its_parts():
    gold = [op({1, 4, 5})]
    assert f1(gold, [op({5})])["recall"] == pytest.approx((1 + 1 + 1 / 3) / 3)


def test_an_empty_holder_matches_only_an_empty_one():
    gold = [op({1}, target={0})]
    assert f1(gold, [op({1}, target={0}, holder={7})])["f1"] == 0.0
    assert f1([op({1}, target={0}, holder={7})], [op({1}, target={0}, holder={7, 8})])["precision"] == pytest.approx(
        (0.5 + 1 + 1) / 3
    )


def test_a_polarity_mismatch_does_not_count():
    assert f1([op({1}, polarity="Positive")], [op({1}, polarity="Negative")])["f1"] == 0.0


def test_among_two_gold_tuples_the_better_overlap_counts():
    gold = [op({1, 2, 3, 4}), op({3, 4})]
    predicted = [op({3, 4})]
    assert f1(gold, predicted)["precision"] == 1.0  # the exact gold tuple, not the first that overlaps
    assert f1(gold, predicted)["recall"] == pytest.approx(((1 + 1 + 0.5) / 3 + 1) / 2)


def test_the_graph_round_trip_gives_the_opinions_back():
    opinions = [op({1, 2, 3, 4}, target={0}), op({8, 9, 10}, holder={6, 7}, polarity="Negative")]
    edges, dropped = encode(opinions)
    assert dropped == 0
    assert edges[(0, 5)] == "exp-Positive" and edges[(5, 1)] == "targ" and edges[(5, 2)] == "IN:exp-Positive"
    assert sorted(decode(edges), key=lambda o: min(o.expression)) == opinions


def test_opinions_that_ask_two_labels_of_one_pair_lose_one_and_say_so():
    # The same token heads one opinion's target and another's holder, under the same expression head.
    edges, dropped = encode([op({3}, target={0}), op({3}, holder={0})])
    assert dropped == 1 and decode(edges) == [op({3}, target={0})]


def write_split(tmp_path, opinions) -> str:
    path = tmp_path / "dev.json"
    path.write_text(json.dumps([{"sent_id": "s-1", "text": TEXT, "opinions": opinions}]), encoding="utf-8")
    return path


OPINION = {"Source": [[], []], "Target": [["Hun"], ["0:3"]], "Polar_expression": [["lurt nok"], ["16:24"]],
           "Polarity": "Positive"}  # fmt: skip


def test_a_split_reads_as_token_sets_and_null_polarities_are_skipped_and_counted(tmp_path):
    discontinuous = OPINION | {"Polar_expression": [["avslutter", "lurt nok"], ["4:13", "16:24"]]}
    skipped = Counter()
    (sentence,) = read_norec_fine(write_split(tmp_path, [discontinuous, OPINION | {"Polarity": None}]), skipped)
    assert sentence.opinions == [op({1, 3, 4}, target={0})] and skipped["null_polarity"] == 1
    assert opinion_json(TOKENS, sentence.opinions[0])["Polar_expression"] == [
        ["avslutter", "lurt nok"],
        ["4:13", "16:24"],
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"Polar_expression": [["hit ."], ["48:80"]]}, r"offset 48:80 is outside the text"),
        ({"Polar_expression": [["urt nok"], ["17:24"]]}, r"offset 17:24 \('urt nok'\) does not start and end on token"),
        ({"Polarity": "Neutral"}, r"polarity 'Neutral' is not Positive, Negative or null"),
        ({"Target": [["Hun"], []]}, r"Target: 1 strings but 0 offsets"),
        ({"Target": "Hun"}, r"Target: expected \[\[strings\]"),
    ],
)
def test_bad_opinions_are_one_error_naming_file_and_sentence(tmp_path, change, message):
    path = write_split(tmp_path, [OPINION | change])
    with pytest.raises(NorelmoError, match=rf"^{path}: s-1: opinion 0: .*{message}"):
        read_norec_fine(path)


def test_the_release_reads_whole_and_its_graphs_keep_most_opinions():
    data = ROOT.parent / "shared" / "data" / "norec-fine"
    if not data.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    skipped = Counter()
    splits = {name: read_norec_fine(data / f"{name}.json", skipped) for name in ("train", "dev", "test")}
    assert [len(s) for s in splits.values()] == [8634, 1531, 1272]
    assert [sum(len(x.opinions) for x in s) for s in splits.values()] == [8446, 1432, 1235]
    assert skipped["null_polarity"] == 2
    gold = [s.opinions for s in splits["dev"]]
    assert 0.95 < sentiment_graph_f1(gold, [decode(encode(o)[0]) for o in gold])["f1"] < 1.0  # the encoding is lossy
