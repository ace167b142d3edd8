"""Bounded fuzzing: the wikitext cleaner and the dump reader never crash, only raise the project's own errors."""

import bz2

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from norelmo.errors import NorelmoError
from norelmo.wiki.clean import clean_wikitext
from norelmo.wiki.namespaces import LinkRules
from norelmo.wiki.shards import clean_capped, extract_dump_shard

RULES = LinkRules.from_namespaces({6: ["Fil"], 14: ["Kategori"]})
PIECES = [
    "{{", "}}", "[[", "]]", "|", "{|", "|}", "|-", "!", "<ref>", "</ref>", "<ref name=a/>", "<!--", "-->", "==", "'''",
    "''", "*", "#", ":", "&nbsp;", "&amp;", "<math>", "</math>", "<nowiki>", "</nowiki>", "Fil:", "Kategori:", "en:",
    "[http://x.no", "]", "<div>", "</div>", "\n", " ", "Oslo", "æøå", "=", "{{{", "}}}", "__TOC__", "~~~~",
]  # fmt: skip
wikitext = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=60).map("".join)
SETTINGS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@SETTINGS
@given(wikitext)
def test_cleaner_returns_clean_lines_for_any_wikitext(text):
    lines = clean_wikitext(text, RULES)
    assert all(line == line.strip() and "\n" not in line and line for line in lines)
    assert not any("<ref" in line for line in lines)


@SETTINGS
@given(wikitext)
def test_capped_cleaning_never_raises(text):
    paragraphs, limit = clean_capped(text, RULES)
    assert limit in (None, "capped", "timed_out")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzzdumps")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=400), st.booleans())
def test_dump_reader_raises_only_its_own_errors(workdir, data, compress):
    dump = workdir / "fuzz.xml.bz2"
    dump.write_bytes(bz2.compress(data) if compress else data)
    try:
        extract_dump_shard(dump, None, 0, 1, workdir / "out.txt", workdir / "out.json")
    except NorelmoError as exc:
        assert str(dump) in str(exc)
        assert not (workdir / "out.txt").exists()
