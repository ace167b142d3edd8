"""Snakemake wrapper of rule download."""

import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.download import Check, download  # noqa: E402
from norelmo.evaluate.published import known_sha1  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    known = known_sha1(sm.params.url)  # the sha1 recorded with a file this project knows, not the config's
    source = known[1] if known and known[0] == sm.params.sha1 else "config"
    check = Check(sm.params.sha1, tuple(sm.params.checksum_files), Path(sm.params.known), sha1_source=source)
    entry = download(sm.params.url, sm.output[0], check, record=Path(sm.params.record))
    print(f"{entry['file']}: {entry['size']:,} bytes, sha1 {entry['sha1']}, checked against: {entry['checksum']}")
