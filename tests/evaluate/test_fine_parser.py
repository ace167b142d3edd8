"""The fine-grained task's graph parser: its inputs, that it learns, and the task's result and predictions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from norelmo.errors import NorelmoError
from norelmo.evaluate.fine import FineData, evaluate_fine, labelled_edge_f1, predict_edges, train_parser
from norelmo.evaluate.fine_data import read_norec_fine
from norelmo.evaluate.graph_inputs import Vocabularies, bucketed, edges_of, gold_matrix, make_batch, word_key
from norelmo.evaluate.graph_parser import ParserSizes
from norelmo.evaluate.opinion_graph import decode
from norelmo.evaluate.published import seed_table
from norelmo.evaluate.sentiment_graph_f1 import sentiment_graph_f1

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "sample" / "fine"
# A parser small enough to learn the sample's opinions in a minute on 2 cores (NorLM's: 3 x 200, lr 1e-3).
SMALL = ParserSizes(lstm_units=64, lstm_layers=1, mlp_dim=64, learning_rate=5e-3)


def test_inputs_keep_every_sentence_its_gold_and_its_features():
    sentences = read_norec_fine(SAMPLE / "train.json")
    data = FineData(sentences, [np.full((len(s.tokens), 4), k, np.float32) for k, s in enumerate(sentences)])
    vocab = Vocabularies.from_sentences(data.tokens)
    seen = []
    for index in bucketed([len(t) for t in data.tokens], 50, np.random.default_rng(0)):
        batch = make_batch(index, data.tokens, vocab, data.elmo, data.gold)
        seen.extend(index.tolist())
        for row, k in enumerate(index):
            n = len(data.tokens[k])
            assert batch.lengths[row] == n and (batch.elmo[row, :n] == k).all() and not batch.elmo[row, n:].any()
            assert edges_of(batch.gold[row, : n + 1, : n + 1]) == data.edges[k]
            forms = [data.tokens[k][j] for j in range(n)]
            assert [batch.type_chars[batch.type_index[row, j]][0] for j in range(n)] == [
                vocab.chars[f[0]] for f in forms
            ]
    assert sorted(seen) == list(range(len(sentences)))
    _, history = train_parser(data, data, vocab, 1, 42, sizes=SMALL)  # the ELMo input's path through the parser
    assert history[0]["loss"] > 0
    assert word_key("1999") == word_key("3,5") == "NUM" and word_key("Boka") == "boka"
    edges = {(0, 3): "exp-Positive", (3, 2): "IN:exp-Positive", (3, 1): "targ"}
    assert edges_of(gold_matrix(edges, 4)) == edges


def test_the_parser_learns_the_sample_opinions(tmp_path):
    """Word and character inputs only (no ELMo): the sample's verdicts and their targets are learnable from forms.
    An untrained parser finds no opinion; after training, most test opinions come back."""
    split = {name: read_norec_fine(SAMPLE / f"{name}.json") for name in ("train", "dev", "test")}
    data = {name: FineData(sentences, None) for name, sentences in split.items()}
    vocab = Vocabularies.from_sentences(data["train"].tokens)
    untrained, _ = train_parser(data["train"], data["dev"], vocab, 1, 42, sizes=ParserSizes(learning_rate=1e-9))
    gold = [s.opinions for s in split["test"]]

    def score(trainer) -> float:
        return sentiment_graph_f1(gold, [decode(e) for e in predict_edges(trainer, data["test"], vocab)])["f1"]

    trainer, history = train_parser(data["train"], data["dev"], vocab, 60, 42, sizes=SMALL)
    best = max(h["dev_labelled_edge_f1"] for h in history)
    assert labelled_edge_f1(data["dev"].edges, predict_edges(trainer, data["dev"], vocab)) == best  # best epoch kept
    assert score(untrained) < 0.1 and score(trainer) > 0.6


def test_the_task_writes_its_figure_and_predictions_that_rescore_to_it(tmp_path):
    result, predictions = evaluate_fine(
        None, SAMPLE / "train.json", SAMPLE / "dev.json", SAMPLE / "test.json", epochs=3, seeds=2, sizes=SMALL
    )
    assert result["seeds"] == [42, 43] and result["epochs"] == 3 and 1 <= result["best_epoch"] <= 3
    assert result["sentences"] == {"train": 200, "dev": 60, "test": 60}
    assert result["graph"]["test_round_trip"]["f1"] == 1.0  # the sample's opinions never share a head
    assert not result["test_split"]["comparable"] and result["test_split"]["sentences"] == 60
    # The predictions are NoReC_fine JSON: any scorer reads them; this one gives the seed-42 figure back.
    path = tmp_path / "predictions.json"
    path.write_text(json.dumps(predictions), encoding="utf-8")
    again = sentiment_graph_f1(
        [s.opinions for s in read_norec_fine(SAMPLE / "test.json")], [s.opinions for s in read_norec_fine(path)]
    )
    assert again["f1"] == result["seed_42"] and again["precision"] == result["precision"]
    _, rows = seed_table("sample", None, None, result)
    assert rows[0][3].startswith(f"{100 * result['seed_42']:.1f}") and "not comparable" in rows[0][3]


def test_the_fused_bilstm_equals_keras_bidirectional_lstm_on_sequences_of_several_lengths():
    import tensorflow as tf

    from norelmo.evaluate.bilstm import fused_bilstm
    from norelmo.evaluate.classifiers import keras_module

    keras = keras_module()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 7, 5)).astype(np.float32)
    lengths = np.array([7, 3, 1, 5], np.int32)
    reference = keras.layers.Bidirectional(keras.layers.LSTM(6, return_sequences=True))
    expected = reference(x, mask=tf.sequence_mask(lengths, 7)).numpy()
    fused = fused_bilstm(6)
    fused(x, lengths)  # builds its weights
    (kf, rf, bf), (kb, rb, bb) = (reference.forward_layer.get_weights(), reference.backward_layer.get_weights())
    fused.set_weights([np.stack([kf, kb]), np.stack([rf, rb]), np.stack([bf, bb])])
    found = fused(x, lengths).numpy()
    for row, n in enumerate(lengths):
        np.testing.assert_allclose(found[row, :n], expected[row, :n], atol=1e-5)
    # Training draws a recurrent-dropout mask; without training, none.
    dropped = fused_bilstm(6, recurrent_dropout=0.5)
    dropped(x, lengths)
    dropped.set_weights(fused.get_weights())
    np.testing.assert_allclose(dropped(x, lengths).numpy(), found, atol=1e-6)
    assert np.abs(dropped(x, lengths, training=True).numpy() - found).max() > 1e-3


def test_no_epoch_no_seed_or_no_worker_is_one_error_before_any_work():
    for epochs, seeds, workers in ((0, 1, 1), (3, 0, 1), (3, 1, 0)):
        with pytest.raises(NorelmoError, match="at least one epoch, one seed and one worker"):
            files = (SAMPLE / "train.json", SAMPLE / "dev.json", SAMPLE / "test.json")
            evaluate_fine(None, *files, epochs, seeds, workers=workers)


def test_seeds_trained_side_by_side_in_worker_processes_give_each_seed_its_own_figures():
    """`workers`: seeds in spawned processes at once; each seed's parser is the one it trains alone."""
    files = (SAMPLE / "train.json", SAMPLE / "dev.json", SAMPLE / "test.json")
    alone, _ = evaluate_fine(None, *files, epochs=2, seeds=2, sizes=SMALL)
    side_by_side, predictions = evaluate_fine(None, *files, epochs=2, seeds=2, sizes=SMALL, workers=2)
    assert side_by_side["workers"] == 2 and alone["workers"] == 1
    for a, b in zip(alone["runs"], side_by_side["runs"], strict=True):
        assert a["seed"] == b["seed"] and a["f1"] == b["f1"]
        assert [h["loss"] for h in a["history"]] == pytest.approx([h["loss"] for h in b["history"]], rel=1e-5)
    assert len(predictions) == 60
