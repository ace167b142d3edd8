"""Corpora named by wiki and date, against a real HTTP server on 127.0.0.1 laid out as the dump site is:
published checksums, `latest`, redirects, records of every download, and the mistakes a user meets."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import threading

import pytest

from norelmo.download import Check, download
from norelmo.download_records import read_records
from norelmo.errors import NorelmoError
from norelmo.report import write_summary
from norelmo.wiki.sources import resolve_dates, run_at

from .conftest import DUMP, INDEX
from .workflow.workdir import snakemake_at

DATE = "20200901"


def sha1(path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


class DumpSite(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; anything under /moved/ is redirected to the same path without it, as mirrors do."""

    def do_GET(self):
        if self.path.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/moved") :])
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


def add_run(root, wiki: str, date: str, status: str = "done", sums: str | None = "right", dumpstatus: bool = True):
    """A dump run's folder: the sample's multistream dump and index, its sha1sums file and dumpstatus.json."""
    folder = root / wiki / date
    folder.mkdir(parents=True)
    files = {f"{wiki}-{date}-pages-articles-multistream.xml.bz2": DUMP,
             f"{wiki}-{date}-pages-articles-multistream-index.txt.bz2": INDEX}  # fmt: skip
    for name, source in files.items():
        shutil.copy(source, folder / name)
    digests = {name: sha1(source) if sums != "wrong" else "0" * 40 for name, source in files.items()}
    if sums:
        listed = {n: d for n, d in digests.items() if sums != "no-dump-line" or "index" in n}
        (folder / f"{wiki}-{date}-sha1sums.txt").write_text("".join(f"{d}  {n}\n" for n, d in listed.items()))
    if dumpstatus:
        job = {"status": status, "files": {n: {"sha1": d, "size": 1} for n, d in digests.items()}}
        (folder / "dumpstatus.json").write_text(json.dumps({"jobs": {"articlesmultistreamdump": job}}))
    return folder


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(DumpSite, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def fetch_dump(base: str, tmp_path, wiki="nowiki", date=DATE, sha1_value=None, layout="{wiki}/{date}"):
    run = run_at(wiki, date, f"{base}/{layout}")
    check = Check(sha1_value, run.checksum_files, tmp_path / "known.json")
    return download(run.dump, tmp_path / "out" / "dump.xml.bz2", check, False, tmp_path / "downloads.json"), run


def test_a_named_dump_is_checked_against_its_sha1sums_and_recorded(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE)
    entry, run = fetch_dump(base, tmp_path)
    assert (tmp_path / "out" / "dump.xml.bz2").read_bytes() == DUMP.read_bytes()
    assert entry["checksum"] == run.checksum_files[0] and entry["sha1"] == sha1(DUMP)
    recorded = read_records(tmp_path / "downloads.json")[run.dump]
    assert recorded["size"] == DUMP.stat().st_size and recorded["final_url"] == run.dump and recorded["time"]


def test_without_a_sha1sums_file_dumpstatus_json_is_used(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE, sums=None)
    entry, run = fetch_dump(base, tmp_path)
    assert entry["checksum"] == run.checksum_files[1]


def test_a_checksum_file_without_the_dump_is_an_error_before_any_byte(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE, sums="no-dump-line")
    with pytest.raises(NorelmoError, match=r"sha1sums.txt: no checksum for nowiki-20200901-pages-articles"):
        fetch_dump(base, tmp_path)
    assert not (tmp_path / "out").exists()


def test_a_checksum_mismatch_discards_the_download(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE, sums="wrong")
    with pytest.raises(NorelmoError, match=r"sha1 is [0-9a-f]{40}, http://.*sha1sums.txt says 0{40}"):
        fetch_dump(base, tmp_path)
    assert list((tmp_path / "out").iterdir()) == []
    assert not (tmp_path / "downloads.json").exists()


def test_no_published_checksum_is_an_error_naming_the_urls_unless_the_config_says_none(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE, sums=None, dumpstatus=False)
    with pytest.raises(NorelmoError, match=r"sha1sums.txt: HTTP 404.*dumpstatus.json: HTTP 404.*sha1: none"):
        fetch_dump(base, tmp_path)
    entry, _ = fetch_dump(base, tmp_path, sha1_value="none")
    assert entry["checksum"].startswith("none") and entry["sha1"] == sha1(DUMP)


def test_the_configs_sha1_wins_over_the_published_one(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE, sums="wrong")
    entry, _ = fetch_dump(base, tmp_path, sha1_value=sha1(DUMP))
    assert entry["checksum"] == "config"


def test_an_unknown_wiki_or_date_names_the_servers_404(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE)
    with pytest.raises(NorelmoError, match=r"/xxwiki/: HTTP 404"):
        resolve_dates([{"name": "x", "wiki": "xxwiki", "date": "latest", "mirror": f"{base}/{{wiki}}/{{date}}"}],
                      tmp_path / "dumps.json")  # fmt: skip
    with pytest.raises(NorelmoError, match=r"/nowiki/19990101/nowiki-19990101-sha1sums.txt: HTTP 404"):
        fetch_dump(base, tmp_path, date="19990101")


def test_latest_is_resolved_once_and_the_recorded_date_wins(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE)
    add_run(root, "nowiki", "20201001", status="in-progress")  # newest, but not finished: skipped
    corpora = [{"name": "wiki", "wiki": "nowiki", "date": "latest", "mirror": f"{base}/{{wiki}}/{{date}}"}]
    record = tmp_path / "results" / "run" / "dumps.json"
    assert resolve_dates(corpora, record) == {"wiki": DATE}
    shutil.rmtree(root / "nowiki" / "20201001")
    add_run(root, "nowiki", "20201001")  # the site moves on
    assert resolve_dates(corpora, record) == {"wiki": DATE}  # a rerun keeps the run's dump
    assert json.loads(record.read_text())["wiki"] == {"wiki": "nowiki", "asked": "latest", "date": DATE}
    assert resolve_dates(corpora, tmp_path / "other-run" / "dumps.json") == {"wiki": "20201001"}


def test_a_mirror_that_redirects_is_followed_and_the_final_url_recorded(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE)
    entry, run = fetch_dump(base, tmp_path, layout="moved/{wiki}/{date}")
    assert entry["url"] == run.dump and entry["final_url"] == run.dump.replace("/moved/", "/")
    assert entry["checksum"] == run.checksum_files[0]


def test_a_file_with_no_published_checksum_must_match_its_first_download(site, tmp_path):
    root, base = site
    (root / "model.udpipe").write_bytes(b"first")
    check = Check(None, (), tmp_path / "known.json")
    first = download(f"{base}/model.udpipe", tmp_path / "a" / "model.udpipe", check, False)
    assert first["checksum"].startswith("none published")
    again = download(f"{base}/model.udpipe", tmp_path / "b" / "model.udpipe", check, False)
    assert again["checksum"].startswith("first download")
    (root / "model.udpipe").write_bytes(b"changed")
    with pytest.raises(NorelmoError, match="first download"):
        download(f"{base}/model.udpipe", tmp_path / "c" / "model.udpipe", check, False)


def test_the_workflow_downloads_a_named_dump_and_records_date_and_downloads(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE)
    work = tmp_path / "work"
    work.mkdir()
    corpus = {"name": "wiki", "wiki": "nowiki", "date": "latest", "mirror": f"{base}/{{wiki}}/{{date}}"}
    config = {"run": "named", "shards": 1, "corpora": [corpus]}
    proc = snakemake_at(work, config, "results/named/text/wiki/shard-0.txt")
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = work / "results" / "named"
    assert json.loads((results / "dumps.json").read_text())["wiki"]["date"] == DATE
    downloads = read_records(results / "downloads.json")
    run = run_at("nowiki", DATE, f"{base}/{{wiki}}/{{date}}")
    assert set(downloads) == {run.dump, run.index}
    assert {e["checksum"] for e in downloads.values()} == {run.checksum_files[0]}
    assert (results / "text" / "wiki" / "shard-0.txt").stat().st_size > 0


def test_the_run_summary_lists_each_download_and_its_checksum_source(site, tmp_path):
    root, base = site
    add_run(root, "nowiki", DATE)
    entry, run = fetch_dump(base, tmp_path)
    stats = {"tokens": 10, "sentences": 2, "types": 5, "vocab_size": 5, "coverage": 1.0, "n_train_tokens": 10}
    train = {"batches": 1, "batches_per_epoch": 1, "resumed_from": 0, "final_loss": 2.0}
    (tmp_path / "s.json").write_text(json.dumps(stats))
    (tmp_path / "t.json").write_text(json.dumps(train))
    out = tmp_path / "summary.html"
    write_summary("r", tmp_path, [], [], tmp_path / "s.json", tmp_path / "t.json", None, None, None, None, out)
    page = out.read_text()
    assert "<h2>Downloads</h2>" in page and "dump.xml.bz2" in page
    assert entry["sha1"] in page and run.checksum_files[0] in page
