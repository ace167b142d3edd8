"""Bad dumps give one clear error naming the file and leave no shard behind; odd ones are handled."""

import bz2

import pytest

from norelmo.errors import NorelmoError
from norelmo.wiki.shards import MAX_PAGE_CHARS, extract_dump_shard

from ..conftest import DUMP, INDEX

SITEINFO = (
    '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="nb">\n'
    "<siteinfo><sitename>Wikipedia</sitename><dbname>nowiki</dbname><namespaces>"
    '<namespace key="0" case="first-letter" /><namespace key="6" case="first-letter">Fil</namespace>'
    "</namespaces></siteinfo>\n"
)


def page(page_id: int, title: str, text: str) -> str:
    return (
        f"<page><title>{title}</title><ns>0</ns><id>{page_id}</id><revision><id>{page_id}1</id>"
        f'<text xml:space="preserve">{text}</text></revision></page>\n'
    )


def extract(tmp_path, dump, index=None, **kw):
    out = tmp_path / "shard.txt"
    stats = extract_dump_shard(dump, index, 0, 1, out, tmp_path / "shard.json", **kw)
    return out, stats


def write_bz2(path, text: str, encoding="utf-8"):
    path.write_bytes(bz2.compress(text.encode(encoding)))
    return path


def assert_fails(tmp_path, dump, pattern, index=None):
    with pytest.raises(NorelmoError, match=pattern) as err:
        extract(tmp_path, dump, index)
    assert str(dump) in str(err.value)
    assert not (tmp_path / "shard.txt").exists() and not (tmp_path / "shard.json").exists()


def test_truncated_dump(tmp_path):
    cut = tmp_path / "cut-pages-articles.xml.bz2"
    cut.write_bytes(DUMP.read_bytes()[: DUMP.stat().st_size // 2])
    assert_fails(tmp_path, cut, "truncated")


def test_truncated_multistream_dump_with_its_index(tmp_path):
    cut = tmp_path / "cut-multistream.xml.bz2"
    cut.write_bytes(DUMP.read_bytes()[: DUMP.stat().st_size - 2000])
    assert_fails(tmp_path, cut, "truncated", index=INDEX)


def test_not_xml(tmp_path):
    assert_fails(tmp_path, write_bz2(tmp_path / "text.xml.bz2", "Dette er bare tekst.\n" * 10), "siteinfo")


def test_xml_without_siteinfo(tmp_path):
    dump = write_bz2(tmp_path / "nosite.xml.bz2", "<mediawiki>" + page(1, "Oslo", "Oslo er en by.") + "</mediawiki>")
    assert_fails(tmp_path, dump, "siteinfo")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.xml.bz2"
    empty.write_bytes(b"")
    assert_fails(tmp_path, empty, "empty")


def test_index_of_another_dump(tmp_path):
    lines = bz2.decompress(INDEX.read_bytes()).decode().splitlines()
    shifted = [f"{int(x.split(':', 1)[0]) + 7}:{x.split(':', 1)[1]}" for x in lines]
    index = tmp_path / "other-index.txt.bz2"
    index.write_bytes(bz2.compress(("\n".join(shifted) + "\n").encode()))
    assert_fails(tmp_path, DUMP, "belong to this dump", index=index)


def test_utf16_dump_reads_like_utf8(tmp_path):
    xml = bz2.decompress(b"".join([DUMP.read_bytes()])).decode("utf-8")
    utf16 = tmp_path / "utf16.xml.bz2"
    utf16.write_bytes(bz2.compress(xml.encode("utf-16")))  # with a byte-order mark, as old dumps have
    out16, stats16 = extract(tmp_path / "a", utf16)
    out8, stats8 = extract(tmp_path / "b", DUMP)
    assert out16.read_text(encoding="utf-8") == out8.read_text(encoding="utf-8")
    assert stats16 == stats8


def test_a_dump_with_no_articles_gives_an_empty_shard_and_says_so(tmp_path):
    dump = write_bz2(tmp_path / "noarticles.xml.bz2", SITEINFO + "</mediawiki>\n")
    out, stats = extract(tmp_path, dump)
    assert out.read_text() == "" and stats.get("articles_kept", 0) == 0 and stats.get("pages_seen", 0) == 0


def test_a_huge_page_is_capped_and_counted(tmp_path):
    huge = ("Oslo er en stor by. " * 50 + "\n\n") * (MAX_PAGE_CHARS // 1000 + 100)
    text = SITEINFO + page(1, "Stor", huge) + page(2, "Liten", "Bergen er en by.") + "</mediawiki>\n"
    out, stats = extract(tmp_path, write_bz2(tmp_path / "huge.xml.bz2", text))
    assert stats["pages_capped"] == 1 and stats["articles_kept"] == 2
    assert out.read_text(encoding="utf-8").endswith("Bergen er en by.\n\n")


def test_deeply_nested_templates_finish(tmp_path):
    nested = "{{a|" * 3000 + "x" + "}}" * 3000
    text = (
        SITEINFO + page(1, "Dyp", nested + " Tekst etter.") + page(2, "Neste", "Trondheim er en by.") + "</mediawiki>"
    )
    out, stats = extract(tmp_path, write_bz2(tmp_path / "deep.xml.bz2", text))
    assert "Trondheim er en by." in out.read_text(encoding="utf-8")
    assert stats["pages_seen"] == 2


def test_worker_processes_give_the_same_shard(tmp_path):
    one, stats_one = extract(tmp_path / "one", DUMP)
    two, stats_two = extract(tmp_path / "two", DUMP, workers=2)
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")
    assert stats_one == stats_two
