"""Which link prefixes name files, categories and other wikis, from a dump's <siteinfo>."""

from __future__ import annotations

import re
from dataclasses import dataclass

FILE_NS = 6
CATEGORY_NS = 14

# Canonical English names work on every wiki; siteinfo in dumps lists only the local names, so
# the common local aliases (nowiki's "Bilde") are added here.
CANONICAL = {FILE_NS: ("File", "Image", "Bilde", "Fil"), CATEGORY_NS: ("Category", "Kategori")}

# Interlanguage links look like [[en:Oslo]] or [[zh-min-nan:Oslo]]; a leading colon ([[:en:Oslo]])
# makes an inline link whose text is kept.
INTERWIKI = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]+)*\s*:")


@dataclass(frozen=True)
class LinkRules:
    """Prefixes (lower-cased, without colon) of links whose text never reaches the output."""

    dropped_prefixes: frozenset[str]

    @classmethod
    def from_namespaces(cls, names_by_id: dict[int, list[str]]) -> LinkRules:
        prefixes = set()
        for ns in (FILE_NS, CATEGORY_NS):
            prefixes.update(n.lower() for n in (*names_by_id.get(ns, ()), *CANONICAL[ns]) if n)
        return cls(frozenset(prefixes))

    def drops(self, title: str) -> bool:
        """True for file, category and interlanguage links."""
        title = title.strip()
        if title.startswith(":"):
            return False
        prefix, sep, _ = title.partition(":")
        if not sep:
            return False
        if prefix.strip().lower().replace("_", " ") in self.dropped_prefixes:
            return True
        return bool(INTERWIKI.match(title))


def namespace_names(site_info) -> dict[int, list[str]]:
    """Namespace id -> its names (local name, canonical name, aliases) from mwxml's SiteInfo."""
    names: dict[int, list[str]] = {}
    for ns in site_info.namespaces or ():
        found = [ns.name, ns.canonical, *(ns.aliases or ())]
        names[ns.id] = [n for n in found if n]
    return names
