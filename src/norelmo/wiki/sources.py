"""A corpus named by wiki and date: the dump, its index and the checksum files, under the dump site's layout.

`date: latest` is resolved once, to the newest dump run whose multistream dump is done, and recorded in
results/{run}/dumps.json; every later start of the run (a rerun, a cluster job) reads the recorded date, so
the run keeps downloading the same dump however the site moves on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_json
from ..download import fetch_text
from ..errors import NorelmoError

DUMP_SITE = "https://dumps.wikimedia.org/{wiki}/{date}"
MULTISTREAM_JOB = "articlesmultistreamdump"


@dataclass(frozen=True)
class DumpRun:
    """The files of one dump run of one wiki, at `base` (the run's directory or archive item)."""

    wiki: str
    date: str
    base: str

    def url(self, suffix: str) -> str:
        return f"{self.base}/{self.wiki}-{self.date}-{suffix}"

    @property
    def dump(self) -> str:
        return self.url("pages-articles-multistream.xml.bz2")

    @property
    def index(self) -> str:
        return self.url("pages-articles-multistream-index.txt.bz2")

    @property
    def checksum_files(self) -> tuple[str, str]:
        """Where the published sha1s are: the run's sha1sums file, else its dumpstatus.json."""
        return self.url("sha1sums.txt"), f"{self.base}/dumpstatus.json"


def run_at(wiki: str, date: str, mirror: str | None) -> DumpRun:
    return DumpRun(wiki, date, (mirror or DUMP_SITE).format(wiki=wiki, date=date).rstrip("/"))


def latest_date(wiki: str, mirror: str | None) -> str:
    """The newest dump run of `wiki` whose multistream dump is done, from the listing of the runs' directories.

    Needs a layout whose last part is the date ({wiki}/{date}, as on the dump site): the listing is one level up.
    """
    layout = mirror or DUMP_SITE
    if not layout.rstrip("/").endswith("/{date}"):
        raise NorelmoError(f"date: latest needs a layout ending in /{{date}} with a listing above it, not {layout}")
    listing = layout.rstrip("/")[: -len("{date}")].format(wiki=wiki)
    dates = sorted(set(re.findall(r'href="(\d{8})/?"', fetch_text(listing))), reverse=True)
    for date in dates[:5]:  # a run in progress is usually the newest, or the one before
        try:
            status = json.loads(fetch_text(run_at(wiki, date, mirror).checksum_files[1]))
        except (NorelmoError, json.JSONDecodeError):
            continue
        if status.get("jobs", {}).get(MULTISTREAM_JOB, {}).get("status") == "done":
            return date
    raise NorelmoError(f"{listing}: no finished dump run of {wiki} among {', '.join(dates[:5]) or 'none listed'}")


def resolve_dates(corpora: list[dict], record: Path) -> dict[str, str]:
    """Corpus name -> concrete date for the corpora named by `wiki`; `latest` resolved at most once per run and
    recorded in `record`, which later starts read (the recorded date wins over whatever is newest then)."""
    recorded = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    dates, changed = {}, False
    for corpus in corpora:
        if "wiki" not in corpus:
            continue
        name, wiki, asked = corpus["name"], corpus["wiki"], str(corpus["date"])
        mine = recorded.get(name, {})
        if asked != "latest":
            dates[name] = asked
        elif mine.get("wiki") == wiki and mine.get("asked") == "latest":
            dates[name] = mine["date"]
        else:
            dates[name] = latest_date(wiki, corpus.get("mirror"))
        if mine != {"wiki": wiki, "asked": asked, "date": dates[name]}:
            recorded[name] = {"wiki": wiki, "asked": asked, "date": dates[name]}
            changed = True
    if changed:
        atomic_json(record, recorded)
    return dates
