"""The fast cleaner (spans + inline rendering) against mwparserfromhell's reading, its reference: the same
lines, or lines with less leftover markup, on fuzzed wikitext and on a real enwiki excerpt."""

import pytest
from hypothesis import given

from norelmo.wiki.clean import clean_wikitext, is_redirect_text, parsed_lines
from norelmo.wiki.dump import iter_pages, open_dump
from norelmo.wiki.namespaces import LinkRules, namespace_names

from ..conftest import ROOT
from .test_fuzz import RULES, SETTINGS, wikitext

DUMPS = ROOT.parent / "shared" / "data" / "wiki-dumps"
ENWIKI = DUMPS / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
MARKUP = ["{{", "}}", "[[", "]]", "|", "<ref", "thumb", "px|", "Category:", "Kategori:", "&amp;", "&nbsp;", "''", "=="]


def markup(lines: list[str]) -> int:
    text = "\n".join(lines)
    return sum(text.count(m) for m in MARKUP)


def clean(text: str) -> str:
    return "\n".join(clean_wikitext(text, RULES))


@SETTINGS
@given(wikitext)
def test_fast_cleaner_matches_the_parser_or_leaves_less_markup(text):
    fast, reference = clean_wikitext(text, RULES), parsed_lines(text.replace("\x00", ""), RULES)
    assert fast == reference or markup(fast) <= markup(reference)


def test_a_bold_mark_after_italics_is_an_apostrophe():
    assert clean("''Iliad'''s hero, '''Oslo''''s port, ''x'' and '''y'''.") == "Iliad's hero, Oslo's port, x and y."


def test_italics_around_a_dropped_template_leave_no_apostrophes():
    assert clean("Tokyo (''{{lang|ja|東京}}'') is big.") == "Tokyo () is big."


def test_a_file_caption_over_several_lines_goes_whole():
    text = "Før.\n[[Fil:Kart.png|thumb|Første linje\nandre [[Oslo|linje]] ]]\nEtter."
    assert clean(text) == "Før.\nEtter."


def test_nowiki_content_stays_literal_with_its_entities_read():
    text = "Skriv <nowiki>[[ikke lenke]] og {{ikke mal}}</nowiki>&nbsp;slik &amp; <nowiki>''så''</nowiki>."
    assert clean(text) == "Skriv [[ikke lenke]] og {{ikke mal}} slik & ''så''."


def test_definition_terms_and_bare_urls():
    text = ";Historie\nSe https://snl.no/Oslo. Og (https://x.no/a) her."
    assert clean(text) == "Historie\nSe . Og () her."


def test_unbalanced_markup_leaves_the_page_to_the_parser():
    text = "Start {{mal uten slutt\nTekst videre."
    assert clean_wikitext(text, RULES) == parsed_lines(text, RULES)


@pytest.mark.slow
def test_on_real_articles_most_are_identical_and_none_lose_words_or_gain_markup():
    assert ENWIKI.is_file(), f"this test needs the enwiki excerpt in {ENWIKI.parent}"
    rules = LinkRules.from_namespaces(namespace_names(open_dump(ENWIKI).site_info))
    texts = [p.text for p in iter_pages(ENWIKI) if p.namespace == 0 and not is_redirect_text(p.text)]
    pairs = [(clean_wikitext(t, rules), parsed_lines(t, rules)) for t in texts]
    assert sum(fast == ref for fast, ref in pairs) >= 0.8 * len(pairs)
    for fast, ref in pairs:
        assert markup(fast) <= markup(ref)
        # A few words may go (a mark the parser left as text); whole sentences may not.
        assert len(" ".join(fast).split()) >= len(" ".join(ref).split()) - 5
