"""The newspaper corpus's archives as they may really ship, beyond the layouts its reader was first written for:
the written standard marked inside nested archives, members that are not articles, tars cut at or inside a
header, year tars of one .tar.gz per newspaper, section 1 as tarred folders, and files in UTF-8 that declare
ISO-8859-1. No article lost or invented, no archive silently empty, nothing written on a cut archive."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from collections import Counter

import pytest

from norelmo.errors import NorelmoError
from norelmo.report import _archive_table
from norelmo.text.nak import shard_articles
from norelmo.wiki.shards import extract_nak_shard

from .test_nak import RUNNING, TOKENS, add, read_all, xml


def targz(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in members.items():
            add(tar, name, data)
    return out.getvalue()


def write_zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def write_tar(path, members: dict[str, bytes]):
    """A tar at `path`, a file or a BytesIO."""
    with tarfile.open(fileobj=path, mode="w") if isinstance(path, io.BytesIO) else tarfile.open(path, "w") as tar:
        for name, data in members.items():
            add(tar, name, data)
    return path


def titles(archives, standard):
    return [a[0] for a in read_all(archives, standard)]


def shard_stats(archives, standard, shards=2):
    """Every shard's articles (their first paragraphs) and stats, as the extract jobs see them."""
    got, stats = [], []
    for k in range(shards):
        counts = Counter()
        got += [p[0] for p in shard_articles(archives, standard, k, shards, counts)]
        stats.append(counts)
    return sorted(got), stats


def archive_totals(stats: list[Counter], name: str) -> Counter:
    total = Counter()
    for s in stats:
        total.update(s["archives"][name])
    return total


def test_nynorsk_inside_a_section_3_newspaper_goes_to_nno_and_not_to_nob(tmp_path):
    """The standard is the article's own `nob`/`nno` folder inside the newspaper's .tar.gz, not the zip member's."""
    paper = targz({"sh/nob/2010/1.xml": xml("Bokmålssak"), "sh/nno/2010/2.xml": xml("Nynorsksak")})
    path = write_zip(
        tmp_path / "norsk_aviskorpus.zip", {"3/sh.tar.gz": paper, "3/dt.tar.gz": targz({"dt/1.xml": xml("Umerket")})}
    )
    assert titles([path], "nno") == ["Nynorsksak"]
    assert titles([path], "nob") == ["Bokmålssak", "Umerket"]  # no folder names the standard: Bokmål, counted
    got, stats = shard_stats([path], "nob")
    assert got == ["Bokmålssak", "Umerket"]
    totals = archive_totals(stats, path.name)
    assert (totals["articles_nob"], totals["articles_nno"], totals["articles_unmarked"]) == (2, 0, 1)
    assert totals["articles_other_standard"] == 1  # the Nynorsk one, met but not read for nob


def test_members_that_are_not_articles_are_skipped_and_counted(tmp_path):
    """A DTD, a readme and an HTML copy beside the articles are not text; NorBERT read section 2's .txt files."""
    articles = targz({
        "dt/nob/document.dtd": b"<!ELEMENT document (head, body)>\n",
        "dt/README": b"Dagbladet 2009-2011, ett dokument per artikkel.\n",
        "dt/nob/2010/1.xml": xml("Valget i 2009"),
    })  # fmt: skip
    running = targz(
        {"ap/2006/03.txt": RUNNING.encode("latin-1"), "ap/2006/03.html4": b"<html><body>" + RUNNING.encode("latin-1")}
    )
    path = write_zip(tmp_path / "norsk_aviskorpus.zip", {"2/ap.tar.gz": running, "3/dt.tar.gz": articles})
    got, stats = shard_stats([path], "nob")
    assert got == ["En lang setning om teater i Oslo .", "Neste sak handler om fotball .", "Valget i 2009"]
    assert archive_totals(stats, path.name)["members_skipped"] == 3
    assert sum(s["members_skipped"] for s in stats) == 3  # counted once, not by every shard


