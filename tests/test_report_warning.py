"""The run summary warns when one direction's held-out perplexity is far off the other's."""

import json

from norelmo.report import direction_warning, write_summary


def test_direction_warning_names_the_broken_direction_only_past_10x():
    assert direction_warning({"forward": 612.0, "backward": 5900.0}) is None
    text = direction_warning({"forward": 612.0, "backward": 51_284_723_551.0})
    assert "backward" in text and "83,798,568 times" in text
    assert "forward LM" in direction_warning({"forward": 7000.0, "backward": 600.0})


def test_summary_shows_the_warning_and_the_protocol(tmp_path):
    def dump(name, data):
        (tmp_path / name).write_text(json.dumps(data))
        return tmp_path / name

    stats = {"tokens": 10, "sentences": 2, "types": 5, "vocab_size": 5, "coverage": 1.0, "n_train_tokens": 10}
    train = {"batches": 1, "batches_per_epoch": 1, "resumed_from": 0, "final_loss": 2.0}
    heldout = tmp_path / "heldout.jsonl"
    heldout.write_text(json.dumps({"epoch": 1.0, "step": 1, "forward": 612.0, "backward": 5.1e10, "mean": 1.8e8}))
    perplexity = {"sentences": 2, "tokens": 10, "forward": 612.0, "backward": 700.0, "mean": 655.0, "protocol": "P"}
    out = tmp_path / "summary.html"
    write_summary("r", tmp_path, [], [], dump("s.json", stats), dump("t.json", train), heldout,
                  dump("p.json", perplexity), None, None, out)  # fmt: skip
    page = out.read_text()
    assert page.count("class='warning'") == 1 and "the backward LM" in page  # the epoch row, not the export
    assert "Scored as P." in page
