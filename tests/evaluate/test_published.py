"""What the published table was measured on: NorLM's sentiment split by default, checked by sha1 when downloaded,
and a run's figure set beside a published column only when scored on that column's test split."""

from __future__ import annotations

import pytest

from norelmo.config import validate
from norelmo.download import Check, download, sha1_of
from norelmo.errors import NorelmoError
from norelmo.evaluate.published import (
    NOREC_FINE_SHA1,
    NORLM_SENTIMENT_SHA1,
    fine_test_split,
    known_sha1,
    norec_fine_url,
    norlm_sentiment_url,
    pos_test_split,
    seed_table,
    sentiment_test_split,
)

from ..conftest import DUMP, ROOT
from ..test_download import server  # noqa: F401 - the fixture: a real HTTP server on 127.0.0.1

SHARED = ROOT.parent / "shared" / "data" / "norlm-sentiment"


def test_every_variant_scores_sentiment_on_norlm_split_by_default():
    defaults = validate({"run": "r", "corpora": [{"name": "a", "text": "x.txt"}]})["evaluate"]
    assert {split: defaults[f"sentiment_{split}"] for split in ("train", "dev", "test")} == {
        split: norlm_sentiment_url(split) for split in ("train", "dev", "test")
    }
    assert all(known_sha1(norlm_sentiment_url(s))[0] == NORLM_SENTIMENT_SHA1[s] for s in ("train", "dev", "test"))


def test_every_variant_scores_fine_grained_sentiment_on_norec_fine_as_released_by_default():
    defaults = validate({"run": "r", "corpora": [{"name": "a", "text": "x.txt"}]})["evaluate"]
    splits = ("train", "dev", "test")
    assert {split: defaults[f"fine_{split}"] for split in splits} == {split: norec_fine_url(split) for split in splits}
    assert all(known_sha1(norec_fine_url(s))[0] == NOREC_FINE_SHA1[s] for s in splits)
    assert defaults["fine_epochs"] == 100 and defaults["fine_workers"] == 1  # a GPU's memory is not shared out


def test_the_recorded_sha1s_are_those_of_the_shared_copy():
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    assert {split: sha1_of(SHARED / f"{split}.csv") for split in NORLM_SENTIMENT_SHA1} == NORLM_SENTIMENT_SHA1
    fine = SHARED.parent / "norec-fine"
    assert {split: sha1_of(fine / f"{split}.json") for split in NOREC_FINE_SHA1} == NOREC_FINE_SHA1
    test = fine / "test.json"
    assert fine_test_split(test, 1272, sha1_of(test))["comparable"]


def test_a_download_that_is_not_norlm_file_is_refused_naming_the_split(server, tmp_path):  # noqa: F811
    sha1, source = known_sha1(norlm_sentiment_url("test"))
    with pytest.raises(NorelmoError, match=rf"sha1 is {sha1_of(DUMP)}, NorLM's test split at NorBERT 62bd357 .* says"):
        download(f"{server}/{DUMP.name}", tmp_path / "test.csv", Check(sha1, sha1_source=source), progress=False)
    assert list(tmp_path.iterdir()) == []


def run_result(split: dict) -> dict:
    return {"seed_42": 0.75, "mean": 0.74, "sd": 0.01, "seeds": [42, 43], "features_minutes": 1.0,
            "classifier_minutes": 0.5, "test_split": split}  # fmt: skip


def test_a_cell_sits_beside_the_published_column_only_on_its_test_split():
    norlm = sentiment_test_split("test.csv", 417, NORLM_SENTIMENT_SHA1["test"])
    released = sentiment_test_split("test.json", 583, "0" * 40)
    ud = pos_test_split("no_bokmaal-ud-test.conllu", 1939, "1" * 40)
    sample = pos_test_split("bokmaal-sample-test.conllu", 200, "2" * 40)
    assert norlm["comparable"] and ud["comparable"] and not released["comparable"] and not sample["comparable"]
    sentiment = {"methods": {"bow": run_result(norlm)}, "test_split": norlm}
    _, rows = seed_table("r", run_result(ud), sentiment)
    assert rows[0][1:3] == ["75.0 (1.5); 74.0 ± 1.0 over 2 seeds"] * 2
    sentiment = {"methods": {"bow": run_result(released)}, "test_split": released}
    _, rows = seed_table("r", run_result(sample), sentiment)
    assert rows[0][1].endswith("; not comparable: scored on bokmaal-sample-test.conllu (200 sentences)")
    assert rows[0][2].endswith("; not comparable: scored on test.json (583 sentences)")


def test_a_run_of_one_seed_shows_no_spread():
    """The NoReC rehearsal's fine-grained figure is one seed of 100 epochs: no '± 0.0 over 1 seeds'."""
    fine_split = fine_test_split("test.json", 1272, NOREC_FINE_SHA1["test"])
    one = run_result(fine_split) | {"seeds": [42], "mean": 0.75, "sd": 0.0}
    _, rows = seed_table("r", None, None, one)
    assert rows[0][3] == "75.0 (1.5); one seed"