CUTS = {  # where the year tar is cut (member ends: `ends`), and how the error says it ends
    "at a header": (lambda data, ends: data[: ends[1]], "without its end-of-archive blocks"),
    "inside a header": (lambda data, ends: data[: ends[1] + 100], "inside a header"),
    "before its end blocks": (lambda data, ends: data[: ends[2]], "without its end-of-archive blocks"),
    "after one end block": (lambda data, ends: data[: ends[2] + 512], "with one of its two end-of-archive blocks"),
    "at garbage": (lambda data, ends: data[: ends[1]] + b"not a tar header " * 40, "at a header that does not parse"),
}


@pytest.mark.parametrize("cut", CUTS)
def test_a_tar_cut_at_or_inside_a_header_is_one_error_and_nothing_is_written(tmp_path, cut):
    whole = write_tar(tmp_path / "nak_2014.tar", {f"2014/nob/a/{k}.xml": xml(f"Sak {k}") for k in range(3)})
    with tarfile.open(whole) as tar:
        ends = [m.offset_data + -(-m.size // 512) * 512 for m in tar.getmembers()]
    bad = tmp_path / "cut" / whole.name
    bad.parent.mkdir()
    cut_at, how = CUTS[cut]
    bad.write_bytes(cut_at(whole.read_bytes(), ends))
    out = tmp_path / "out"
    for shard in (0, 1):
        with pytest.raises(
            NorelmoError, match=rf"^{bad}: truncated or corrupt archive: it ends {how}, after 2014/nob/a/"
        ):
            extract_nak_shard([bad], "nob", shard, 2, out / f"shard-{shard}.txt", out / f"shard-{shard}.json")
    assert not out.exists() or not any(out.iterdir())


def test_a_newspaper_tar_gz_cut_inside_a_header_is_one_error(tmp_path):
    data = io.BytesIO()
    write_tar(data, {f"vl/nob/{k}.xml": xml(f"Sak {k}") for k in range(3)})
    paper = gzip.compress(data.getvalue()[: 512 * 4 + 50])  # whole gzip, its tar cut in the third header
    path = write_tar(tmp_path / "nak_2013.tar", {"2013/vl.tar.gz": paper})
    with pytest.raises(
        NorelmoError, match=rf"{path}: 2013/vl.tar.gz: truncated .* inside a header, after vl/nob/1.xml"
    ):
        list(shard_articles([path], "nob", 0, 1, Counter()))


def test_a_year_tar_of_one_tar_gz_per_newspaper_reads_like_the_xml_folders(tmp_path):
    """notram's guide unpacks nak_2012.tar, then `????/*.tar.gz`: a year may hold one .tar.gz per newspaper."""
    nested = write_tar(tmp_path / "nak_2013.tar", {
        "2013/vl.tar.gz": targz({"vl/nob/1.xml": xml("Bokmål én"), "vl/nno/2.xml": xml("Nynorsk éin")}),
        "2013/ap.tar.gz": targz({"ap/nob/1.xml": xml("Bokmål to")}),
    })  # fmt: skip
    assert titles([nested], "nob") == ["Bokmål én", "Bokmål to"]
    assert titles([nested], "nno") == ["Nynorsk éin"]
    got, stats = shard_stats([nested], "both", shards=3)
    assert got == ["Bokmål to", "Bokmål én", "Nynorsk éin"]
    assert (archive_totals(stats, nested.name)["articles_nob"], archive_totals(stats, nested.name)["articles_nno"]) == (
        2,
        1,
    )


def test_an_archive_with_no_article_is_an_error_naming_it_and_the_layouts(tmp_path):
    empty = write_tar(tmp_path / "nak_2015.tar", {"2015/LESMEG.pdf": b"%PDF-1.4", "2015/info.html": b"<html/>"})
    with pytest.raises(
        NorelmoError, match=rf"^{empty}: no article: looked for XML articles .*; found 1 .pdf files, 1 .html files$"
    ):
        list(shard_articles([empty], "nob", 0, 1, Counter()))
    html_only = targz({"ap/2006/03.html4": b"<html><body>" + RUNNING.encode("latin-1")})
    path = write_zip(
        tmp_path / "norsk_aviskorpus.zip",
        {"2/ap.tar.gz": html_only, "3/dt.tar.gz": targz({"dt/nob/1.xml": xml("Sak")})},
    )
    with pytest.raises(NorelmoError, match=rf"^{path}: 2/: no article in this section: .*found 1 .html4 files"):
        list(shard_articles([path], "nob", 0, 1, Counter()))


def test_section_1_as_a_gzipped_tar_of_a_folder_reads_like_the_plain_gzip(tmp_path):
    """Some readers of the unpacked corpus name `1/19981013-20010307/alle-981013-010307`: a tarred folder."""
    folder = io.BytesIO()
    write_tar(folder, {"19981013-20010307/alle-981013-010307": TOKENS.encode("latin-1")})
    plain = write_zip(tmp_path / "plain.zip", {"1/19981013-20010307.gz": gzip.compress(TOKENS.encode("latin-1"))})
    tarred = write_zip(tmp_path / "tarred.zip", {"1/19981013-20010307.gz": gzip.compress(folder.getvalue())})
    assert read_all([tarred]) == read_all([plain]) == [["Oslo fikk «snø» (mye).", "Det var kaldt!"], ["Kongen talte"]]
    odd = write_zip(tmp_path / "odd.zip", {"1/19981013-20010307.gz": gzip.compress(b"%PDF-1.4 binary")})
    with pytest.raises(NorelmoError, match=r"1/19981013-20010307.gz: neither a tar nor token-per-line or running text"):
        read_all([odd])


def test_utf8_files_that_declare_iso_8859_1_are_decoded_from_their_bytes_and_counted(tmp_path):
    declared_latin1_but_utf8 = xml("Mørketid i Tromsø").decode("latin-1").encode("utf-8")
    declared_utf8_but_latin1 = xml("Sørlandet").replace(b'encoding="ISO-8859-1"', b'encoding="UTF-8"')
    path = write_tar(tmp_path / "nak_2016.tar", {
        "2016/nob/1.xml": declared_latin1_but_utf8,
        "2016/nob/2.xml": declared_utf8_but_latin1,
        "2016/nob/3.xml": xml("Ærlig talt"),  # Latin-1 as declared
        "2016/nob/4.xml": xml("Ålesund").decode("latin-1").replace("ISO-8859-1", "UTF-8").encode("utf-8"),
    })  # fmt: skip
    got, stats = shard_stats([path], "nob")
    assert got == ["Mørketid i Tromsø", "Sørlandet", "Ålesund", "Ærlig talt"]
    totals = archive_totals(stats, path.name)
    assert totals["articles_decoded_against_declaration"] == 2 and totals["articles_unreadable"] == 0
    utf8_tokens = write_zip(tmp_path / "norsk_aviskorpus.zip", {"1/x.gz": gzip.compress(TOKENS.encode("utf-8"))})
    assert read_all([utf8_tokens])[0] == ["Oslo fikk «snø» (mye).", "Det var kaldt!"]


def test_each_archive_is_summed_in_the_shard_stats(tmp_path):
    year = write_tar(
        tmp_path / "nak_2017.tar", {f"2017/nob/{k}.xml": xml(f"Sak {k}") for k in range(5)} | {"2017/nob/x.dtd": b""}
    )
    out = tmp_path / "out"
    for k in range(2):
        extract_nak_shard([year], "nob", k, 2, out / f"shard-{k}.txt", out / f"shard-{k}.json")
    stats = [json.loads((out / f"shard-{k}.json").read_text()) for k in range(2)]
    assert sum(s["documents"] for s in stats) == 5
    assert [s["archives"]["nak_2017.tar"]["articles_nob"] for s in stats] == [3, 2]
    assert sum(s["archives"]["nak_2017.tar"]["members_skipped"] for s in stats) == 1
    summary = _archive_table([out / f"shard-{k}.json" for k in range(2)])  # the run summary's table
    row = summary.split("<tr><td>out: nak_2017.tar</td>")[1].split("</tr>")[0]
    assert row.startswith("<td>5</td><td>0</td><td>0</td><td>0</td><td>1</td>")
