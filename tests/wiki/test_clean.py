"""Each cleaning rule on real-looking nowiki wikitext."""

import pytest

from norelmo.wiki.clean import clean_wikitext, is_redirect_text
from norelmo.wiki.namespaces import LinkRules

RULES = LinkRules.from_namespaces({6: ["Fil"], 14: ["Kategori"]})


def clean(text: str) -> str:
    return "\n".join(clean_wikitext(text, RULES))


def test_nested_templates_and_infobox_are_dropped():
    text = "{{Infoboks by\n| navn = Oslo\n| folketall = {{formatnum:693494}}\n}}\nOslo er hovedstaden i Norge."
    assert clean(text) == "Oslo er hovedstaden i Norge."


def test_refs_with_content_and_self_closing_refs_are_dropped():
    text = 'Byen ble grunnlagt i 1048.<ref>{{Kilde bok|tittel=Historie}} Side 12</ref> Den vokste.<ref name="a" />'
    assert clean(text) == "Byen ble grunnlagt i 1048. Den vokste."


def test_file_links_lose_all_their_parameters_in_any_alias():
    text = (
        "Før.\n[[Fil:Oslo.jpg|mini|200px|Utsikt over [[Oslo]]]]\n"
        "[[Bilde:Kart.png|thumb|left|Kart]]\n[[File:X.png|px]]\nEtter."
    )
    out = clean(text)
    assert out == "Før.\nEtter."
    for leak in ("mini", "200px", "thumb", "Kart", "Utsikt"):
        assert leak not in out


def test_category_and_interlanguage_links_are_dropped_but_inline_interwiki_text_kept():
    text = (
        "Tekst om byen.\n[[Kategori:Byer i Norge|Oslo]]\n[[Category:Capitals]]\n[[en:Oslo]]\n"
        "[[zh-min-nan:Oslo]]\n[[:en:Oslo|engelsk artikkel]] finnes."
    )
    assert clean(text) == "Tekst om byen.\nengelsk artikkel finnes."


def test_links_keep_their_text_and_piped_links_their_label():
    assert clean("[[Oslo kommune|Oslo]] ligger ved [[Oslofjorden]].") == "Oslo ligger ved Oslofjorden."


def test_tables_comments_and_math_are_dropped():
    text = (
        'Start.<!-- skjult -->\n{| class="wikitable"\n! År !! Folketall\n|-\n| 2020 || 693 494\n|}\n'
        "Formel <math>x^2</math> her."
    )
    assert clean(text) == "Start.\nFormel her."


def test_headings_lists_and_paragraphs_each_get_a_line():
    text = (
        "Innledning.\n== Historie ==\nFørste avsnitt.\n\nAndre avsnitt.\n* punkt en\n# punkt to\n=== Kultur ===\nSlutt."
    )
    assert clean(text).split("\n") == [
        "Innledning.",
        "Historie",
        "Første avsnitt.",
        "Andre avsnitt.",
        "punkt en",
        "punkt to",
        "Kultur",
        "Slutt.",
    ]


def test_entities_bold_italic_nowiki_and_nbsp_are_normalized():
    text = "'''Oslo''' og ''Bergen''&nbsp;er byer &amp; kommuner. <nowiki>[[ikke lenke]]</nowiki>\u00a0ja."
    assert clean(text) == "Oslo og Bergen er byer & kommuner. [[ikke lenke]] ja."


def test_external_links_keep_label_and_drop_bare_urls():
    assert clean("Se [https://snl.no/Oslo Store norske leksikon] og https://example.org her.") == (
        "Se Store norske leksikon og her."
    )


@pytest.mark.parametrize("text", ["#OMDIRIGERING [[Oslo]]", "#REDIRECT [[Oslo]]", "  #omdirigering[[Oslo]]"])
def test_redirects_are_recognized_in_both_languages(text):
    assert is_redirect_text(text)


def test_ordinary_text_is_not_a_redirect():
    assert not is_redirect_text("Oslo er en by. #1 på lista.")


def test_a_table_that_does_not_parse_still_leaves_no_rows():
    text = 'Før.\n{| class="wikitable" font-size:80%;"\n|+ Tittel\n! År !! Tall\n|-\n| 2020 || 5\n|}\nEtter.'
    assert clean(text) == "Før.\nEtter."


def test_refs_and_file_links_left_as_text_by_the_parser_are_removed():
    # An unclosed <div> makes mwparserfromhell read what follows as text.
    text = (
        "<div>Start. Byen vokste.<ref>{{cite web |url= |title=Bok}}</ref> Den er stor.<ref name=x/>"
        " [[Fil:Kart.svg|thumb|Kart over [[Oslo]]]] Slutt."
    )
    out = clean(text)
    assert "<ref" not in out and "thumb" not in out and "Kart over" not in out
    assert out.startswith("Start. Byen vokste.") and out.endswith("Slutt.")
