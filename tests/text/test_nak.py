"""The Norwegian Newspaper Corpus from archives built here in each of its published layouts (Latin-1 bytes, zip and
tar nesting, token-per-line and `##`-headed text, XML articles), read as streams and sharded."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import tarfile
import zipfile
from collections import Counter

import pytest

from norelmo.errors import NorelmoError
from norelmo.text.nak import archive_names, nak_articles, shard_articles

from ..conftest import BIN

ARTICLE = """<?xml version="1.0" encoding="ISO-8859-1"?>
<document><head><meta name="paper" content="{paper}"/></head>
<body><div type="title"><p>{title}</p></div><div type="byline"><p>Av Kari Nordmann</p></div>
<div type="caption"><p>Bilde: Bryggen i Bergen</p></div>
<div type="text"><p>{title} er en sak om søndagsvær.</p><p>Andre avsnitt
 over to linjer.</p></div></body></document>
"""
TOKENS = "\n".join(
    ["<U #http://www.aftenposten.no/1>", "<B ap>", "<A 98>", "<M 10>", "<D 13>", "Oslo", "fikk", "«", "snø", "»", "(",
     "mye", ")", ".", "|", "Det", "var", "kaldt", "!", "<U #http://www.aftenposten.no/2>", "<B ap>", "Kongen", "talte",
     "¶", ""]
)  # fmt: skip
RUNNING = (
    "##U #http://www.aftenposten.no/3>\n##B ap>\n##A 06>\nEn lang setning om teater i Oslo .\n|\nKort\n"
    "<i>Uthevet</i> tekst om æøå ¶\n##U #http://www.aftenposten.no/4>\n##B ap>\nNeste sak handler om fotball .\n"
)


def xml(title: str, paper: str = "aftenposten") -> bytes:
    return ARTICLE.format(title=title, paper=paper).encode("latin-1")


def add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def yearly_tar(folder, year: int, titles: dict[str, list[str]]):
    path = folder / f"nak_{year}.tar"
    with tarfile.open(path, "w") as tar:
        for standard, names in titles.items():
            for k, title in enumerate(names):
                add(tar, f"{year}/{standard}/avis{k % 2}/{k:04d}.xml", xml(title))
    return path


def old_zip(folder):
    """norsk_aviskorpus.zip: 1/ token-per-line gzip, 2/ a newspaper's running text and 3/ another's XML articles,
    each newspaper a tar.gz."""
    running, articles = io.BytesIO(), io.BytesIO()
    with tarfile.open(fileobj=running, mode="w:gz") as tar:
        add(tar, "ap/2006/03.txt", RUNNING.encode("latin-1"))
    with tarfile.open(fileobj=articles, mode="w:gz") as tar:
        add(tar, "dt/2010/art-1.xml", xml("Valget i 2009"))
    path = folder / "norsk_aviskorpus.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("1/", b"")
        zf.writestr("1/19981013-20010307.gz", gzip.compress(TOKENS.encode("latin-1")))
        zf.writestr("2/ap.tar.gz", running.getvalue())
        zf.writestr("3/dt.tar.gz", articles.getvalue())
    return path


def read_all(archives, standard="both") -> list[list[str]]:
    return [a.read()[0] for a in nak_articles(archives, standard)]


def test_the_archives_of_a_year_range():
    assert archive_names(1998, 2019) == ["norsk_aviskorpus.zip"] + [f"nak_{y}.tar" for y in range(2012, 2020)]
    assert archive_names(2015, 2016) == ["nak_2015.tar", "nak_2016.tar"]


def test_the_1998_to_2011_zip_in_its_three_layouts(tmp_path):
    articles = read_all([old_zip(tmp_path)])
    assert articles == [
        ["Oslo fikk «snø» (mye).", "Det var kaldt!"],  # token per line, detokenized, a sentence a paragraph
        ["Kongen talte"],  # ¶ ends the sentence and goes
        ["En lang setning om teater i Oslo .", "Uthevet tekst om æøå"],  # one-word lines, tags, ¶ and | go
        ["Neste sak handler om fotball ."],
        ["Valget i 2009", "Bilde: Bryggen i Bergen", "Valget i 2009 er en sak om søndagsvær.",
         "Andre avsnitt over to linjer."],  # title, caption, body; not the byline
    ]  # fmt: skip


def test_yearly_tars_by_written_standard(tmp_path):
    tar = yearly_tar(tmp_path, 2013, {"nob": ["Bokmål én", "Bokmål to"], "nno": ["Nynorsk éin"]})
    titles = {s: [a[0] for a in read_all([tar], s)] for s in ("nob", "nno", "both")}
    assert titles == {"nob": ["Bokmål én", "Bokmål to"], "nno": ["Nynorsk éin"],
                      "both": ["Bokmål én", "Bokmål to", "Nynorsk éin"]}  # fmt: skip


def test_shards_together_read_every_article_once(tmp_path):
    archives = [old_zip(tmp_path), yearly_tar(tmp_path, 2012, {"nob": [f"Sak {k}" for k in range(23)]})]
    whole = read_all(archives, "nob")
    for shards in (1, 2, 3, 8):
        got = [p for k in range(shards) for p in shard_articles(archives, "nob", k, shards, Counter())]
        assert sorted(map(tuple, got)) == sorted(map(tuple, whole)), shards


def test_an_article_that_is_not_xml_is_skipped_and_counted(tmp_path):
    path = tmp_path / "nak_2014.tar"
    with tarfile.open(path, "w") as tar:
        add(tar, "2014/nob/a/1.xml", xml("Hel sak"))
        add(tar, "2014/nob/a/2.xml", xml("Kuttet sak")[:150])  # cut short: not well-formed
        add(tar, "2014/nob/a/3.xml", xml("Styretegn \x01 i teksten"))  # a byte XML does not allow
        add(tar, "2014/nob/a/4.xml", xml("Siste sak"))
    stats = Counter()
    assert [a[0] for a in shard_articles([path], "nob", 0, 1, stats)] == ["Hel sak", "Siste sak"]
    assert stats["articles_unreadable"] == 2


def test_a_truncated_member_of_the_zip_is_one_error_naming_archive_and_member(tmp_path):
    whole = old_zip(tmp_path)
    with zipfile.ZipFile(whole) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    broken = tmp_path / "broken" / whole.name
    broken.parent.mkdir()
    with zipfile.ZipFile(broken, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data[: len(data) // 2] if name == "2/ap.tar.gz" else data)
    with pytest.raises(NorelmoError, match=rf"{broken}: 2/ap.tar.gz: truncated or corrupt member"):
        list(shard_articles([broken], "nob", 1, 2, Counter()))


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_a_truncated_archive_is_one_error_naming_it(tmp_path, kind):
    whole = old_zip(tmp_path) if kind == "zip" else yearly_tar(tmp_path, 2015, {"nob": ["A", "B", "C"]})
    data = whole.read_bytes()
    cut = tmp_path / "cut" / whole.name
    cut.parent.mkdir()
    cut.write_bytes(data[: len(data) * 2 // 3] if kind == "zip" else data[: 512 * 5 + 100])
    for shard, shards in ((0, 1), (0, 3)):  # also where the cut member is not this shard's, and is not read
        with pytest.raises(NorelmoError, match=rf"{cut}: .*truncated or corrupt"):
            list(shard_articles([cut], "nob", shard, shards, Counter()))


def test_the_workflow_shards_nak_from_a_local_copy_of_its_archives(tmp_path):
    """A `nak:` corpus through Snakemake's extract jobs, from a folder holding the archives (no network)."""
    from ..workflow.test_config_paths import sample_config
    from ..workflow.workdir import snakemake_at

    (tmp_path / "nak").mkdir()
    old_zip(tmp_path / "nak")
    yearly_tar(tmp_path / "nak", 2012, {"nob": [f"Sak {k}" for k in range(9)], "nno": ["Ei nynorsk sak"]})
    config = sample_config(tmp_path)
    config["corpora"] = [
        {"name": "nak", "nak": {"years": [2010, 2012], "standard": "nob", "archives": str(tmp_path / "nak")}}
    ]
    shards = [f"results/sample/text/nak/shard-{k}.json" for k in range(2)]
    proc = snakemake_at(tmp_path, config, *shards)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = [json.loads((tmp_path / s).read_text()) for s in shards]
    assert sum(s["documents"] for s in stats) == 5 + 9  # the zip's five articles and 2012's nine Bokmål ones
    text = "".join((tmp_path / s.replace(".json", ".txt")).read_text() for s in shards)
    assert "Ei nynorsk sak" not in text and "søndagsvær" in text and "«snø»" in text


def test_extract_reads_a_folder_of_nak_archives_from_the_command_line(tmp_path):
    (tmp_path / "nak").mkdir()
    yearly_tar(tmp_path / "nak", 2016, {"nob": ["En", "To", "Tre"], "nno": ["Fire"]})
    cmd = [str(BIN / "norelmo"), "extract", str(tmp_path / "nak"), "--nak", "nno", "--years", "2016", "2016"]
    proc = subprocess.run([*cmd, "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "shard-0.txt").read_text().startswith("Fire\n")
